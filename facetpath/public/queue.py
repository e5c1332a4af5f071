"""The front-desk queue's reading of the 24-hour promise, shared by the queue page and the worklist."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

from facetpath.public.models import DUE_SOON_WINDOW, ContactRequest
from facetpath.web.worklist import WORKLIST_LIMIT

if TYPE_CHECKING:
    from facetpath.clinics.models import Membership


def overdue_and_due_soon(membership: Membership, today: date) -> list[ContactRequest]:
    """Open requests past the promise or inside its last hours, oldest first; one query."""
    now = timezone.now()
    found = list(
        ContactRequest.objects.filter(clinic=membership.clinic)
        .due_by(now + DUE_SOON_WINDOW)
        .order_by("created_at", "id")[: WORKLIST_LIMIT + 1]
    )
    for item in found:
        item.state = item.timeliness(now)  # type: ignore[attr-defined]
    return found
