"""Background tasks of the procedures app, run by `facetpath worker`."""

from __future__ import annotations

from django.tasks import task

from facetpath.patients.models import Patient
from facetpath.procedures.interpretation import refresh_stage


@task
def refresh_patient_stage(patient_id: int) -> str:
    """Recomputes a stage that a diary answer left stale; a page may have done it first."""
    patient = Patient.objects.select_related("clinic").filter(pk=patient_id).first()
    if patient is None or not patient.stage_stale:
        return "already fresh"
    refresh_stage(patient)
    return patient.stage
