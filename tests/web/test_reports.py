"""The block report PDF, the prior-authorization packet (page, patient page line, PDF) and `facetpath report`.

The figures the tests look for come from the core's own evaluation of the same record, formatted as the
pages format them, so a change in a rule changes what is expected, not the test.
"""

from __future__ import annotations

import io
import re
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db.models import F
from django.urls import reverse
from pypdf import PdfReader
from webfactories import GOOD_DIARY, World, make_assessment, make_block, make_patient

from facetpath.audit.models import AuditEvent
from facetpath.cli import main as facetpath
from facetpath.clinical.coding import icd10_suggestions
from facetpath.clinics.templatetags.facetpath_tags import hours, percent
from facetpath.procedures import interpretation
from facetpath.procedures.models import DiaryScore, FollowUp, Procedure, SignOff
from facetpath.reports.context import packet

LONG_DIARY = ((15, 1), (30, 0), (60, 0), (120, 0), (180, 1), (240, 1), (360, 1), (480, 4))


def pdf_pages(content: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages]


def rfa_ready(world: World, **assessment: Any) -> tuple[Any, list[Procedure]]:
    """A patient with two positive blocks at L4-L5, L5-S1 (lidocaine, then bupivacaine): RFA is next."""
    patient = make_patient(world.clinic, mrn="R-7", given_name="Rita", family_name="Ready")
    make_assessment(patient, date=patient.clinic.today() - timedelta(days=60), **assessment)
    first = make_block(patient, days_ago=40, diary=GOOD_DIARY, end_time=time(9, 20))
    second = make_block(patient, days_ago=20, diary=LONG_DIARY, agent_name="bupivacaine",
                        agent_concentration_percent=0.5, end_time=time(10, 0))  # fmt: skip
    return patient, [first, second]


# --- the block report --------------------------------------------------------------------------------------


