"""Every write to a patient's record: demographics and assessments, each audited in its transaction.

Views parse the form, call one of these, and render."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from facetpath.audit.log import audit
from facetpath.patients.forms import AssessmentForm, PatientForm
from facetpath.patients.models import Assessment, Patient
from facetpath.procedures.stage import refresh_stage


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


def save_assessment(request: HttpRequest, patient: Patient, form: AssessmentForm, by: User) -> Assessment:
    """Saves the assessment (stamping a stop override with who made it) and the stage it leads to."""
    with transaction.atomic():
        creating = form.instance.pk is None
        saved = form.save(commit=False)
        if creating:
            saved.created_by = by
        overridden = "stop_override_reason" in form.changed_data
        if overridden:
            _stamp_override(saved, by)
        saved.save()
        audit(request, "create" if creating else "update", saved, patient)
        if overridden:
            audit(request, "override", saved, patient, detail=saved.stop_override_reason or "cleared")
        refresh_stage(patient)
    return saved


def _stamp_override(assessment: Assessment, by: User) -> None:
    """Who overrode the stop and when (or nobody, when the reason was cleared)."""
    reason = assessment.stop_override_reason.strip()
    assessment.stop_override_reason = reason
    assessment.stop_override_by = by if reason else None
    assessment.stop_override_at = timezone.now() if reason else None
