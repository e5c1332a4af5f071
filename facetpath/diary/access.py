"""How staff views reach what patients sent through diary links: only the current clinic's."""

from __future__ import annotations

from django.http import HttpRequest

from facetpath.clinics.access import in_clinic
from facetpath.clinics.roles import Capability
from facetpath.diary.models import WarningReport


def access_warning_report(
    request: HttpRequest, warning_id: object, need: str = Capability.EDIT_CLINICAL
) -> WarningReport:
    """A warning sign a patient reported through a diary link of this clinic."""
    queryset = WarningReport.objects.select_related("diary__procedure__patient")
    path = "diary__procedure__patient__clinic_id"
    return in_clinic(request, queryset, warning_id, path, need, "warning")[0]
