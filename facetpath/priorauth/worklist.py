"""What prior authorization offers the staff worklist (listed in facetpath/web/worklist.py): requests waiting
too long for their decision, UTNs about to expire, and planned procedures that need a UTN without a valid one.

The limits come from the core (facetpath.clinical.prior_auth: decision_days, utn_valid_days,
utn_expiry_warning_days) as date bounds, so each section is one indexed query (the last one two), whatever
the clinic's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from facetpath.clinical.prior_auth import (
    COVERING_DECISIONS,
    PRIOR_AUTH_PLACES,
    PROGRAMME_PAYERS,
    days_left,
    days_waiting,
    expiring_if_decided_between,
    overdue_if_sent_before,
)
from facetpath.clinics.models import Membership
from facetpath.priorauth.models import Request
from facetpath.priorauth.status import covering_request, needs_utn
from facetpath.procedures.models import Procedure

PATIENT_FIELDS = ("patient__family_name", "patient__given_name", "patient__phone")
COVERAGE_FIELDS = ("patient__coverage__payer", "patient__coverage__place_of_service")
PLANNED_FIELDS = ("date", "type", "intent", "joints", "side", "patient_id", *PATIENT_FIELDS, *COVERAGE_FIELDS)


@dataclass(frozen=True)
class Line:
    request: Request
    days: int  # waiting, or left


def waiting_too_long(membership: Membership, today: date, limit: int) -> list[Line]:
    """Requests still waiting for their decision more than decision_days after they were sent, oldest first."""
    found = (
        Request.objects.filter(
            clinic_id=membership.clinic_id,
            state=Request.State.WAITING,
            sent_on__lt=overdue_if_sent_before(today),
        )
        .select_related("patient")
        .only("sent_on", "date_of_service", "patient_id", *PATIENT_FIELDS)
        .order_by("sent_on", "id")[: limit + 1]
    )
    return [Line(r, days_waiting(r.sent_on, today)) for r in found]


def utns_expiring(membership: Membership, today: date, limit: int) -> list[Line]:
    """Affirmed UTNs whose last valid day is within the warning days, for a date of service still ahead."""
    earliest, latest = expiring_if_decided_between(today)
    found = (
        Request.objects.filter(
            clinic_id=membership.clinic_id,
            state__in=sorted(COVERING_DECISIONS),
            decided_on__range=(earliest, latest),
            date_of_service__gte=today,
        )
        .select_related("patient")
        .only("decided_on", "utn", "date_of_service", "patient_id", *PATIENT_FIELDS)
        .order_by("decided_on", "id")[: limit + 1]
    )
    return [Line(r, days_left(r.decided_on, today)) for r in found if r.decided_on is not None]


def needing_utn(membership: Membership, today: date, limit: int) -> list[Procedure]:
    """Planned procedures from today on whose patient's coverage and codes need a UTN and that no affirmed
    request covers. Two queries: the programme's patients' planned procedures (few: the coming weeks'
    lists), then those patients' decided requests; the codes come from the core's plan."""
    planned = list(
        Procedure.objects.filter(
            patient__clinic_id=membership.clinic_id,
            status=Procedure.Status.PLANNED,
            date__gte=today,
            patient__coverage__payer__in=sorted(PROGRAMME_PAYERS),
            patient__coverage__place_of_service__in=sorted(PRIOR_AUTH_PLACES),
        )
        .select_related("patient", "patient__coverage")
        .only(*PLANNED_FIELDS)
        .order_by("date", "id")
    )
    decided: dict[int, list[Request]] = {}
    for request in Request.objects.filter(
        clinic_id=membership.clinic_id,
        patient_id__in={p.patient_id for p in planned},
        state__in=sorted(COVERING_DECISIONS),
    ).only("patient_id", "procedure_id", "date_of_service", "state", "decided_on"):
        decided.setdefault(request.patient_id, []).append(request)
    missing: list[Procedure] = []
    for procedure in planned:
        covered = covering_request(procedure, decided.get(procedure.patient_id, []))
        if covered is None and needs_utn(procedure, procedure.patient.coverage):
            missing.append(procedure)
            if len(missing) > limit:
                break
    return missing
