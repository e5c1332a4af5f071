"""The front-desk queue's reading of the 24-hour promise, shared by the queue page and the worklist."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import DateTimeField, IntegerField
from django.utils import timezone

from facetpath.prepared import Param, Prepared
from facetpath.public.models import DUE_SOON_WINDOW, ContactRequest
from facetpath.web.worklist import WORKLIST_LIMIT

if TYPE_CHECKING:
    from facetpath.clinics.models import Membership


DUE_BY = Prepared(
    lambda: (
        ContactRequest.objects.filter(clinic_id=Param("clinic", IntegerField()))
        .due_by(Param("moment", DateTimeField()))
        .order_by("created_at", "id")
        .values("pk", "status", "created_at", "family_name", "given_name", "phone")[: WORKLIST_LIMIT + 1]
    )
)


def overdue_and_due_soon(membership: Membership, today: date) -> list[ContactRequest]:
    """Open requests past the promise or inside its last hours, oldest first; one query."""
    now = timezone.now()
    found = [
        ContactRequest(**row) for row in DUE_BY(clinic=membership.clinic_id, moment=now + DUE_SOON_WINDOW)
    ]
    for item in found:
        item.state = item.timeliness(now)  # type: ignore[attr-defined]
    return found
