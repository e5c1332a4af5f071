"""Settings from the environment, the web commands, and the demo clinic."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from facetpath.patients.models import Patient, Stage
from facetpath.settings import database_from_url, env_bool, secret_key, sqlite_database
from facetpath.webcli import main


def test_database_url_is_parsed_into_django_settings() -> None:
    db = database_from_url("postgres://me:p%40ss@db.local:6543/clinic")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "clinic", "me", "p@ss", "db.local", "6543",
    )  # fmt: skip
    assert database_from_url("postgresql://postgres@127.0.0.1/postgres")["PORT"] == ""


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACETPATH_PG_PREPARE", raising=False)
    options = database_from_url("postgres://me@db.local/clinic")["OPTIONS"]
    assert options == {"server_side_binding": True, "prepare_threshold": 5}
    monkeypatch.setenv("FACETPATH_PG_PREPARE", "0")
    assert database_from_url("postgres://me@db.local/clinic")["OPTIONS"] == {}


def test_sqlite_runs_the_standard_way_for_concurrent_writers(tmp_path: Path) -> None:
    """WAL (reads go on during a write), IMMEDIATE (writers queue for the lock when they begin) and a busy
    timeout (how long a writer waits in that queue), with connections kept between requests."""
    db = sqlite_database(tmp_path)
    options = db["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"] and db["CONN_MAX_AGE"] > 0


@pytest.mark.parametrize("url", ["mysql://x@y/z", "postgres://host-only", "nonsense"])
def test_unsupported_database_urls_fail_loudly(url: str) -> None:
    with pytest.raises(ValueError, match="DATABASE_URL"):
        database_from_url(url)


def test_the_generated_secret_key_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACETPATH_SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) > 40
    assert secret_key(tmp_path) == first
    assert (tmp_path / "secret-key.txt").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("FACETPATH_SECRET_KEY", "from-env")
    assert secret_key(tmp_path) == "from-env"


def test_env_bool_reads_the_usual_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in (("1", True), ("true", True), ("off", False), ("", False)):
        monkeypatch.setenv("X_FLAG", value)
        assert env_bool("X_FLAG") is expected


def test_unknown_web_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main("launch", []) == 2
    assert "unknown web command" in capsys.readouterr().err


@pytest.mark.django_db
def test_manage_passes_through_to_django(capsys: pytest.CaptureFixture[str]) -> None:
    assert main("manage", ["check"]) == 0
    assert "no issues" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_demo_clinic_has_every_stage_and_loads_twice_the_same() -> None:
    from facetpath.web.demo import load_demo

    clinic = load_demo()
    first = Counter(Patient.objects.filter(clinic=clinic).values_list("stage", flat=True))
    load_demo()
    second = Counter(Patient.objects.filter(clinic=clinic).values_list("stage", flat=True))
    assert first == second
    assert sum(first.values()) >= 30
    wanted = {
        Stage.AWAITING_BLOCK, Stage.DIARY_RUNNING, Stage.READY_FOR_REVIEW, Stage.POSITIVE, Stage.NEGATIVE,
        Stage.DISCORDANT, Stage.SECOND_BLOCK_DUE, Stage.RFA_DUE, Stage.RFA_DONE, Stage.REPEAT_RFA_DUE,
        Stage.NOT_CANDIDATE, Stage.PLANNED,
    }  # fmt: skip
    missing = wanted - set(first) - {Stage.POSITIVE}  # a positive first block shows as "second block due"
    assert not missing
    assert Patient.objects.filter(clinic=clinic, follow_up_due__lt=clinic.today()).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("clinic_hour", [4, 11, 23])
def test_todays_demo_blocks_have_ended_whatever_the_hour(clinic_hour: int) -> None:
    """A reviewer may load the demo at night, clinic time: today's done blocks must lie in the past."""
    import zoneinfo
    from datetime import datetime, time

    import time_machine
    from django.utils import timezone

    from facetpath.procedures.models import Procedure
    from facetpath.web.demo import load_demo

    zone = zoneinfo.ZoneInfo("America/Chicago")  # the demo clinic's
    moment = datetime.combine(timezone.now().astimezone(zone).date(), time(clinic_hour, 5), tzinfo=zone)
    with time_machine.travel(moment, tick=False):  # every clock, not just Django's
        clinic = load_demo()
        done_today = Procedure.objects.filter(patient__clinic=clinic, date=clinic.today(), status="done")
        assert done_today.exists()
        for block in done_today:
            assert block.start_time < block.end_time <= moment.time(), (block.start_time, block.end_time)


