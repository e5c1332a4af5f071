"""How views reach procedures: only those of the current clinic's patients (facetpath.clinics.access)."""

from __future__ import annotations

from django.http import HttpRequest

from facetpath.clinics.access import in_clinic
from facetpath.clinics.roles import Capability
from facetpath.procedures.models import Procedure


def access_procedure(
    request: HttpRequest, procedure_id: object, need: str = Capability.VIEW_CLINICAL
) -> Procedure:
    queryset = Procedure.objects.select_related("patient", "operator")
    procedure, membership = in_clinic(
        request, queryset, procedure_id, "patient__clinic_id", need, "procedure"
    )
    procedure.patient.clinic = membership.clinic
    return procedure
