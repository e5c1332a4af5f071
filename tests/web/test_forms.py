"""Bad input never gives a 500: forms name the field, keep what was valid, and save nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from webfactories import World

from facetpath.patients.models import Assessment, Patient
from facetpath.procedures.forms import DiaryForm
from facetpath.procedures.models import Procedure

ASSESSMENT = {
    "date": "2026-01-10", "region": "lumbar", "pain_duration_months": "6", "axial_predominant": "on",
    "pain_scale": "NRS-11", "baseline_pain": "7", "bleeding_disorder": "none", "pregnancy": "no",
    "anaesthetic_allergy": "none", "index_pain": "keep this text",
}  # fmt: skip
PROCEDURE = {
    "date": "2026-02-01", "status": "done", "type": "mbb", "intent": "diagnostic", "joints": ["L4-L5"],
    "side": "left", "guidance": "fluoroscopy", "sedation": "none", "agent_name": "lidocaine",
    "agent_concentration_percent": "2", "agent_volume_ml_per_nerve": "0.5", "pre_pain": "7", "notes": "kept",
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"baseline_pain": "11"}, "Baseline pain: Must be between 0 and 10"),
        ({"baseline_pain": "abc"}, "Baseline pain: Enter a whole number"),
        ({"date": "2026-13-45"}, "Date: Enter a valid date"),
        ({"region": "sacral"}, "Region: Select a valid choice"),
        ({"fused_joints": "L6-S1"}, "is not a facet joint"),
        ({"disability_instrument": "ODI"}, "Disability score: Enter the score"),
        ({"disability_instrument": "ODI", "disability_score": "140"}, "ODI is a percentage"),
        ({"care_0_modality": "yoga"}, "Give both the treatment"),
        ({"antithrombotics": ["unobtainium"]}, "Select a valid choice"),
    ],
)
def test_assessment_rejects_bad_input_by_field(world: World, change: dict[str, object], message: str) -> None:
    before = Assessment.objects.count()
    response = world.client_for("nurse").post(
        reverse("assessment-new", args=[world.patient.pk]), {**ASSESSMENT, **change}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "keep this text" in page
    assert Assessment.objects.count() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"joints": ["L6-S1"]}, "Select a valid choice"),
        ({"joints": []}, "This field is required"),
        ({"pre_pain": "12"}, "Pain just before: Must be between 0 and 10"),
        ({"agent_name": ""}, "required for type mbb"),
        ({"intent": ""}, "Choose diagnostic or therapeutic"),
        ({"agent_volume_ml_per_nerve": "-1"}, "Volume per nerve (mL)"),
        ({"start_time": "25:99"}, "Start time: Enter a valid time"),
    ],
)
def test_procedure_rejects_bad_input_by_field(world: World, change: dict[str, object], message: str) -> None:
    before = Procedure.objects.count()
    response = world.client_for("physician").post(
        reverse("procedure-new", args=[world.patient.pk]), {**PROCEDURE, **change}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page, page[page.find("errors") : page.find("errors") + 1500]
    assert "kept" in page
    assert Procedure.objects.count() == before


def test_procedure_preview_never_fails_on_garbage(world: World) -> None:
    client = world.client_for("physician")
    for data in ({}, {"joints": ["nonsense"]}, {"type": "rfa", "joints": ["L4-L5"], "side": "up"}, PROCEDURE):
        response = client.post(reverse("procedure-preview", args=[world.patient.pk]), data)
        assert response.status_code == 200


def test_procedure_preview_shows_nerves_codes_and_findings(world: World) -> None:
    response = world.client_for("physician").post(
        reverse("procedure-preview", args=[world.patient.pk]), {**PROCEDURE, "joints": ["L4-L5", "L5-S1"]}
    )
    page = response.content.decode()
    assert "L3 medial branch" in page
    assert "L5 dorsal ramus" in page
    assert "64493" in page
    assert "MCD-" in page


def test_assessment_preview_shows_gate_and_contraindications(world: World) -> None:
    response = world.client_for("nurse").post(
        reverse("assessment-preview", args=[world.patient.pk]),
        {
            **ASSESSMENT,
            "pain_duration_months": "1",
            "pregnancy": "possible",
            "antithrombotics": ["clopidogrel"],
        },
    )
    page = response.content.decode()
    assert "Does not pass patient selection" in page
    assert "MCD-GATE-DURATION" in page
    assert "SAFE-PREGNANCY" in page
    assert "SAFE-ANTITHROMBOTIC" in page
    assert "clopidogrel" in page


def test_assessment_preview_lists_what_is_missing(world: World) -> None:
    response = world.client_for("nurse").post(reverse("assessment-preview", args=[world.patient.pk]), {})
    assert response.status_code == 200
    assert "Complete these" in response.content.decode()


def test_duplicate_mrn_in_the_same_clinic_is_refused_but_allowed_elsewhere(world: World) -> None:
    data = {"mrn": "A-1", "given_name": "X", "family_name": "Y", "sex": "unknown", "preferred_language": "en"}
    response = world.client_for("frontdesk").post(reverse("patient-new"), data)
    assert "already has this MRN" in response.content.decode()
    world.client_for("other-clinic").post(reverse("patient-new"), data)
    assert Patient.objects.filter(mrn="A-1").count() == 2


def test_diary_rejects_out_of_scale_scores(world: World) -> None:
    response = world.client_for("nurse").post(
        reverse("diary-save", args=[world.procedure.pk]), {"at_15": "11"}
    )
    assert response.status_code == 422
    assert "less than or equal to 10" in response.content.decode()
    assert world.procedure.diary_scores.get(minutes=15).pain == 2


def test_follow_up_before_the_procedure_is_refused(world: World) -> None:
    response = world.client_for("nurse").post(
        reverse("follow-up-add", args=[world.procedure.pk]), {"date": "2000-01-01", "pain": "3"}
    )
    assert response.status_code == 422
    assert "on or after the procedure date" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/staff/patients/999999/", "/staff/procedures/abc/", "/nowhere/", "/staff/procedures/999999/curve.svg"],
)
def test_unknown_addresses_are_a_plain_404(world: World, path: str) -> None:
    response = world.client_for("physician").get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


def test_a_crash_shows_the_plain_error_page(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.test import Client

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("facetpath.web.patients.clinic_patients", broken)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["nurse"])
    response = client.get(reverse("patients"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "boom" not in response.content.decode()


def test_a_blank_assessment_form_shows_empty_lists_as_empty(world: World) -> None:
    page = world.client_for("nurse").get(reverse("assessment-new", args=[world.patient.pk])).content.decode()
    assert 'value="[]"' not in page


def test_a_disallowed_host_gets_the_plain_400_page(world: World) -> None:
    from django.test import Client

    client = Client(HTTP_HOST="evil.example")
    client.force_login(world.users["nurse"])
    response = client.get(reverse("worklist"))
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()


def test_procedure_preview_screens_the_plan_for_safety(world: World) -> None:
    world.assessment.fused_joints = ["L5-S1"]
    world.assessment.implanted_device = "scs"
    world.assessment.save()
    response = world.client_for("physician").post(
        reverse("procedure-preview", args=[world.patient.pk]),
        {**PROCEDURE, "type": "rfa", "intent": "", "agent_name": "", "joints": ["L4-L5", "L5-S1"]},
    )
    page = response.content.decode()
    assert "SAFE-FUSION" in page
    assert "Prior fusion at L5-S1" in page
    assert "SAFE-DEVICE-RFA" in page


def test_the_diary_sheet_names_each_time_in_hours_and_minutes() -> None:
    """A diary's morning answer lands at an odd minute (1210 = 20 h 10 min), never as 20.1667 h."""
    form = DiaryForm(scale_max=10, signed=False, existing={90: 3, 1210: 4, 2650: 2})
    labels = {name: str(field.label) for name, field in form.fields.items() if name.startswith("at_")}
    assert labels["at_15"] == "15 min" and labels["at_60"] == "1 h" and labels["at_120"] == "2 h"
    assert labels["at_90"] == "1 h 30 min" and labels["at_1210"] == "20 h 10 min"
    assert labels["at_2650"] == "44 h 10 min"