@pytest.mark.django_db
def test_the_demo_is_loaded_again_when_the_day_changes_where_the_demo_clinic_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its dates count from today in Chicago (UTC-6 in December), so the server's UTC date must not decide."""
    from datetime import UTC, datetime

    import time_machine

    from facetpath import webcli
    from facetpath.clinics.models import Clinic
    from facetpath.web import demo

    loads = []

    def load_demo() -> Clinic:
        clinic, _created = Clinic.objects.get_or_create(name=demo.DEMO_CLINIC, time_zone="America/Chicago")
        loads.append(clinic)
        return clinic

    monkeypatch.setattr(demo, "load_demo", load_demo)
    for moment, expected_loads in (
        (datetime(2026, 12, 3, 23, 0, tzinfo=UTC), 1),  # 17:00 on 3 December in Chicago: the first load
        (datetime(2026, 12, 4, 5, 59, tzinfo=UTC), 1),  # 23:59 in Chicago, 4 December in UTC: kept
        (datetime(2026, 12, 4, 6, 0, tzinfo=UTC), 2),  # midnight in Chicago: a new demo day, loaded again
        (datetime(2026, 12, 4, 6, 1, tzinfo=UTC), 2),
    ):
        with time_machine.travel(moment, tick=False):
            webcli._load_demo_once(tmp_path)
        assert len(loads) == expected_loads, moment


@pytest.mark.django_db
def test_demo_logins_work_and_the_worklist_is_full() -> None:
    from facetpath.web.demo import DEMO_PASSWORD, load_demo

    load_demo()
    client = Client()
    assert client.post(reverse("login"), {"login": "dr.lee", "password": DEMO_PASSWORD}).status_code == 302
    page = client.get(reverse("worklist")).content.decode()
    for heading in (
        "Today's procedures",
        "Diaries running",
        "ready for review",
        "Second blocks due",
        "Overdue",
    ):
        assert heading in page


def test_pages_carry_a_nonce_csp_and_no_inline_script(client: Client) -> None:
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    assert 'nonce="' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"


def test_healthz_is_open() -> None:
    assert Client().get(reverse("healthz")).content == b"ok"


@pytest.mark.django_db
def test_addstaff_creates_an_account_with_a_role(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.contrib.auth import authenticate
    from django.core.management import CommandError, call_command

    from facetpath.clinics.models import Membership

    monkeypatch.setenv("NEW_PW", "correct-horse-battery")
    call_command("addstaff", "dr.new", clinic="North", role="physician", password_env="NEW_PW")
    assert Membership.objects.get(user__username="dr.new").role == "physician"
    assert authenticate(username="dr.new", password="correct-horse-battery") is not None
    call_command("addstaff", "dr.new", clinic="South", role="nurse", email="dr.new@north.example")
    user = authenticate(username="dr.new", password="correct-horse-battery")  # the password stays
    assert user is not None and user.email == "dr.new@north.example"
    assert Membership.objects.get(user=user, clinic__name="South").role == "nurse"
    monkeypatch.setenv("BAD_PW", "short")
    with pytest.raises(CommandError):
        call_command("addstaff", "dr.bad", clinic="North", role="nurse", password_env="BAD_PW")


@pytest.mark.django_db(transaction=True)
def test_the_demo_runs_the_reminder_worker_beside_the_server_and_stops_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from facetpath import webcli

    started: list[list[str]] = []
    stopped: list[str] = []
    expect_worker = [True]

    class Child:
        def __init__(self, command: list[str]) -> None:
            started.append(command)

        def terminate(self) -> None:
            stopped.append("terminate")

        def wait(self, timeout: float) -> int:
            stopped.append("wait")
            return 0

    def serve(host: str, port: int, workers: int) -> int:
        if expect_worker[0]:
            assert started and started[0][-1] == "worker", "the worker starts before the server"
        return 0

    monkeypatch.setattr(webcli.subprocess, "Popen", Child)
    monkeypatch.setattr(webcli, "_run_granian", serve)
    monkeypatch.setattr(webcli, "_load_demo_once", lambda data_dir: None)
    assert webcli.main("demo", []) == 0
    assert started[0][1:] == ["-m", "facetpath.cli", "worker"] and stopped == ["terminate", "wait"]
    started.clear()
    expect_worker[0] = False
    assert webcli.main("demo", ["--no-worker"]) == 0
    assert started == []
