"""Every write to a patient's demographics, audited in its transaction. Views parse the form, call one of
these, and render. An assessment changes the pathway stage, so its write lives with the stage, in
`facetpath.procedures.actions.save_assessment`."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from facetpath.audit.log import audit
from facetpath.patients.forms import PatientForm
from facetpath.patients.models import Patient


def create_patient(request: HttpRequest, form: PatientForm) -> Patient:
    with transaction.atomic():
        patient = form.save()
        audit(request, "create", patient, patient)
    return patient


def update_patient(request: HttpRequest, patient: Patient, form: PatientForm) -> Patient:
    with transaction.atomic():
        form.save()
        audit(request, "update", patient, patient, detail=", ".join(form.changed_data))
    return patient
