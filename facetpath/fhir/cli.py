"""`facetpath fhir export --out DIR [--clinic SLUG]`: a clinic's records as FHIR R4 NDJSON, one file per
resource type (Patient.ndjson, Observation.ndjson …), streamed a page of patients at a time, with a progress
bar on standard error when it is a terminal. Exit 0 done, 2 bad input."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TextIO

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def main(command: str, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="facetpath fhir", description="FHIR R4 export (docs/fhir.md).")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="NDJSON, one file per resource type")
    export.add_argument("--out", required=True, type=Path, metavar="DIR")
    export.add_argument(
        "--clinic", metavar="SLUG", help="one clinic (its public site's slug, or its id); all by default"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facetpath.settings")
    from facetpath.datacli import clinic_by_slug, setup

    setup()
    from facetpath.clinics.models import Clinic

    clinics = Clinic.objects.order_by("pk")
    if args.clinic is not None:
        chosen = clinic_by_slug(args.clinic)
        if chosen is None:
            print(f"facetpath fhir export: --clinic: no clinic {args.clinic!r}", file=sys.stderr)
            return EXIT_BAD_INPUT
        clinics = clinics.filter(pk=chosen)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"facetpath fhir export: --out: cannot make {args.out}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    counts = write_ndjson(list(clinics), args.out)
    summary = ", ".join(f"{kind} {n:,}" for kind, n in sorted(counts.items()))
    print(
        f"facetpath fhir export: {sum(counts.values()):,} resources in {args.out}: {summary}", file=sys.stderr
    )
    return EXIT_OK


def write_ndjson(clinics: list[object], out: Path) -> Counter[str]:
    from facetpath.cli import Progress
    from facetpath.fhir.export import clinic_export, ndjson_line

    counts: Counter[str] = Counter()
    files: dict[str, TextIO] = {}
    try:
        for clinic in clinics:
            progress = Progress(clinic.patients.count()) if sys.stderr.isatty() else None  # type: ignore[attr-defined]

            def advance(done: int, progress: Progress | None = progress) -> None:
                if progress is not None:
                    progress.done += done
                    progress.draw(time.perf_counter())

            for kind, resource in clinic_export(clinic, advance):  # type: ignore[arg-type]
                if kind not in files:
                    files[kind] = (out / f"{kind}.ndjson").open("w", encoding="utf-8")
                files[kind].write(ndjson_line(resource))
                counts[kind] += 1
            if progress is not None:
                progress.finish()
    finally:
        for handle in files.values():
            handle.close()
    return counts
