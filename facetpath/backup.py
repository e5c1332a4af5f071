"""Backing up and restoring a clinic's database (`facetpath backup`, `facetpath restore`).

SQLite: SQLite's online backup API copies the database page by page under its own locks, so a backup taken
while the server answers is consistent (each step sees one committed state). PostgreSQL: pg_dump's custom
format, which reads one snapshot; pg_restore puts it back. Every file written is the owner's alone (0600).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(Exception):
    """Something the person running the command must fix; the message says what."""


def private_file(path: Path) -> None:
    """Creates `path` empty, readable and writable by its owner only (before any data goes in)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    path.chmod(0o600)


def backup_sqlite(database: Path, out: Path) -> None:
    if not database.exists():
        raise BackupError(f"no database at {database}")
    partial = out.with_name(out.name + ".partial")
    private_file(partial)
    source, target = sqlite3.connect(database), sqlite3.connect(partial)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source.close()
    partial.replace(out)


def restore_sqlite(backup: Path, database: Path, force: bool) -> None:
    _check_sqlite_backup(backup)
    if _has_tables(database) and not force:
        raise BackupError(f"{database} already holds data: restore into an empty data dir, or add --force")
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not database.exists():
        private_file(database)
    source, target = sqlite3.connect(backup), sqlite3.connect(database)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")  # as the server runs it (facetpath.settings)
    finally:
        target.close()
        source.close()


def _check_sqlite_backup(backup: Path) -> None:
    with backup.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise BackupError(f"{backup} is not a SQLite backup made by `facetpath backup`")
    with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as check:
        result = check.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{backup} is damaged: {result[0] if result else 'unreadable'}")


def _has_tables(database: Path) -> bool:
    if not database.exists() or database.stat().st_size == 0:
        return False
    with sqlite3.connect(database) as existing:
        return existing.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0


def is_sqlite_backup(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER


# --- PostgreSQL -------------------------------------------------------------------------------------


def _pg_environment(database: dict[str, Any]) -> dict[str, str]:
    # The password goes in the environment, never on a command line other users can read in `ps`.
    values = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGDATABASE": database["NAME"],
    }
    return {**os.environ, **{key: value for key, value in values.items() if value}}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def backup_postgres(database: dict[str, Any], out: Path) -> None:
    partial = out.with_name(out.name + ".partial")
    private_file(partial)
    run = subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial)],
        env=_pg_environment(database),
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
    partial.replace(out)


def restore_postgres(database: dict[str, Any], backup: Path, has_tables: bool, force: bool) -> None:
    with backup.open("rb") as file:
        if file.read(len(PG_DUMP_HEADER)) != PG_DUMP_HEADER:
            raise BackupError(f"{backup} is not a PostgreSQL backup made by `facetpath backup`")
    if has_tables and not force:
        raise BackupError(
            f"database {database['NAME']} already holds data: restore into an empty one, or add --force"
        )
    options = ["--clean", "--if-exists"] if has_tables else []
    run = subprocess.run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            *options,
            "--dbname",
            database["NAME"],
            str(backup),
        ],
        env=_pg_environment(database),
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise BackupError(f"pg_restore failed: {run.stderr.strip()}")
