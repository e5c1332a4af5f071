"""The diary's worklist sections (registered in apps.py); each loads with one query."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from facetpath.diary.models import Reminder, WarningReport
from facetpath.web.worklist import WORKLIST_LIMIT


def open_warnings(membership: Any, today: date) -> list[WarningReport]:
    return list(
        WarningReport.objects.filter(
            diary__procedure__patient__clinic=membership.clinic, acknowledged_at__isnull=True
        )
        .select_related("diary__procedure__patient")
        .order_by("reported_at")[: WORKLIST_LIMIT + 1]
    )


def failed_reminders(membership: Any, today: date) -> list[Reminder]:
    since = timezone.now() - timedelta(days=7)
    return list(
        Reminder.objects.filter(
            slot__diary__procedure__patient__clinic=membership.clinic,
            status=Reminder.Status.FAILED,
            attempted_at__gte=since,
        )
        .select_related("slot__diary__procedure__patient")
        .order_by("-attempted_at")[: WORKLIST_LIMIT + 1]
    )
