"""`facetpath report KIND ...`: reports from the configured database, one subcommand per kind.

facetpath report blocks --from DATE --to DATE --out FILE.csv [--clinic SLUG]
    every procedure done in the range (both days included), one row each, with its response and decision
    under the clinic's policy (the CSV of /staff/blocks/export/)

Each kind is one entry of `SUBCOMMANDS` (name → function taking its arguments), so other reports join by
adding a line. Exit status: 0 done; 2 bad input (the message names the option); 1 an internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from facetpath.clinics.models import Clinic

EXIT_OK, EXIT_BAD_INPUT = 0, 2
CLI_ACTOR = "command line"


class BadInput(Exception):
    """Input the user must fix; the message names the option."""


def main(command: str, argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facetpath.settings")
    if not argv or argv[0] not in SUBCOMMANDS:
        names = ", ".join(sorted(SUBCOMMANDS))
        given = repr(argv[0]) if argv else "nothing"
        print(f"facetpath report: KIND: {given} is not one of {names}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return SUBCOMMANDS[argv[0]](argv[1:])
    except BadInput as error:
        print(f"facetpath report {argv[0]}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _setup() -> None:
    import django
    from django.apps import apps

    if not apps.ready:  # already set up when a test calls the command in its own process
        django.setup()


def _day(option: str) -> Callable[[str], date]:
    def parse(text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise BadInput(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None

    return parse


def blocks(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="facetpath report blocks", description="Blocks and decisions in a date range, as CSV."
    )
    parser.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day, included")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.csv")
    parser.add_argument("--clinic", metavar="SLUG", help="the clinic (needed when the database has several)")
    args = parser.parse_args(argv)
    start, end = _day("--from")(args.start), _day("--to")(args.end)
    if end < start:
        raise BadInput(f"--to: {end.isoformat()} is before --from {start.isoformat()}")
    _setup()
    from facetpath.audit.models import AuditEvent
    from facetpath.priorauth.export import block_rows, csv_lines

    clinic = _clinic(args.clinic)
    out: Path = args.out
    partial = out.with_name(out.name + ".partial")
    rows = 0
    try:
        with partial.open("w", encoding="utf-8", newline="") as file:
            for line in csv_lines(block_rows(clinic, start, end)):
                file.write(line)
                rows += 1
    except OSError as error:
        raise BadInput(f"--out: cannot write {out}: {error.strerror}") from None
    partial.replace(out)
    # The file holds patient data: the read is in the clinic's audit trail like the web export.
    AuditEvent.objects.create(
        username=CLI_ACTOR, clinic_id=clinic.pk, action="export", path="facetpath report blocks",
        detail=f"blocks CSV {start.isoformat()} to {end.isoformat()}: {rows - 1} rows",
    )  # fmt: skip
    print(f"{rows - 1} procedures from {start.isoformat()} to {end.isoformat()} written to {out}")
    return EXIT_OK


def _clinic(wanted: str | None) -> Clinic:
    from django.utils.text import slugify

    from facetpath.clinics.models import Clinic
    from facetpath.public.models import PublicProfile

    clinics = list(Clinic.objects.order_by("pk"))
    if wanted is None:
        if len(clinics) == 1:
            return clinics[0]
        raise BadInput(f"--clinic: the database has {len(clinics)} clinics; name one by its slug or id")
    slugs = dict(PublicProfile.objects.values_list("clinic_id", "slug"))
    for clinic in clinics:
        if wanted in {str(clinic.pk), slugify(clinic.name), slugs.get(clinic.pk)}:
            return clinic
    raise BadInput(f"--clinic: no clinic {wanted!r}")


SUBCOMMANDS: dict[str, Callable[[list[str]], int]] = {
    "blocks": blocks,
}
