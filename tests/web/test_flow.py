"""The pathway through the app: patient → assessment → block → diary → decision → sign-off → amendment."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from webfactories import GOOD_DIARY, World, make_block

from facetpath.audit.models import AuditEvent
from facetpath.patients.models import Patient, Stage
from facetpath.procedures.models import Amendment, Procedure, SignOff


def test_it_takes_a_new_patient_to_a_signed_first_block(world: World) -> None:
    client = world.client_for("physician")
    created = client.post(
        reverse("patient-new"),
        {
            "mrn": "N-9",
            "given_name": "Nia",
            "family_name": "Okafor",
            "sex": "female",
            "preferred_language": "es",
        },
    )
    patient = Patient.objects.get(mrn="N-9")
    assert created["Location"] == reverse("patient", args=[patient.pk])
    assert patient.clinic == world.clinic
    assert patient.stage == Stage.NEW

    client.post(
        reverse("assessment-new", args=[patient.pk]),
        {
            "date": (world.clinic.today() - timedelta(days=30)).isoformat(), "region": "lumbar", "pain_duration_months": "9",
            "axial_predominant": "on", "pain_scale": "NRS-11", "baseline_pain": "8", "bleeding_disorder": "none",
            "pregnancy": "no", "anaesthetic_allergy": "none", "care_0_modality": "physical therapy",
            "care_0_weeks": "10", "care_0_failed": "on", "disability_instrument": "ODI", "disability_score": "40",
        },
    )  # fmt: skip
    patient.refresh_from_db()
    assert patient.stage == Stage.AWAITING_BLOCK

    block_day = world.clinic.today() - timedelta(days=3)
    response = client.post(
        reverse("procedure-new", args=[patient.pk]),
        {
            "date": block_day.isoformat(), "status": "done", "type": "mbb", "intent": "diagnostic",
            "joints": ["L4-L5", "L5-S1"], "side": "bilateral", "guidance": "fluoroscopy", "sedation": "none",
            "agent_name": "lidocaine", "agent_concentration_percent": "2", "agent_volume_ml_per_nerve": "0.5",
            "pre_pain": "8",
        },
    )  # fmt: skip
    block = Procedure.objects.get(patient=patient)
    assert response["Location"] == reverse("procedure", args=[block.pk])

    client.post(reverse("diary-save", args=[block.pk]), {f"at_{m}": str(p) for m, p in GOOD_DIARY})
    assert block.diary_scores.count() == len(GOOD_DIARY)
    patient.refresh_from_db()
    assert patient.stage == Stage.READY_FOR_REVIEW

    page = client.get(reverse("procedure", args=[block.pk])).content.decode()
    assert "positive" in page
    assert "87.5 %" in page  # peak relief from the core: (8 - 1) / 8
    assert "MCD-" in page  # findings carry the policy's rule IDs

    client.post(reverse("sign-off", args=[block.pk]), {"comment": "Clear response."})
    sign_off = SignOff.objects.get(procedure=block)
    assert sign_off.policy_name == "medicare-lcd"
    assert sign_off.policy_version
    assert sign_off.interpretation["response"] == "positive"
    assert sign_off.evaluation["format"] == "facetpath.evaluation/1"
    assert sign_off.case["format"] == "facetpath.case/1"
    patient.refresh_from_db()
    assert patient.stage == Stage.SECOND_BLOCK_DUE

    actions = set(AuditEvent.objects.filter(patient=patient).values_list("action", flat=True))
    assert {"create", "view", "update", "sign"} <= actions


def test_changing_a_signed_diary_needs_a_reason_and_keeps_the_signed_version(world: World) -> None:
    client = world.client_for("physician")
    block = world.procedure
    client.post(reverse("sign-off", args=[block.pk]))
    frozen = SignOff.objects.get(procedure=block).interpretation

    refused = client.post(reverse("diary-save", args=[block.pk]), {"at_15": "8", "at_30": "8", "at_60": "8"})
    assert refused.status_code == 422
    assert "say why" in refused.content.decode()
    assert block.diary_scores.get(minutes=15).pain == 2

    client.post(
        reverse("diary-save", args=[block.pk]),
        {
            "at_15": "8",
            "at_30": "8",
            "at_60": "8",
            "at_120": "8",
            "at_180": "8",
            "at_240": "8",
            "amendment_reason": "x",
        },
    )
    amendment = Amendment.objects.get(procedure=block)
    assert amendment.author == world.users["physician"]
    assert amendment.reason == "x"
    assert amendment.changes["diary 15 min"] == [2, 8]
    assert SignOff.objects.get(procedure=block).interpretation == frozen
    page = client.get(reverse("procedure", args=[block.pk])).content.decode()
    assert "changed since sign-off" in page
    assert "“x”" in page


def test_editing_a_signed_procedure_records_an_amendment(world: World) -> None:
    client = world.client_for("physician")
    block = world.procedure
    client.post(reverse("sign-off", args=[block.pk]))
    data = {
        "date": block.date.isoformat(), "status": "done", "type": "mbb", "intent": "diagnostic",
        "joints": ["L4-L5", "L5-S1"], "side": "bilateral", "guidance": "fluoroscopy", "sedation": "none",
        "agent_name": "lidocaine", "agent_concentration_percent": "2", "agent_volume_ml_per_nerve": "0.5",
        "pre_pain": "7", "notes": "pre-pain corrected",
    }  # fmt: skip
    refused = client.post(reverse("procedure-edit", args=[block.pk]), data)
    assert refused.status_code == 200
    assert "say why you are changing it" in refused.content.decode()
    client.post(reverse("procedure-edit", args=[block.pk]), {**data, "amendment_reason": "typo in pre-pain"})
    amendment = Amendment.objects.get(procedure=block)
    assert amendment.changes["pre_pain"] == [8, 7]
    assert AuditEvent.objects.filter(action="amend", object_id=str(block.pk)).exists()


def test_nurses_cannot_sign_and_undone_blocks_cannot_be_signed(world: World) -> None:
    assert world.client_for("nurse").post(reverse("sign-off", args=[world.procedure.pk])).status_code == 403
    planned = make_block(world.patient, days_ago=-3, status="planned", pre_pain=None)
    client = world.client_for("physician")
    client.post(reverse("sign-off", args=[planned.pk]))
    assert not SignOff.objects.filter(procedure=planned).exists()


def test_cancelled_procedures_are_left_out_of_the_case(world: World) -> None:
    from facetpath.procedures.interpretation import build_case

    make_block(world.patient, days_ago=1, status="cancelled")
    case = build_case(world.patient, world.assessment)
    assert case is not None
    assert [p["id"] for p in case["procedures"]] == [world.procedure.case_id]


def test_the_pain_curve_is_an_svg_with_its_window(world: World) -> None:
    response = world.client_for("nurse").get(reverse("pain-curve", args=[world.procedure.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:500]
    assert "expected lidocaine window" in svg
    assert "80 % relief" in svg


def test_every_patient_read_is_audited_with_who_and_where(world: World) -> None:
    client = world.client_for("nurse")
    before = AuditEvent.objects.count()
    client.get(reverse("patient", args=[world.patient.pk]), REMOTE_ADDR="10.0.0.7")
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None
    assert (event.username, event.action, event.patient, event.ip) == (
        "nurse-a",
        "view",
        world.patient,
        "10.0.0.7",
    )
    assert event.clinic == world.clinic


def test_a_physician_overrides_a_pregnancy_stop_with_a_reason(world: World) -> None:
    from facetpath.patients.models import Assessment

    data = {
        "date": world.clinic.today().isoformat(), "region": "lumbar", "pain_duration_months": "6",
        "axial_predominant": "on", "pain_scale": "NRS-11", "baseline_pain": "7", "bleeding_disorder": "none",
        "pregnancy": "possible",
        "anaesthetic_allergy": "none", "care_0_modality": "physical therapy", "care_0_weeks": "8",
    }  # fmt: skip
    nurse_form = (
        world.client_for("nurse").get(reverse("assessment-new", args=[world.patient.pk])).content.decode()
    )
    assert "stop_override_reason" not in nurse_form
    world.client_for("nurse").post(
        reverse("assessment-new", args=[world.patient.pk]), {**data, "stop_override_reason": "sneaked in"}
    )
    nurse_saved = Assessment.objects.order_by("-id").first()
    assert nurse_saved is not None
    assert nurse_saved.stop_override_reason == ""
    page = world.client_for("physician").get(reverse("patient", args=[world.patient.pk])).content.decode()
    assert "a physician must override" in page

    client = world.client_for("physician")
    client.post(
        reverse("assessment-edit", args=[nurse_saved.pk]),
        {**data, "stop_override_reason": "negative pregnancy test today"},
    )
    nurse_saved.refresh_from_db()
    assert nurse_saved.stop_override_by == world.users["physician"]
    assert nurse_saved.stop_override_at is not None
    page = client.get(reverse("patient", args=[world.patient.pk])).content.decode()
    assert "Stop overridden by" in page
    assert "negative pregnancy test today" in page
    assert AuditEvent.objects.filter(action="override", detail="negative pregnancy test today").exists()


def test_reading_the_audit_trail_is_itself_audited(world: World) -> None:
    client = world.client_for("admin")
    assert client.get(reverse("audit")).status_code == 200
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and (event.username, event.action, event.detail) == (
        "admin-a",
        "view",
        "audit trail page 1",
    )


def test_a_second_positive_block_signed_off_leads_to_rfa_and_the_rfa_to_follow_up(world: World) -> None:
    from webfactories import make_assessment, make_patient

    client = world.client_for("physician")
    patient = make_patient(world.clinic, mrn="R-2", family_name="Rask")
    make_assessment(patient)
    first = make_block(patient, days_ago=20, diary=GOOD_DIARY)
    client.post(reverse("sign-off", args=[first.pk]), {"comment": ""})
    patient.refresh_from_db()
    assert patient.stage == Stage.SECOND_BLOCK_DUE

    block = {
        "status": "done", "type": "mbb", "intent": "diagnostic", "joints": ["L4-L5", "L5-S1"],
        "side": "bilateral", "guidance": "fluoroscopy", "sedation": "none", "agent_name": "lidocaine",
        "agent_concentration_percent": "2", "agent_volume_ml_per_nerve": "0.5", "pre_pain": "8",
    }  # fmt: skip
    day = (world.clinic.today() - timedelta(days=3)).isoformat()
    client.post(reverse("procedure-new", args=[patient.pk]), {**block, "date": day})
    second = Procedure.objects.filter(patient=patient).exclude(pk=first.pk).get()
    client.post(reverse("diary-save", args=[second.pk]), {f"at_{m}": str(p) for m, p in GOOD_DIARY})
    client.post(reverse("sign-off", args=[second.pk]), {"comment": "Concordant second block."})
    patient.refresh_from_db()
    assert patient.stage == Stage.RFA_DUE and "RFA" in patient.next_step
    assert SignOff.objects.get(procedure=second).interpretation["meets_criteria"] is True
    worklist = client.get(reverse("worklist")).content.decode()
    rfa_section = worklist[worklist.index('id="rfa-h"') : worklist.index('id="overdue-h"')]
    assert "Rask" in rfa_section

    rfa = {
        **block,
        "type": "rfa",
        "intent": "therapeutic",
        "rfa_technique": "thermal",
        "rfa_temperature_c": "80",
    }
    today = world.clinic.today()
    client.post(reverse("procedure-new", args=[patient.pk]), {**rfa, "date": today.isoformat()})
    patient.refresh_from_db()
    assert patient.stage == Stage.RFA_DONE and patient.follow_up_due == today + timedelta(days=90)
