"""`facetpath report …`: reports from the configured database (README, docs/reports.md).

facetpath report block PROCEDURE_ID --out FILE.pdf      one block's report
facetpath report prior-auth PATIENT_ID --out FILE.pdf   the prior-authorization packet for the next procedure
facetpath report blocks --from DATE --to DATE --out FILE.csv [--clinic SLUG]
    every procedure done in the range (both days included), one row each, with its response and decision
    under the clinic's policy (the CSV of /staff/blocks/export/)

Each subcommand is one entry of SUBCOMMANDS: a help line, a function adding its arguments and one running
it. Adding a report is adding an entry (and its function). Exit status: 0 written; 2 bad input (no such
procedure or patient, a file that cannot be written), with a message naming the argument.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facetpath.datacli import clinic_by_slug, setup

if TYPE_CHECKING:
    from facetpath.clinics.models import Clinic

EXIT_OK, EXIT_BAD_INPUT = 0, 2


class ReportError(Exception):
    """Input the user must fix; the message names the argument."""


@dataclass(frozen=True)
class Subcommand:
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def main(command: str, argv: list[str]) -> int:
    if not argv or argv[0] not in SUBCOMMANDS:
        given = repr(argv[0]) if argv else "nothing"
        print(
            f"facetpath report: KIND: {given} is not one of {', '.join(sorted(SUBCOMMANDS))}", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    parser = argparse.ArgumentParser(
        prog="facetpath report", description="Reports from the clinic's records."
    )
    reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
    for name, subcommand in SUBCOMMANDS.items():
        sub = reports.add_parser(name, help=subcommand.help)
        subcommand.arguments(sub)
        sub.set_defaults(run=subcommand.run)
    args = parser.parse_args(argv)
    args.command_line = shlex.join(["facetpath", command, *argv])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facetpath.settings")
    setup()
    try:
        return int(args.run(args))
    except ReportError as exc:
        print(f"facetpath report {args.report}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _record_id(text: str) -> int:
    """Ids as argparse reads them: a positive whole number, or argparse's own exit 2 naming it."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a record id (a whole number such as 12)")
    return int(text)


def _pdf_out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="where to write the PDF")


def _write(out: Path, data: bytes) -> None:
    """The file readable by its owner only: it holds patient data (docs/security.md)."""
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise ReportError(f"--out {out}: cannot write: {exc.strerror}") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


# --- block ------------------------------------------------------------------------------------------------


def _block_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("procedure_id", type=_record_id, metavar="PROCEDURE_ID", help="the procedure's id")
    _pdf_out(parser)


def _block(args: argparse.Namespace) -> int:
    from facetpath.procedures.models import Procedure
    from facetpath.reports import actions, context
    from facetpath.reports.pdf import report_pdf

    procedure = (
        Procedure.objects.select_related("patient__clinic", "operator").filter(pk=args.procedure_id).first()
    )
    if procedure is None:
        raise ReportError(f"PROCEDURE_ID: no procedure {args.procedure_id}")
    pdf = report_pdf("reports/block_report_pdf.html", context.block_report(procedure))
    _write(args.out, pdf)
    actions.do_audit_command(procedure, procedure.patient, "block report PDF", args.command_line)
    print(f"Wrote the block report of {_who(procedure.patient)}, {procedure.date:%Y-%m-%d}, to {args.out}")
    return EXIT_OK


# --- prior-auth -------------------------------------------------------------------------------------------


def _packet_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("patient_id", type=_record_id, metavar="PATIENT_ID", help="the patient's id")
    _pdf_out(parser)


def _packet(args: argparse.Namespace) -> int:
    from facetpath.patients.models import Patient
    from facetpath.reports import actions, context
    from facetpath.reports.pdf import report_pdf

    patient = Patient.objects.select_related("clinic").filter(pk=args.patient_id).first()
    if patient is None:
        raise ReportError(f"PATIENT_ID: no patient {args.patient_id}")
    report = context.packet_report(patient)
    found = report["packet"]
    if found.checklist is None:  # nothing written: the message says what to do first
        raise ReportError(f"PATIENT_ID: no packet for {_who(patient)}: {' '.join(found.problems)}")
    _write(args.out, report_pdf("reports/packet_pdf.html", report))
    actions.do_audit_command(patient, patient, "prior-authorization packet PDF", args.command_line)
    print(f"Wrote the packet of {_who(patient)} to {args.out}: {found.summary}")
    return EXIT_OK


def _who(patient: Any) -> str:
    return f"{patient.full_name} (MRN {patient.mrn})"


# --- blocks -----------------------------------------------------------------------------------------------


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportError(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None


def _blocks_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day, included")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.csv")
    parser.add_argument("--clinic", metavar="SLUG", help="the clinic (needed when the database has several)")


def _blocks(args: argparse.Namespace) -> int:
    from facetpath.audit.models import AuditEvent
    from facetpath.priorauth.export import block_rows, csv_lines
    from facetpath.reports.actions import command_line_account

    start, end = _day("--from", args.start), _day("--to", args.end)
    if end < start:
        raise ReportError(f"--to: {end.isoformat()} is before --from {start.isoformat()}")
    clinic = _clinic(args.clinic)
    out: Path = args.out
    partial = out.with_name(out.name + ".partial")
    rows = 0
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # patient data
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            for line in csv_lines(block_rows(clinic, start, end)):
                file.write(line)
                rows += 1
    except OSError as error:
        raise ReportError(f"--out: cannot write {out}: {error.strerror}") from None
    partial.replace(out)
    # The file holds patient data: the read is in the clinic's audit trail like the web export.
    AuditEvent.objects.create(
        username=command_line_account(), clinic_id=clinic.pk, action="export", path=args.command_line[:300],
        detail=f"blocks CSV {start.isoformat()} to {end.isoformat()}: {rows - 1} rows",
    )  # fmt: skip
    print(f"{rows - 1} procedures from {start.isoformat()} to {end.isoformat()} written to {out}")
    return EXIT_OK


def _clinic(wanted: str | None) -> Clinic:
    from facetpath.clinics.models import Clinic

    if wanted is None:
        count = Clinic.objects.count()
        if count == 1:
            return Clinic.objects.get()
        raise ReportError(f"--clinic: the database has {count} clinics; name one by its slug or id")
    chosen = clinic_by_slug(wanted)
    if chosen is None:
        raise ReportError(f"--clinic: no clinic {wanted!r}")
    return Clinic.objects.get(pk=chosen)


SUBCOMMANDS: dict[str, Subcommand] = {
    "block": Subcommand("one block's report as a PDF", _block_arguments, _block),
    "prior-auth": Subcommand(
        "the prior-authorization packet for the patient's next procedure, as a PDF",
        _packet_arguments,
        _packet,
    ),
    "blocks": Subcommand("blocks and decisions in a date range, as CSV", _blocks_arguments, _blocks),
}
