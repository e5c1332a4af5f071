"""The only way views fetch protected objects: scoped to the signed-in user's current clinic.

Each helper answers 404 for an object of another clinic (checked first, so nobody learns whether it
exists) and 403 when the user's role in this clinic lacks the capability. Written one condition per line so tests cover each branch.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from facetpath.clinics.models import Membership
from facetpath.clinics.roles import Capability
from facetpath.diary.models import WarningReport
from facetpath.patients.models import Assessment, Patient
from facetpath.procedures.models import Procedure
from facetpath.public.models import ContactRequest

SESSION_KEY = "clinic_id"
MAX_ID = 2**63 - 1  # larger numbers cannot be a row id, and SQLite refuses to compare with them


def as_id(value: object) -> int | None:
    """A database id from a URL or form value, or None for anything that cannot be one."""
    text = str(value)
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member. LoginRequiredMiddleware guarantees one on every staff view."""
    assert isinstance(request.user, User), "staff views run behind LoginRequiredMiddleware"
    return request.user


def row_id(value: object) -> int:
    """A row id from a URL or form value; 404 for anything that cannot be one."""
    number = as_id(value)
    if number is None:
        raise Http404("No such record.")
    return number


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership for the clinic chosen in this session, else the user's first; cached per request."""
    if hasattr(request, "membership"):
        return request.membership  # type: ignore[no-any-return]
    membership, others = None, []
    user = getattr(request, "user", None)  # absent when an error page renders before the middleware ran
    if user is not None and user.is_authenticated:
        # All of the account's clinics in one query: the header offers the others to switch to.
        memberships = list(
            Membership.objects.select_related("clinic").filter(user=user).order_by("clinic__name", "id")
        )
        chosen = request.session.get(SESSION_KEY)
        membership = next((m for m in memberships if m.clinic_id == chosen), None) if chosen else None
        membership = membership or (memberships[0] if memberships else None)
        others = [m for m in memberships if m is not membership]
    request.membership = membership  # type: ignore[attr-defined]
    request.other_memberships = others  # type: ignore[attr-defined]
    return membership


def member(request: HttpRequest) -> Membership:
    """The current membership; PermissionDenied for an account that belongs to no clinic."""
    membership = current_membership(request)
    if membership is None:
        raise PermissionDenied("You are not a member of any clinic.")
    return membership


def require(request: HttpRequest, capability: str) -> Membership:
    """The current membership if its role grants `capability`; PermissionDenied otherwise."""
    membership = member(request)
    if not membership.can(capability):
        raise PermissionDenied(f"Your role ({membership.get_role_display()}) cannot do this.")
    return membership


def clinic_patients(request: HttpRequest, need: str = Capability.VIEW_PATIENTS) -> QuerySet[Patient]:
    membership = require(request, need)
    return Patient.objects.filter(clinic=membership.clinic)


def access_patient(request: HttpRequest, patient_id: int, need: str = Capability.VIEW_PATIENTS) -> Patient:
    membership = member(request)
    patient = Patient.objects.filter(pk=row_id(patient_id), clinic=membership.clinic).first()
    if patient is None:
        raise Http404("No such patient in this clinic.")
    require(request, need)
    patient.clinic = membership.clinic  # the same row: saves a query wherever the page needs the clinic
    return patient


def access_assessment(
    request: HttpRequest, assessment_id: int, need: str = Capability.VIEW_CLINICAL
) -> Assessment:
    membership = member(request)
    assessment = (
        Assessment.objects.select_related("patient")
        .filter(pk=row_id(assessment_id), patient__clinic=membership.clinic)
        .first()
    )
    if assessment is None:
        raise Http404("No such assessment in this clinic.")
    require(request, need)
    assessment.patient.clinic = membership.clinic
    return assessment


def access_procedure(
    request: HttpRequest, procedure_id: int, need: str = Capability.VIEW_CLINICAL
) -> Procedure:
    membership = member(request)
    procedure = (
        Procedure.objects.select_related("patient", "operator")
        .filter(pk=row_id(procedure_id), patient__clinic=membership.clinic)
        .first()
    )
    if procedure is None:
        raise Http404("No such procedure in this clinic.")
    require(request, need)
    procedure.patient.clinic = membership.clinic
    return procedure


def clinic_staff(request: HttpRequest) -> QuerySet[Membership]:
    membership = require(request, Capability.VIEW_PATIENTS)
    return Membership.objects.select_related("user").filter(clinic=membership.clinic)


def clinic_requests(
    request: HttpRequest, need: str = Capability.EDIT_DEMOGRAPHICS
) -> QuerySet[ContactRequest]:
    """Appointment requests and questions sent to the current clinic from its public site."""
    membership = require(request, need)
    return ContactRequest.objects.filter(clinic=membership.clinic)


def access_warning_report(
    request: HttpRequest, warning_id: int, need: str = Capability.EDIT_CLINICAL
) -> WarningReport:
    """A warning sign a patient reported through a diary link of this clinic."""
    membership = member(request)
    report = (
        WarningReport.objects.select_related("diary__procedure__patient")
        .filter(pk=row_id(warning_id), diary__procedure__patient__clinic=membership.clinic)
        .first()
    )
    if report is None:
        raise Http404("No such warning in this clinic.")
    require(request, need)
    return report


def access_contact_request(
    request: HttpRequest, request_id: int, need: str = Capability.EDIT_DEMOGRAPHICS
) -> ContactRequest:
    membership = member(request)
    item = (
        ContactRequest.objects.select_related("status_by", "patient")
        .filter(pk=row_id(request_id), clinic=membership.clinic)
        .first()
    )
    if item is None:
        raise Http404("No such request in this clinic.")
    require(request, need)
    item.clinic = membership.clinic
    return item
