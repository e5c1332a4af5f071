"""How views reach prior-authorization records: only those of the current clinic (facetpath.clinics.access).

Prior authorization is paperwork with the payer: the roles that register patients and keep their details
(front desk, nurses, physicians) record and read it; the clinic admin does not (docs/prior-auth.md).
"""

from __future__ import annotations

from django.http import HttpRequest

from facetpath.clinics.access import in_clinic
from facetpath.clinics.roles import Capability
from facetpath.patients.access import access_patient
from facetpath.patients.models import Patient
from facetpath.priorauth.models import Request

PRIOR_AUTH = Capability.EDIT_DEMOGRAPHICS  # who records and reads prior authorizations
BLOCK_EXPORT = Capability.VIEW_CLINICAL  # the CSV carries responses and decisions


def access_pa_patient(request: HttpRequest, patient_id: object) -> Patient:
    return access_patient(request, patient_id, PRIOR_AUTH)


def access_request(request: HttpRequest, request_id: object) -> Request:
    queryset = Request.objects.select_related("patient", "procedure")
    found, membership = in_clinic(
        request, queryset, request_id, "clinic_id", PRIOR_AUTH, "prior authorization"
    )
    found.patient.clinic = membership.clinic
    return found
