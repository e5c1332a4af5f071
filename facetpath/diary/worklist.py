"""What the diary offers the staff worklist (listed in facetpath/web/worklist.py): open warning signs and
the week's failed reminders, each one query, with its lines printed by diary/worklist_*.html."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from facetpath.clinics.models import Membership
from facetpath.diary.models import Reminder, WarningReport

PATIENT = "diary__procedure__patient"


def open_warnings(membership: Membership, today: date, limit: int) -> list[WarningReport]:
    """Unacknowledged warning signs of the clinic's patients, oldest first, with their patient."""
    return list(
        WarningReport.objects.filter(
            diary__procedure__patient__clinic_id=membership.clinic_id, acknowledged_at__isnull=True
        )
        .select_related(PATIENT)
        .only(
            "signs",
            "reported_at",
            "email_error",
            "diary__procedure_id",
            *(f"{PATIENT}__{field}" for field in ("family_name", "given_name", "phone")),
        )
        .order_by("reported_at")[: limit + 1]
    )


def failed_reminders(membership: Membership, today: date, limit: int) -> list[Reminder]:
    """The clinic's reminders that failed in the last seven days, newest first."""
    # The week's attempts first (the index on attempted_at), then their clinic: left to choose, the planner
    # walked every patient of the clinic down to their reminders (7 ms at 10,000 patients).
    this_week = Reminder.objects.filter(
        attempted_at__gte=timezone.now() - timedelta(days=7), status=Reminder.Status.FAILED
    ).values("pk")
    return list(
        Reminder.objects.filter(
            pk__in=this_week, slot__diary__procedure__patient__clinic_id=membership.clinic_id
        )
        .select_related(f"slot__{PATIENT}")
        .only(
            "channel",
            "detail",
            "slot__minutes",
            "slot__diary__procedure_id",
            f"slot__{PATIENT}__family_name",
            f"slot__{PATIENT}__given_name",
        )
        .order_by("-attempted_at")[: limit + 1]
    )
