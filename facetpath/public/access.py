"""How the front desk reaches requests sent from the public site: only the current clinic's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from facetpath.clinics.access import in_clinic, require
from facetpath.clinics.roles import Capability
from facetpath.public.models import ContactRequest


def clinic_requests(
    request: HttpRequest, need: str = Capability.EDIT_DEMOGRAPHICS
) -> QuerySet[ContactRequest]:
    """Appointment requests and questions sent to the current clinic from its public site."""
    membership = require(request, need)
    return ContactRequest.objects.filter(clinic=membership.clinic)


def access_contact_request(
    request: HttpRequest, request_id: object, need: str = Capability.EDIT_DEMOGRAPHICS
) -> ContactRequest:
    queryset = ContactRequest.objects.select_related("status_by", "patient")
    item, membership = in_clinic(request, queryset, request_id, "clinic_id", need, "request")
    item.clinic = membership.clinic
    return item
