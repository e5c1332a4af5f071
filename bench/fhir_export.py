"""Benchmark: the clinic's FHIR R4 bulk export against serialising the same rows as plain JSON, same run.

    .venv/bin/python bench/fhir_export.py [--patients 10000] [--procedures-per-patient 5] [--repeat 2]

1. Builds the bench clinic of bench/workspace.py in a fresh SQLite database (each patient: an assessment,
   5 procedures, 10 diary scores each).
2. Times, each `--repeat` times (fastest kept), both writing NDJSON to a temporary folder:
     plain  the same pages of patients, loaded by the same queries (facetpath.fhir.export.pages), each row
            written as a plain JSON object of its fields (the floor)
     fhir   `facetpath fhir export`'s writer: the same pages, each patient evaluated by the core and mapped
            to FHIR resources, one file per resource type
3. Then one more FHIR pass under tracemalloc: its peak Python memory, and the process's peak RSS. Run two
   sizes (e.g. --patients 1000 and 4000) and compare: a streaming export's peak does not grow with the clinic.

Reports rows/s for the floor, resources/s for FHIR, and the ratio of their times (goal: at most 3x).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--procedures-per-patient", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=2)
    return parser.parse_args()


def fields(row: Any) -> dict[str, Any]:
    """A row's own columns as JSON values (dates as ISO text): what a plain JSON dump of the table writes."""
    found = {}
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        found[field.attname] = value.isoformat() if hasattr(value, "isoformat") else value
    return found


def plain(clinic: Any, out: Path) -> int:
    from facetpath.fhir.export import pages
    from facetpath.patients.models import Patient

    rows = 0
    with (out / "rows.ndjson").open("w", encoding="utf-8") as handle:
        for page in pages(Patient.objects.filter(clinic=clinic)):
            for patient in page:
                records = [patient, *patient.assessments.all()]
                for procedure in patient.procedures.all():
                    records += [procedure, *procedure.diary_scores.all(), *procedure.follow_ups.all()]
                    records += [*procedure.sign_offs.all()]
                for record in records:
                    handle.write(json.dumps(fields(record), separators=(",", ":")) + "\n")
                rows += len(records)
    return rows


def fhir(clinic: Any, out: Path) -> int:
    from facetpath.fhir.cli import write_ndjson
    from facetpath.procedures.interpretation import evaluated

    evaluated.cache_clear()  # every pass evaluates every patient, as a first export does

    return sum(write_ndjson([clinic], out).values())


def timed(work: Any, clinic: Any, repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            count = work(clinic, Path(folder))
            best = min(best, time.perf_counter() - started)
    return best, count


def main() -> int:
    args = arguments()
    from workspace import build, setup_django

    data_dir = Path(tempfile.mkdtemp(prefix="facetpath-bench-fhir-"))
    setup_django(data_dir)
    started = time.perf_counter()
    clinic, _physician, _patient = build(args.patients, args.procedures_per_patient)
    print(f"built {args.patients:,} patients in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    floor, rows = timed(plain, clinic, args.repeat)
    cost, resources = timed(fhir, clinic, args.repeat)
    tracemalloc.start()
    with tempfile.TemporaryDirectory() as folder:
        fhir(clinic, Path(folder))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"patients {args.patients:,}, procedures per patient {args.procedures_per_patient}")
    print(f"  plain JSON (floor)  {rows:>10,} rows       {floor:7.1f} s  {rows / floor:>9,.0f} rows/s")
    print(
        f"  FHIR R4 NDJSON      {resources:>10,} resources  {cost:7.1f} s  {resources / cost:>9,.0f} resources/s"
    )
    print(f"  ratio (time, FHIR / floor): {cost / floor:.2f}x (goal ≤ 3x)")
    print(
        f"  peak traced Python memory during the FHIR export: {peak / 2**20:.1f} MB; peak RSS {rss_mb:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
