"""Benchmark: the block report and the prior-authorization packet as PDF against the same documents as HTML only.

    .venv/bin/python bench/reports.py [--rounds 20] [--data-dir DIR] [--keep]

1. Builds the demo clinic (facetpath.web.demo: 34 synthetic patients in every stage) in a fresh SQLite
   database in a temporary data dir.
2. In one process, round after round, alternating so that a slower spell of a shared machine falls on all:
     html         a diagnostic block's report as HTML: the context (the core's evaluation of the patient,
                  the pain curve's SVG, codes, ICD-10, diary at true times, sign-off) and the template
                  rendered to text (the floor: everything but the PDF)
     pdf          the same block's report as a tagged PDF/A-3a + PDF/UA-1 file (WeasyPrint)
     packet-html  the RFA packet of a patient with two blocks: checklist (the core) and the two supporting
                  block reports, as HTML
     packet-pdf   the same packet as PDF
     checklist    the live checklist alone, as the patient page builds it (facetpath.reports.context.packet)
3. Reports each one's median and 95th percentile, the PDF/HTML ratios, and the PDFs' sizes and page counts.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20, help="renderings of each kind")
    parser.add_argument("--data-dir", type=Path, help="default: a new temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    return parser.parse_args()


def setup(data_dir: Path) -> None:
    os.environ["FACETPATH_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "facetpath.settings"
    os.environ.pop("DATABASE_URL", None)  # always a fresh SQLite file of its own
    os.environ.setdefault("FACETPATH_SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from facetpath.web.demo import load_demo

    load_demo()


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> int:
    args = arguments()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="facetpath-bench-reports-"))
    print(f"Building the demo clinic in {data_dir} …", flush=True)
    setup(data_dir)
    from pypdf import PdfReader

    from facetpath.patients.models import Patient, Stage
    from facetpath.procedures.models import Procedure
    from facetpath.reports import context
    from facetpath.reports.pdf import report_html, report_pdf

    patient = Patient.objects.filter(stage=Stage.RFA_DUE).order_by("id").first()
    assert patient is not None, "the demo has patients for whom RFA may go ahead"
    block = patient.procedures.filter(status=Procedure.Status.DONE).order_by("date").first()
    assert block is not None
    block_template, packet_template = "reports/block_report_pdf.html", "reports/packet_pdf.html"

    def fresh_block() -> Procedure:
        # As a view gets it: the row with its patient and operator, nothing cached from the last round.
        return Procedure.objects.select_related("patient__clinic", "operator").get(pk=block.pk)

    def fresh_patient() -> Patient:
        return Patient.objects.select_related("clinic").get(pk=patient.pk)

    kinds: dict[str, Callable[[], Any]] = {
        "html": lambda: report_html(block_template, context.block_report(fresh_block())),
        "pdf": lambda: report_pdf(block_template, context.block_report(fresh_block())),
        "packet-html": lambda: report_html(packet_template, context.packet_report(fresh_patient())),
        "packet-pdf": lambda: report_pdf(packet_template, context.packet_report(fresh_patient())),
        "checklist": lambda: context.packet(fresh_patient()),
    }
    for work in kinds.values():  # warm-up: imports (WeasyPrint, matplotlib), fonts, template loading
        work()
    times: dict[str, list[float]] = {name: [] for name in kinds}
    outputs: dict[str, Any] = {}
    for _ in range(args.rounds):
        for name, work in kinds.items():
            seconds, outputs[name] = timed(work)
            times[name].append(seconds)

    def ms(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    print(f"\n{args.rounds} renderings of each, {patient.full_name}'s first block and RFA packet\n")
    print(f"{'':12} {'median ms':>10} {'p95 ms':>8}")
    for name, values in times.items():
        print(f"{name:12} {1000 * statistics.median(values):10.1f} {ms(values, 0.95):8.1f}")
    for pdf, html in (("pdf", "html"), ("packet-pdf", "packet-html")):
        ratio = statistics.median(times[pdf]) / statistics.median(times[html])
        print(f"{pdf} / {html}: {ratio:.1f}x")
    for name in ("pdf", "packet-pdf"):
        content: bytes = outputs[name]
        pages = len(PdfReader(io.BytesIO(content)).pages)
        print(f"{name}: {len(content) / 1024:.0f} KiB, {pages} pages")
    print(f"checklist: {outputs['checklist'].summary}")
    if not args.keep and args.data_dir is None:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
