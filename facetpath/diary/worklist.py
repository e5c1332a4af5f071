"""The diary's worklist sections (registered in apps.py); each loads with one prepared query."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import DateTimeField, IntegerField
from django.utils import timezone

from facetpath.diary.models import Reminder, WarningReport
from facetpath.prepared import Param, Prepared
from facetpath.web.worklist import WORKLIST_LIMIT, Row, full_name, url_for

CLINIC = Param("clinic", IntegerField())
PATIENT = "diary__procedure__patient__"

OPEN_WARNINGS = Prepared(
    lambda: (
        WarningReport.objects.filter(
            diary__procedure__patient__clinic_id=CLINIC, acknowledged_at__isnull=True
        )
        .order_by("reported_at")
        .values(
            "signs",
            "reported_at",
            "diary__procedure_id",
            *(PATIENT + f for f in ("family_name", "given_name", "phone")),
        )[: WORKLIST_LIMIT + 1]
    )
)
# The week's attempts first (the index on attempted_at), then their clinic: left to choose, the planner
# walked every patient of the clinic down to their reminders (7 ms at 10,000 patients).
FAILED_REMINDERS = Prepared(
    lambda: (
        Reminder.objects.filter(
            pk__in=Reminder.objects.filter(
                attempted_at__gte=Param("since", DateTimeField()), status=Reminder.Status.FAILED
            ).values("pk"),
            slot__diary__procedure__patient__clinic_id=CLINIC,
        )
        .order_by("-attempted_at")
        .values(
            "channel",
            "detail",
            "slot__minutes",
            "slot__diary__procedure_id",
            "slot__" + PATIENT + "family_name",
            "slot__" + PATIENT + "given_name",
        )[: WORKLIST_LIMIT + 1]
    )
)


def open_warnings(membership: Any, today: date) -> list[Row]:
    rows = []
    for found in OPEN_WARNINGS(clinic=membership.clinic_id):
        report = WarningReport(signs=found["signs"])  # for its labels and red-flag rule, not saved
        reported = timezone.localtime(found["reported_at"])
        rows.append(
            Row(
                url_for("diary-staff", found["diary__procedure_id"]),
                full_name(found[PATIENT + "family_name"], found[PATIENT + "given_name"]),
                f"{', '.join(report.sign_labels())} · {reported.day} {reported:%b %H:%M}",
                tone="deny",
                phone=found[PATIENT + "phone"],
                badge="red flag" if report.red_flag else "",
                badge_tone="negative",
            )
        )
    return rows


def failed_reminders(membership: Any, today: date) -> list[Row]:
    channels = dict(Reminder.Channel.choices)
    found = FAILED_REMINDERS(clinic=membership.clinic_id, since=timezone.now() - timedelta(days=7))
    return [
        Row(
            url_for("diary-staff", r["slot__diary__procedure_id"]),
            full_name(r["slot__" + PATIENT + "family_name"], r["slot__" + PATIENT + "given_name"]),
            f"{channels.get(r['channel'], r['channel'])} for {r['slot__minutes']} min — {r['detail']}",
            tone="warn",
        )
        for r in found
    ]
