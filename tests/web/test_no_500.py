"""No input gives a server error: every form field of every POST view gets hostile values, one at a time."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from webfactories import World

from facetpath.patients.forms import AssessmentForm, PatientForm
from facetpath.procedures.forms import ProcedureForm

HOSTILE = [
    "",
    "abc",
    "-1",
    "1e309",
    "99999999999999999999999",
    "\x00",
    "x" * 5000,
    "<script>",
    "2026-02-30",
    "١٢",
]


def fields_of(form_class: type, **kwargs: object) -> list[str]:
    return list(form_class(**kwargs).fields)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_never_give_500(world: World, value: str) -> None:
    client = Client(raise_request_exception=True)
    client.force_login(world.users["physician"])
    patient, procedure = world.patient, world.procedure
    targets = [
        (reverse("patient-new"), PatientForm.Meta.fields),
        (reverse("assessment-new", args=[patient.pk]), [*AssessmentForm.Meta.fields, "care_0_weeks"]),
        (reverse("assessment-preview", args=[patient.pk]), AssessmentForm.Meta.fields),
        (reverse("procedure-new", args=[patient.pk]), [*ProcedureForm.Meta.fields, "procedure_id"]),
        (reverse("procedure-preview", args=[patient.pk]), [*ProcedureForm.Meta.fields, "procedure_id"]),
        (reverse("procedure-edit", args=[procedure.pk]), ProcedureForm.Meta.fields),
        (reverse("diary-save", args=[procedure.pk]), ["at_15", "at_30", "extra_minutes", "extra_pain"]),
        (reverse("follow-up-add", args=[procedure.pk]), ["date", "pain", "disability_score"]),
        (reverse("sign-off", args=[procedure.pk]), ["comment"]),
        (reverse("switch-clinic"), ["clinic"]),
    ]
    for url, fields in targets:
        for field in fields:
            response = client.post(url, {field: value})
            assert response.status_code < 500, (url, field)
    for url in (reverse("patients") + "?q=", reverse("patients") + "?stage=", reverse("audit") + "?page="):
        assert client.get(url + value[:100].replace("\x00", "%00")).status_code < 500


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_sign_in_and_reset_values_never_give_500(world: World, value: str) -> None:
    client = Client(raise_request_exception=True)
    for url, fields in [
        (reverse("login"), ["login", "password"]),
        (reverse("password_reset"), ["email"]),
    ]:
        for field in fields:
            response = client.post(
                url, {"login": "nurse-a", "password": "x", "email": "a@b.example", field: value}
            )
            assert response.status_code < 500, (url, field)
    assert client.get("/password-reset/" + "x" * 40 + "/set-password/").status_code < 500
