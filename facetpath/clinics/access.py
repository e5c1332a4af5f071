"""The clinic-scoped access every app stands on: the current membership, the role check, and `in_clinic`,
the one generic fetch that each app's own access helpers (patients/access.py, procedures/access.py,
diary/access.py, public/access.py) call.

Each helper answers 404 for an object of another clinic (checked first, so nobody learns whether it
exists) and 403 when the user's role in this clinic lacks the capability. Written one condition per line so tests cover each branch.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from facetpath.clinics.models import Membership
from facetpath.clinics.roles import Capability

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


def in_clinic[M: Model](
    request: HttpRequest, queryset: QuerySet[M], pk: object, clinic_path: str, need: str, what: str
) -> tuple[M, Membership]:
    """The row `pk` of `queryset` if it belongs to the current clinic (`clinic_path` leads from the row to its
    clinic), else 404 — checked before the role, so nobody learns whether another clinic's row exists —
    then 403 when the role lacks `need`. Every app's access helpers stand on this one."""
    membership = member(request)
    found = queryset.filter(pk=row_id(pk), **{clinic_path: membership.clinic_id}).first()
    if found is None:
        raise Http404(f"No such {what} in this clinic.")
    require(request, need)
    return found, membership


def clinic_staff(request: HttpRequest) -> QuerySet[Membership]:
    membership = require(request, Capability.VIEW_PATIENTS)
    return Membership.objects.select_related("user").filter(clinic=membership.clinic)
