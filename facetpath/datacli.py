"""The data commands, dispatched from `facetpath audit|backup|restore ...` (README, docs/operations.md).

facetpath audit verify [--clinic SLUG]   walk each clinic's audit chain: exit 0 intact, 1 broken (the first
                                          entry that does not match is named), 2 no such clinic
facetpath backup --out FILE              the whole database, consistent while the server runs
facetpath restore FILE [--force]         into an empty data dir (or database); --force replaces one
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from facetpath.backup import BackupError

if TYPE_CHECKING:
    from facetpath.clinics.models import Clinic

EXIT_OK, EXIT_BROKEN, EXIT_BAD_INPUT = 0, 1, 2


def main(command: str, argv: list[str]) -> int:
    commands = {"audit": audit, "backup": backup, "restore": restore}
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facetpath.settings")
    try:
        return commands[command](argv)
    except BackupError as exc:
        print(f"facetpath {command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def setup() -> None:
    import django
    from django.apps import apps

    if not apps.ready:  # already set up when a test calls these commands in its own process
        django.setup()


def audit(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="facetpath audit", description="Check the audit trail's hash chains."
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="walk each clinic's chain; exit 1 naming the first bad entry")
    verify.add_argument("--clinic", metavar="SLUG", help="one clinic (its public site's slug, or its id)")
    args = parser.parse_args(argv)
    setup()
    from facetpath.audit.verify import report_lines, verify_chains

    names = _clinic_names()
    chains: list[int] | None = None
    if args.clinic is not None:
        chain = clinic_by_slug(args.clinic)
        if chain is None:
            print(f"facetpath audit verify: --clinic: no clinic {args.clinic!r}", file=sys.stderr)
            return EXIT_BAD_INPUT
        chains = [chain]
    reports = verify_chains(chains)
    if not reports:
        print("No audit entries yet.")
    for line in report_lines(reports, names):
        print(line)
    return EXIT_OK if all(report.intact for report in reports) else EXIT_BROKEN


def _clinic_names() -> dict[int, str]:
    from facetpath.clinics.models import Clinic

    names = {clinic.pk: f"clinic {clinic.name!r} ({_slug_of(clinic)})" for clinic in Clinic.objects.all()}
    return {0: "entries of no clinic", **names}


def _slug_of(clinic: Clinic) -> str:
    from django.utils.text import slugify

    from facetpath.public.models import PublicProfile

    profile = PublicProfile.objects.filter(clinic=clinic).first()
    return profile.slug if profile is not None else slugify(str(clinic))


def clinic_by_slug(slug: str) -> int | None:
    """A clinic's id by its public site's slug (/c/<slug>/), its name's slug, or its id: what `--clinic`
    takes in every command (audit verify, fhir export, report blocks)."""
    from facetpath.clinics.models import Clinic

    for clinic in Clinic.objects.all():
        if slug in {_slug_of(clinic), str(clinic.pk)}:
            return int(clinic.pk)
    return None


def backup(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="facetpath backup", description="Back up the whole database.")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    setup()
    from django.conf import settings

    from facetpath.backup import backup_postgres, backup_sqlite

    database = settings.DATABASES["default"]
    out: Path = args.out.resolve()
    if database["ENGINE"].endswith("sqlite3"):
        backup_sqlite(Path(database["NAME"]), out)
    else:
        backup_postgres(database, out)
    print(f"Backed up to {out} (readable by you only). Restore with: facetpath restore {out}")
    return EXIT_OK


def restore(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="facetpath restore", description="Restore a backup into an empty data dir or database."
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--force", action="store_true", help="replace a database that already holds data")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"facetpath restore: {args.file}: no such file", file=sys.stderr)
        return EXIT_BAD_INPUT
    setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from facetpath.backup import restore_postgres, restore_sqlite

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        connection.close()
        restore_sqlite(args.file, Path(database["NAME"]), args.force)
    else:
        has_tables = bool(connection.introspection.table_names())
        connection.close()
        restore_postgres(database, args.file, has_tables, args.force)
    # A backup from an older release gets this release's tables and columns.
    call_command("migrate", verbosity=0, interactive=False)
    print(f"Restored {args.file}. Check it with: facetpath audit verify")
    return EXIT_OK
