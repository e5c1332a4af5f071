"""The blocks CSV (web and `facetpath report blocks`): one row per procedure done in the range, read with the
csv module, cells that a spreadsheet would run guarded, bad dates named, queries per row constant."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from webfactories import GOOD_DIARY, World, make_assessment, make_block, make_patient

from facetpath import reportcli
from facetpath.audit.models import AuditEvent
from facetpath.clinics.spreadsheet import cell
from facetpath.priorauth.export import COLUMNS
from facetpath.procedures.models import SignOff


def download(world: World, start: str, end: str, who: str = "physician") -> list[dict[str, str]]:
    response = world.client_for(who).get(reverse("block-export"), {"date_from": start, "date_to": end})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeff")  # Excel reads UTF-8 with it
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def span(world: World, days_back: int = 60) -> tuple[str, str]:
    today = world.clinic.today()
    return str(today - timedelta(days=days_back)), str(today)


def test_one_row_per_block_with_its_response_decision_codes_and_sign_off(world: World) -> None:
    second = make_block(world.patient, days_ago=1, diary=GOOD_DIARY, agent_name="bupivacaine")
    make_block(world.patient, days_ago=0, status="planned", pre_pain=None)  # not done: no row
    make_block(world.patient, days_ago=90, diary=GOOD_DIARY)  # before the range: no row
    SignOff.objects.create(
        procedure=world.procedure, signed_by=world.users["physician"], policy_name="medicare-lcd",
        policy_version="1", interpretation={}, evaluation={}, case={},
    )  # fmt: skip
    rows = download(world, *span(world))
    assert list(rows[0]) == list(COLUMNS)
    assert [row["date"] for row in rows] == [str(world.procedure.date), str(second.date)]
    first = rows[0]
    assert first["patient"] == "Lovelace, Ada" and first["MRN"] == "A-1"
    assert first["joints"] == "L4-L5 L5-S1" and first["side"] == "Both sides"
    assert first["response"] == "positive" and first["decision"] == "meets criteria"
    assert first["CPT codes"].startswith("64493") and "64494" in first["CPT codes"]
    assert first["signed by"] == "Physician-A" and first["signed at (UTC)"]
    assert rows[1]["signed by"] == "not signed"
    assert first["policy"].startswith("medicare-lcd ")


def test_the_interpretation_is_the_patient_pages(world: World) -> None:
    from facetpath.procedures import interpretation

    rows = download(world, *span(world))
    result = interpretation.evaluate(world.patient).for_procedure(world.procedure)
    assert rows[0]["response"] == result.response
    assert rows[0]["CPT codes"] == " ".join(str(line) for line in result.codes)


def test_cells_a_spreadsheet_would_run_are_guarded(world: World) -> None:
    world.patient.family_name = '=HYPERLINK("http://x","click")'
    world.patient.given_name = "@SUM(1)"
    world.patient.mrn = "+1-555"
    world.patient.save()
    row = download(world, *span(world))[0]
    assert row["patient"] == '\'=HYPERLINK("http://x","click"), @SUM(1)'
    assert row["MRN"] == "'+1-555"
    assert [cell(v) for v in ("-12.5", "-1+1", "\t=1", "plain")] == ["-12.5", "'-1+1", "'\t=1", "plain"]


def test_a_patient_without_a_complete_assessment_still_has_a_row(world: World) -> None:
    patient = make_patient(world.clinic, mrn="N-1", family_name="Noassess")
    make_block(patient, days_ago=2, diary=GOOD_DIARY)
    rows = download(world, *span(world))
    row = next(r for r in rows if r["MRN"] == "N-1")
    assert row["decision"] == "not evaluated: no complete assessment"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-02-30", "date_to": "2026-03-01"}, "From: Enter a valid date."),
        ({"date_from": "2026-03-01", "date_to": ""}, "To: This field is required."),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "To: must be on or after the From date"),
        ({"date_from": "\u0661\u0662", "date_to": "99999-1-1"}, "From: Enter a valid date."),
    ],
)
def test_bad_dates_name_their_field(world: World, query: dict[str, str], message: str) -> None:
    response = world.client_for("nurse").get(reverse("block-export"), query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_export_is_audited_and_scoped_to_the_clinic(world: World) -> None:
    make_assessment(world.other_patient)
    make_block(world.other_patient, days_ago=1, diary=GOOD_DIARY)
    rows = download(world, *span(world), who="nurse")
    assert {row["MRN"] for row in rows} == {"A-1"}
    event = AuditEvent.objects.filter(action="export").get()
    assert event.clinic_id == world.clinic.pk and event.detail.startswith("blocks CSV ")


def test_queries_per_row_stay_constant(world: World) -> None:
    def add(start: int, count: int) -> None:
        for i in range(start, start + count):
            patient = make_patient(world.clinic, mrn=f"E-{i}", family_name=f"Export{i}")
            make_assessment(patient)
            for day in (3, 20):
                block = make_block(patient, days_ago=day, diary=GOOD_DIARY)
                SignOff.objects.create(
                    procedure=block, signed_by=world.users["physician"], policy_name="p", policy_version="1",
                    interpretation={}, evaluation={}, case={},
                )  # fmt: skip

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = download(world, *span(world))
        return len(captured), len(rows)

    add(0, 2)
    count()  # the first request of a session and the clinic's first audit row cost their own queries
    few, rows_few = count()
    add(100, 10)
    many, rows_many = count()
    assert (rows_few, rows_many) == (5, 25)
    assert many == few


# --- facetpath report blocks -------------------------------------------------------------------------------


def test_the_command_writes_the_same_csv(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start, end = span(world)
    out = tmp_path / "blocks.csv"
    argv = ["blocks", "--from", start, "--to", end, "--out", str(out), "--clinic", str(world.clinic.pk)]
    assert reportcli.main("report", argv) == 0
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["MRN"] for row in rows] == ["A-1"]
    assert "1 procedures" in capsys.readouterr().out
    assert AuditEvent.objects.filter(
        action="export", username__startswith="command line (", clinic=world.clinic
    ).exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["blocks", "--from", "2026-02-30", "--to", "2026-03-01"], "--from: '2026-02-30' is not a date"),
        (["blocks", "--from", "2026-03-01", "--to", "tomorrow"], "--to: 'tomorrow' is not a date"),
        (["blocks", "--from", "2026-03-02", "--to", "2026-03-01"], "--to: 2026-03-01 is before --from"),
        (
            ["blocks", "--from", "2026-03-01", "--to", "2026-03-02", "--clinic", "nowhere"],
            "--clinic: no clinic",
        ),
        (["blocks", "--from", "2026-03-01", "--to", "2026-03-02"], "--clinic: the database has 2 clinics"),
        (["nothing"], "KIND: 'nothing' is not one of block, blocks, prior-auth"),
        ([], "KIND: nothing is not one of"),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    out = ["--out", str(tmp_path / "x.csv")] if argv and argv[0] == "blocks" else []
    assert reportcli.main("report", argv + out) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_the_command_names_a_clinic_by_id_and_refuses_an_unwritable_file(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["blocks", "--from", "2026-01-01", "--to", "2026-12-31", "--clinic", str(world.clinic.pk)]
    assert reportcli.main("report", [*argv, "--out", str(tmp_path / "no" / "dir.csv")]) == 2
    assert "--out: cannot write" in capsys.readouterr().err


def test_the_top_level_command_dispatches_report(world: World, tmp_path: Path) -> None:
    from facetpath import cli

    assert cli.main(["report", "blocks", "--from", "x", "--to", "y", "--out", str(tmp_path / "a.csv")]) == 2


def test_rows_keep_their_date_order_across_chunks(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from facetpath.priorauth import export

    for i in range(3):
        patient = make_patient(world.clinic, mrn=f"C-{i}", family_name=f"Chunk{i}")
        make_assessment(patient)
        make_block(patient, days_ago=5 + i, diary=GOOD_DIARY)
    whole = download(world, *span(world))
    monkeypatch.setattr(export, "CHUNK", 2)
    chunked = download(world, *span(world))
    assert chunked == whole and len(whole) == 4
    assert [r["date"] for r in whole] == sorted(r["date"] for r in whole)
