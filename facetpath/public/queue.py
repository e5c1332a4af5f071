"""The front-desk queue's reading of the 24-hour promise, as the worklist shows it (listed in
facetpath/web/worklist.py, printed by public/worklist_requests.html)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from facetpath.clinics.models import Membership
from facetpath.public.models import DUE_SOON_WINDOW, ContactRequest


def overdue_and_due_soon(membership: Membership, today: date, limit: int) -> list[ContactRequest]:
    """Open requests past the promise or inside its last hours, oldest first (at most `limit + 1`); one
    query."""
    now = timezone.now()
    found = list(
        ContactRequest.objects.filter(clinic_id=membership.clinic_id)
        .due_by(now + DUE_SOON_WINDOW)
        .order_by("created_at", "id")
        .only("status", "created_at", "family_name", "given_name", "phone")[: limit + 1]
    )
    for item in found:
        item.state = item.timeliness(now)  # type: ignore[attr-defined]
    return found
