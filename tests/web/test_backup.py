"""`facetpath backup` taken while the app writes, restored with `facetpath restore` into an empty data dir (or
an empty PostgreSQL database): every patient, diary answer and audit entry is there and the chain is intact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from webfactories import ROLES, World

from facetpath.audit.models import AuditEvent
from facetpath.datacli import main
from facetpath.diary import actions
from facetpath.diary.models import Entry
from facetpath.patients.models import Patient

COUNTS = """
import django, json
django.setup()
from facetpath.audit.models import AuditEvent
from facetpath.diary.models import Entry
from facetpath.patients.models import Patient
print(json.dumps([sorted(Patient.objects.values_list("mrn", flat=True)), Entry.objects.count(),
                  AuditEvent.objects.count()]))
"""


def facetpath(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "facetpath.cli", *args], env=environment, capture_output=True, text=True
    )


def target(tmp_path: Path) -> tuple[dict[str, str], str]:
    """The environment of a new installation: an empty data dir, and on PostgreSQL an empty database."""
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment |= {
        "FACETPATH_DATA_DIR": str(tmp_path / "new-var"),
        "DJANGO_SETTINGS_MODULE": "facetpath.settings",
    }
    if connection.vendor != "postgresql":
        return environment, ""
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(os.environ["DATABASE_URL"])
    environment["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return environment, name


def drop(name: str) -> None:
    if name:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_serving_restores_whole_with_an_intact_chain(
    world: World, tmp_path: Path
) -> None:
    _diary, token = actions.start_diary(world.procedure, world.users[ROLES[1]])
    Client().post(reverse("diary-entry", args=[token]), {"pain": "3", "key": "key-00000001"})
    busy, reading = threading.Event(), threading.Event()

    def keep_reading() -> None:  # staff keep reading the record while the backup runs
        client = world.client_for(ROLES[0])
        try:
            while not busy.is_set():
                client.get(reverse("patient", args=[world.patient.pk]))
                reading.set()
        finally:
            connections.close_all()

    reader = threading.Thread(target=keep_reading)
    reader.start()
    backup = tmp_path / "clinic.backup"
    try:
        assert reading.wait(timeout=60)
        assert main("backup", ["--out", str(backup)]) == 0
    finally:
        busy.set()
        reader.join()
    assert backup.stat().st_mode & 0o777 == 0o600
    assert Entry.objects.count() >= 1 and AuditEvent.objects.count() > 1

    environment, database = target(tmp_path)
    try:
        restored = facetpath(environment, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        counts = subprocess.run(
            [sys.executable, "-c", COUNTS], env=environment, capture_output=True, text=True, check=True
        )
        patients, entries, events = json.loads(counts.stdout.splitlines()[-1])
        assert patients == sorted(Patient.objects.values_list("mrn", flat=True))
        assert entries == Entry.objects.count()
        assert 1 < events <= AuditEvent.objects.count()  # the reader went on writing after the backup
        verified = facetpath(environment, "audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "Clinic A" in verified.stdout and "intact" in verified.stdout

        again = facetpath(environment, "restore", str(backup))  # the data dir is no longer empty
        assert again.returncode == 2 and "already holds data" in again.stderr
        assert facetpath(environment, "restore", str(backup), "--force").returncode == 0
    finally:
        drop(database)


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    environment = {**os.environ, "FACETPATH_DATA_DIR": str(tmp_path / "var")}
    environment.pop("DATABASE_URL", None)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    refused = facetpath(environment, "restore", str(junk))
    assert refused.returncode == 2 and "is not a SQLite backup" in refused.stderr
    missing = facetpath(environment, "restore", str(tmp_path / "missing.backup"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
