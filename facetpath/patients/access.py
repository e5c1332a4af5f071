"""How views reach patients and assessments: only those of the current clinic (facetpath.clinics.access)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from facetpath.clinics.access import in_clinic, require
from facetpath.clinics.roles import Capability
from facetpath.patients.models import Assessment, Patient


def clinic_patients(request: HttpRequest, need: str = Capability.VIEW_PATIENTS) -> QuerySet[Patient]:
    membership = require(request, need)
    return Patient.objects.filter(clinic=membership.clinic)


def access_patient(request: HttpRequest, patient_id: object, need: str = Capability.VIEW_PATIENTS) -> Patient:
    patient, membership = in_clinic(request, Patient.objects.all(), patient_id, "clinic_id", need, "patient")
    patient.clinic = membership.clinic  # the same row: saves a query wherever the page needs the clinic
    return patient


def access_assessment(
    request: HttpRequest, assessment_id: object, need: str = Capability.VIEW_CLINICAL
) -> Assessment:
    queryset = Assessment.objects.select_related("patient")
    assessment, membership = in_clinic(
        request, queryset, assessment_id, "patient__clinic_id", need, "assessment"
    )
    assessment.patient.clinic = membership.clinic
    return assessment