def test_page_one_of_the_block_report_carries_every_figure(world: World) -> None:
    block = world.procedure
    block.operator, block.end_time = world.users["physician"], time(9, 40)
    block.save()
    response = world.client_for("physician").get(reverse("report-block", args=[block.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    first = pdf_pages(response.content)[0]
    result = interpretation.evaluate(world.patient).for_procedure(block)
    assert result is not None and result.findings
    expected = [
        "Ada Lovelace", "1 May 1960", "MRN A-1", block.date.strftime("%-d %b %Y"), "L4-L5, L5-S1",
        "both sides", *result.nerves, "Lidocaine 2 %, 0.5 mL per nerve", "Fluoroscopy", "Physician",
        "8/10", percent(result.peak_relief_percent), hours(result.relief_hours), result.response,
        "Meets the policy's criteria", *(f.rule for f in result.findings),
        *("-".join((line.code, *line.modifiers)) for line in result.codes),
        *(code for code, _ in icd10_suggestions(result.procedure.joints)),
        "lidocaine window", "1–3 h",
    ]  # fmt: skip
    missing = [text for text in expected if text not in first]
    assert not missing, (missing, first)


def test_the_diary_follows_at_true_times_with_flags_then_not_signed(world: World) -> None:
    block = world.procedure
    block.end_time = time(23, 30)  # the later answers fall on the next day
    block.save()
    DiaryScore.objects.filter(procedure=block, minutes=30).update(minutes=37, mark="late")
    DiaryScore.objects.create(procedure=block, minutes=100, pain=1, mark="extra")
    pages = pdf_pages(world.client_for("nurse").get(reverse("report-block", args=[block.pk])).content)
    rest = " ".join(pages[1:])
    assert "Diary at true times" in rest and "Diary at true times" not in pages[0]
    next_day = block.date + timedelta(days=1)
    day = f"{next_day.day} {next_day:%b}"  # answers after midnight name their day
    assert "15 min 23:45 2 75 % —" in rest
    assert f"37 min {day} 00:07 1 87.5 % late" in rest
    assert f"1 h 40 min {day} 01:10 1 87.5 % extra (no diary time)" in rest
    assert f"4 h {day} 03:30 8 0 % —" in rest
    assert "Not signed." in rest


def test_a_signed_block_names_who_signed_and_when(world: World) -> None:
    world.client_for("physician").post(reverse("sign-off", args=[world.procedure.pk]), {"comment": "clear"})
    assert SignOff.objects.filter(procedure=world.procedure).exists()
    text = " ".join(
        pdf_pages(
            world.client_for("physician").get(reverse("report-block", args=[world.procedure.pk])).content
        )
    )
    assert "Signed by Physician-A" in text and "Comment: “clear”" in text
    assert "Not signed" not in text


def test_a_block_without_diary_and_a_treatment_report_read_plainly(world: World) -> None:
    client = world.client_for("physician")
    bare = make_block(world.patient, days_ago=1, pre_pain=None)
    text = " ".join(pdf_pages(client.get(reverse("report-block", args=[bare.pk])).content))
    assert "No diary scores: no pain curve." in text and "No diary scores recorded." in text
    assert "Pain before not recorded" in text
    rfa = rfa_done(world.patient, days_ago=60, months=(1,))
    pages = pdf_pages(client.get(reverse("report-block", args=[rfa.pk])).content)
    assert pages[0].startswith("Procedure report") and "64635-50" in pages[0]
    assert "Follow-ups" in " ".join(pages) and "Diary at true times" not in " ".join(pages)


def test_the_reports_are_tagged_archival_pdfs(world: World) -> None:
    content = world.client_for("physician").get(reverse("report-block", args=[world.procedure.pk])).content
    reader = PdfReader(io.BytesIO(content))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part="3"', xmp) and re.search(r'pdfaid:conformance="A"', xmp)
    assert 'pdfuaid:part="1"' in xmp
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/Lang"] == "en" and root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert "/OutputIntents" in root  # sRGB, as PDF/A asks
    assert reader.metadata is not None and reader.metadata.title.startswith("Block report · Ada Lovelace")
    tags = structure(root["/StructTreeRoot"])
    assert {"/H1", "/Table", "/TH", "/Figure"} <= {tag for tag, _ in tags}
    alt = next(text for tag, text in tags if tag == "/Figure")
    assert alt.startswith("Pain curve: 15 min pain 2, 30 min pain 1")  # the curve's text alternative


def structure(node: Any) -> list[tuple[str, str]]:
    """(tag, alternative text) of every element of a tagged PDF's structure tree."""
    node = node.get_object()
    if isinstance(node, list):
        return [found for child in node for found in structure(child)]
    if not isinstance(node, dict):
        return []
    own = [(str(node["/S"]), str(node.get("/Alt", "")))] if "/S" in node else []
    return own + (structure(node["/K"]) if "/K" in node else [])


# --- the prior-authorization packet ------------------------------------------------------------------------


def test_a_complete_record_shows_a_ready_rfa_packet_on_the_patient_page(world: World) -> None:
    patient, _ = rfa_ready(world)
    page = world.client_for("physician").get(reverse("patient", args=[patient.pk])).content.decode()
    assert "RFA packet: every item met" in page
    assert reverse("report-prior-auth-pdf", args=[patient.pk]) in page


def test_a_gap_says_what_is_missing_and_links_where_to_add_it(world: World) -> None:
    patient, _ = rfa_ready(world, disability_instrument="", disability_score=None)
    assessment = patient.assessments.get()
    client = world.client_for("nurse")
    page = client.get(reverse("patient", args=[patient.pk])).content.decode()
    assert "RFA packet: 1 item missing: disability scale at baseline" in page
    assert reverse("assessment-edit", args=[assessment.pk]) in page
    checklist = client.get(reverse("report-prior-auth", args=[patient.pk])).content.decode()
    assert "PA-DISABILITY" in checklist and "a disability scale (e.g. ODI) at baseline" in checklist
    # Once the scale is recorded, the same page says the packet is complete.
    patient.assessments.update(disability_instrument="ODI", disability_score=40)
    assert "RFA packet: every item met" in client.get(reverse("patient", args=[patient.pk])).content.decode()


def plan_rfa(patient: Any) -> Procedure:
    return Procedure.objects.create(
        patient=patient, date=patient.clinic.today() + timedelta(days=10), type="rfa", joints=["L4-L5", "L5-S1"],
        side="bilateral", guidance="fluoroscopy", sedation="none", rfa_technique="thermal", status="planned",
    )  # fmt: skip


def test_a_block_without_its_pre_block_score_links_to_that_block(world: World) -> None:
    patient, (_, second) = rfa_ready(world)
    second.pre_pain = None  # its relief is unknown: the core asks for the diary, not RFA, so RFA is planned
    second.save()
    plan_rfa(patient)
    page = world.client_for("physician").get(reverse("report-prior-auth", args=[patient.pk])).content.decode()
    assert "has no pre-block score" in page
    assert reverse("procedure", args=[second.pk]) + "#diary-h" in page


def test_the_packet_pdf_has_the_checklist_codes_and_each_supporting_block(world: World) -> None:
    patient, blocks = rfa_ready(world, disability_instrument="", disability_score=None)
    response = world.client_for("physician").get(reverse("report-prior-auth-pdf", args=[patient.pk]))
    assert response.status_code == 200
    pages = pdf_pages(response.content)
    assert "Prior-authorization packet: RFA" in pages[0]
    assert "RFA packet: 1 item missing: disability scale at baseline" in pages[0]
    text = " ".join(pages)
    assert "To add: a disability scale (e.g. ODI) at baseline" in text
    assert "64635-50" in text and "64636-50" in text and "M47.816" in text
    assert sum("Diagnostic block report" in page for page in pages) == len(blocks)


def test_a_planned_procedure_is_the_packets_procedure(world: World) -> None:
    patient, _ = rfa_ready(world)
    planned = plan_rfa(patient)
    page = world.client_for("physician").get(reverse("report-prior-auth", args=[patient.pk])).content.decode()
    assert "RFA packet: every item met" in page
    assert "drafted from the next step" not in page
    assert reverse("procedure-edit", args=[planned.pk]) in page


def rfa_done(patient: Any, days_ago: int, months: tuple[int, ...]) -> Procedure:
    rfa = Procedure.objects.create(
        patient=patient, date=patient.clinic.today() - timedelta(days=days_ago), type="rfa",
        joints=["L4-L5", "L5-S1"], side="bilateral", guidance="fluoroscopy", sedation="none",
        rfa_technique="thermal", rfa_temperature_c=80, pre_pain=8, status="done",
    )  # fmt: skip
    for month in months:
        FollowUp.objects.create(procedure=rfa, date=rfa.date + timedelta(days=30 * month), pain=2)
    return rfa


@pytest.mark.parametrize(
    ("days_ago", "months", "expected"),
    [(40, (1,), ""), (230, (1, 3, 5, 7), "repeat RFA packet: every item met")],
    ids=["before a repeat may follow", "once it may"],
)
def test_after_an_rfa_the_packet_is_for_the_repeat_once_it_may_follow(
    world: World, days_ago: int, months: tuple[int, ...], expected: str
) -> None:
    patient, _ = rfa_ready(world)
    Procedure.objects.filter(patient=patient).update(date=F("date") - timedelta(days=300))
    patient.assessments.update(date=F("date") - timedelta(days=300))
    rfa = rfa_done(patient, days_ago, months)
    found = packet(patient)
    assert found.summary == expected, found.problems
    if expected:
        assert (found.planned.type, found.planned.date) == ("rfa", patient.clinic.today())
        sustained = next(line for line in found.lines if line.item.id == "PA-SUSTAINED")
        assert sustained.links[0].url == reverse("procedure", args=[rfa.pk]) + "#fu-h"
    else:
        assert "follow up" in found.problems[0]


def test_no_packet_before_a_procedure_can_be_drafted(world: World) -> None:
    patient = make_patient(world.clinic, mrn="N-1")
    make_assessment(patient)
    client = world.client_for("physician")
    assert "Prior authorization" not in client.get(reverse("patient", args=[patient.pk])).content.decode()
    page = client.get(reverse("report-prior-auth", args=[patient.pk])).content.decode()
    assert "No procedure to authorize" in page


# --- access, audit ------------------------------------------------------------------------------------------

REPORT_URLS = [
    ("report-block", "procedure"),
    ("report-prior-auth", "patient"),
    ("report-prior-auth-pdf", "patient"),
]


def _url(world: World, name: str, kind: str) -> str:
    return reverse(name, args=[world.procedure.pk if kind == "procedure" else world.patient.pk])


@pytest.mark.parametrize(("name", "kind"), REPORT_URLS)
def test_only_clinical_staff_of_the_clinic_read_reports(world: World, name: str, kind: str) -> None:
    url = _url(world, name, kind)
    statuses = {who: world.client_for(who).get(url).status_code for who in
                ("physician", "nurse", "frontdesk", "admin", "other-clinic", "anonymous")}  # fmt: skip
    assert statuses == {
        "physician": 200, "nurse": 200, "frontdesk": 403, "admin": 403, "other-clinic": 404, "anonymous": 302,
    }  # fmt: skip


@pytest.mark.parametrize("name", ["report-block", "report-prior-auth", "report-prior-auth-pdf"])
def test_an_unknown_id_is_not_found(world: World, name: str) -> None:
    assert world.client_for("physician").get(reverse(name, args=[999999])).status_code == 404


def test_each_report_download_is_audited(world: World) -> None:
    client = world.client_for("physician")
    client.get(reverse("report-block", args=[world.procedure.pk]))
    client.get(reverse("report-prior-auth-pdf", args=[world.patient.pk]))
    events = AuditEvent.objects.filter(username="physician-a", action="export").order_by("id")
    assert [(e.object_type, e.object_id, e.patient_id, e.detail) for e in events] == [
        ("procedure", str(world.procedure.pk), world.patient.pk, "block report PDF"),
        ("patient", str(world.patient.pk), world.patient.pk, "prior-authorization packet PDF"),
    ]


# --- the web result page --------------------------------------------------------------------------------------


def test_the_result_page_shows_code_labels_icd10_and_the_report_link(world: World) -> None:
    page = world.client_for("nurse").get(reverse("procedure", args=[world.procedure.pk])).content.decode()
    assert "facet injection, lumbar/sacral, imaging-guided: first level" in page
    assert "M47.816" in page and "spondylosis, lumbosacral" in page
    assert reverse("report-block", args=[world.procedure.pk]) in page


# --- the command line ----------------------------------------------------------------------------------------


def test_the_cli_writes_a_block_report_and_audits_it(world: World, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "block.pdf"
    assert facetpath(["report", "block", str(world.procedure.pk), "--out", str(out)]) == 0
    assert "Ada Lovelace" in pdf_pages(out.read_bytes())[0]
    assert out.stat().st_mode & 0o777 == 0o600
    event = AuditEvent.objects.get(action="export", object_type="procedure")
    assert event.username.startswith("command line (") and event.clinic_id == world.clinic.pk
    assert event.path == f"facetpath report block {world.procedure.pk} --out {out}"
    assert "Wrote the block report of Ada Lovelace" in capsys.readouterr().out


def test_the_cli_writes_a_packet_with_the_gap(world: World, tmp_path: Path, capsys: Any) -> None:
    patient, _ = rfa_ready(world, disability_instrument="", disability_score=None)
    out = tmp_path / "packet.pdf"
    assert facetpath(["report", "prior-auth", str(patient.pk), "--out", str(out)]) == 0
    assert "1 item missing: disability scale at baseline" in pdf_pages(out.read_bytes())[0]
    assert "RFA packet: 1 item missing" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "block", "999999"], "PROCEDURE_ID: no procedure 999999"),
        (["report", "prior-auth", "999999"], "PATIENT_ID: no patient 999999"),
        (["report", "block", "abc"], "'abc' is not a record id"),
        (["report", "block", "0"], "'0' is not a record id"),
    ],
)
def test_the_cli_refuses_a_bad_id_with_exit_2(
    world: World, tmp_path: Path, capsys: Any, argv: list[str], message: str
) -> None:
    out = tmp_path / "x.pdf"
    try:
        status = facetpath([*argv, "--out", str(out)])
    except SystemExit as exit:  # argparse's own refusal of the argument
        status = int(exit.code or 0)
    assert status == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_the_cli_names_an_unwritable_file_and_a_patient_without_packet(
    world: World, tmp_path: Path, capsys: Any
) -> None:
    missing_dir = tmp_path / "nowhere" / "x.pdf"
    assert facetpath(["report", "block", str(world.procedure.pk), "--out", str(missing_dir)]) == 2
    assert f"--out {missing_dir}: cannot write" in capsys.readouterr().err
    patient = make_patient(world.clinic, mrn="N-2")
    make_assessment(patient)
    assert facetpath(["report", "prior-auth", str(patient.pk), "--out", str(tmp_path / "p.pdf")]) == 2
    assert "no packet for" in capsys.readouterr().err
    assert not AuditEvent.objects.filter(username__startswith="command line").exists()


# --- the demo -------------------------------------------------------------------------------------------------


def test_the_demo_has_a_complete_rfa_packet_and_one_with_a_gap(db: None) -> None:
    from facetpath.patients.models import Patient, Stage
    from facetpath.web.demo import load_demo

    clinic = load_demo()
    summaries = [packet(p).summary for p in Patient.objects.filter(clinic=clinic, stage=Stage.RFA_DUE)]
    assert "RFA packet: every item met" in summaries
    assert "RFA packet: 1 item missing: disability scale at baseline" in summaries
