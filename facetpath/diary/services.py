"""The diary's machinery: the schedule, binding an answer to a time, and reminder delivery.

The writes staff and patients make are `facetpath.diary.actions`; no clinical rule lives here
(interpretation is `facetpath.clinical`'s).
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from facetpath.diary.models import (
    DAY,
    WARNING_SIGN_LABELS,
    Diary,
    DiarySettings,
    Entry,
    Reminder,
    Slot,
    WarningReport,
)
from facetpath.diary.transports import DeliveryError, send_email, sms_transport
from facetpath.procedures.models import Procedure

log = logging.getLogger(__name__)
UTC = zoneinfo.ZoneInfo("UTC")
# A reminder more than this late is not worth sending: the next slot's reminder follows.
STALE_AFTER = timedelta(hours=2)
# A queued reminder this long past its time lost its task (each worker pass runs the tasks due).
LOST_AFTER = timedelta(minutes=5)
# A phone clock may drift; an entry time further in the future than this is replaced by the server's.
CLOCK_SKEW = timedelta(minutes=10)


# --- Schedule -----------------------------------------------------------------------------------------


def procedure_end(procedure: Procedure) -> datetime:
    """The procedure's end as an aware UTC time, read in the clinic's zone (start or midday when unknown)."""
    zone = zoneinfo.ZoneInfo(procedure.patient.clinic.time_zone)
    clock = procedure.end_time or procedure.start_time or time(12, 0)
    return datetime.combine(procedure.date, clock, tzinfo=zone).astimezone(UTC)


def plan_slots(
    kind: str, end: datetime, zone: zoneinfo.ZoneInfo, rules: DiarySettings
) -> list[tuple[int, datetime]]:
    """(minutes after the end, due time in UTC) for each slot.

    Minute offsets are elapsed time (the anaesthetic does not care about clocks); day offsets fall at the
    clinic's morning hour on the local calendar day, so a daylight-saving change moves their minutes, not
    their hour.
    """
    planned: dict[int, datetime] = {}
    if kind == Diary.Kind.DIAGNOSTIC:
        for minutes in rules.diagnostic_minutes:
            planned[int(minutes)] = end + timedelta(minutes=int(minutes))
        days = rules.diagnostic_days
    else:
        days = rules.follow_up_days
    local_day = end.astimezone(zone).date()
    for day in days:
        due = datetime.combine(local_day + timedelta(days=int(day)), time(rules.morning_hour), tzinfo=zone)
        due_utc = due.astimezone(UTC)
        minutes = round((due_utc - end).total_seconds() / 60)
        if minutes > 0:
            planned.setdefault(minutes, due_utc)
    return sorted(planned.items())


def schedule_days(kind: str, rules: DiarySettings) -> int:
    days = rules.diagnostic_days if kind == Diary.Kind.DIAGNOSTIC else rules.follow_up_days
    return max([int(d) for d in days] or [0])


def skip_queued(diary: Diary, why: str) -> None:
    Reminder.objects.filter(slot__diary=diary, status=Reminder.Status.QUEUED).update(
        status=Reminder.Status.SKIPPED, detail=why
    )


def open_slots(diary: Diary) -> list[Slot]:
    return list(diary.slots.filter(cancelled=False, entry__isnull=True).order_by("due_at"))


# --- Entries ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryData:
    idempotency_key: str
    pain: int
    relief_percent: int | None
    movements: dict[str, str]
    took_pain_medicine: bool | None
    note: str
    entered_at: datetime | None  # the phone's time of the entry (offline entries are sent later)
    confirmed_early: bool = False  # the patient said "answer now anyway" to an answer before their time


class AnswerTooEarly(Exception):
    """An answer well before the next open time, not yet confirmed: nothing was kept. `slot` is that time."""

    def __init__(self, slot: Slot, at: datetime) -> None:
        super().__init__("answer before the next open time")
        self.slot, self.at = slot, at


def entry_time(diary: Diary, claimed: datetime | None, now: datetime) -> datetime:
    """The entry's true time: the phone's, unless it is in the future or before the procedure ended."""
    if claimed is None or claimed > now + CLOCK_SKEW or claimed < diary.starts_at - timedelta(hours=1):
        return now
    return min(claimed, now)


def nearest_open_slot(diary: Diary, at: datetime, candidates: list[Slot] | None = None) -> Slot | None:
    chosen = open_slots(diary) if candidates is None else candidates
    return min(chosen, key=lambda slot: abs(slot.due_at - at), default=None)


def binding_message(entry: Entry) -> str:
    """What the patient is told about which time their answer counted for."""
    if entry.slot is None or entry.minutes_from_slot is None:
        return _(
            "Saved at %(time)s. It is kept at the time you answered; it does not replace a diary time."
        ) % {"time": entry.entered_at.astimezone(entry.diary.zone).strftime("%H:%M")}
    when = slot_label(entry.slot)
    off = entry.minutes_from_slot
    if abs(off) <= 5:
        return _("Saved for %(when)s.") % {"when": when}
    if off < 0:
        return _("Saved for %(when)s. You answered %(n)s minutes early; that is fine.") % {
            "when": when,
            "n": -off,
        }
    return _("Saved for %(when)s. You answered %(n)s minutes late; that is fine.") % {"when": when, "n": off}


def slot_label(slot: Slot) -> str:
    minutes = slot.minutes
    if minutes < 60:
        return _("%(n)s minutes after") % {"n": minutes}
    if minutes < DAY and minutes % 60 == 0:
        hours = minutes // 60
        return _("1 hour after") if hours == 1 else _("%(n)s hours after") % {"n": hours}
    if minutes < DAY:
        return _("%(h)s h %(m)s min after") % {"h": minutes // 60, "m": minutes % 60}
    local = slot.due_at.astimezone(slot.diary.zone)
    return _("morning of %(date)s") % {"date": date_format(local, "j M")}


# --- Warning signs ------------------------------------------------------------------------------------


NO_ON_CALL_ADDRESS = "no on-call address set"


def email_on_call(report: WarningReport) -> None:
    clinic = report.diary.procedure.patient.clinic
    # Only the clinic's on-call clinician: the clinic's general address is the front desk's, whose role
    # cannot open the linked page. Without one the report stays on the worklist, marked as not e-mailed.
    address = DiarySettings.for_clinic(clinic).on_call_email
    if not address:
        report.email_error = NO_ON_CALL_ADDRESS
        report.save(update_fields=["email_error"])
        return
    procedure = report.diary.procedure
    # No name or identifier in the e-mail: staff open the record in the workspace.
    labels = WARNING_SIGN_LABELS
    body = "\n".join(
        [
            "A patient reported warning signs in their pain diary.",
            "",
            *[f"- {labels.get(sign, sign)}" for sign in report.signs],
            "",
            f"Reported {timezone.localtime(report.reported_at, zoneinfo.ZoneInfo(clinic.time_zone)):%Y-%m-%d %H:%M %Z}.",
            f"Open (physician or nurse sign-in): {public_url(reverse('diary-staff', args=[procedure.pk]))}",
            "Call the patient now.",
        ]
    )
    subject = "URGENT: diary warning sign" if report.red_flag else "Diary warning sign"
    with translation.override("en"):
        try:
            send_email(address, subject, body)
            report.emailed_to = address
        except DeliveryError as error:
            report.email_error = str(error)[:300]
    report.save(update_fields=["emailed_to", "email_error"])


# --- Reminders ----------------------------------------------------------------------------------------


def schedule_reminders(diary: Diary, slots: list[Slot] | None = None) -> list[Reminder]:
    """A reminder per slot and allowed channel, out of quiet hours, each queued for the worker."""
    patient = diary.procedure.patient
    rules = DiarySettings.for_clinic(patient.clinic)
    channels = []
    if rules.reminders_by_sms and patient.sms_consent and patient.phone:
        channels.append(Reminder.Channel.SMS)
    if rules.reminders_by_email and patient.email_consent and patient.email:
        channels.append(Reminder.Channel.EMAIL)
    if diary.reminders_opted_out_at is not None or not channels:
        return []
    now = timezone.now()
    chosen = slots if slots is not None else list(diary.slots.filter(cancelled=False))
    reminders = [
        Reminder(slot=slot, channel=channel, send_after=rules.after_quiet_hours(slot.due_at, diary.zone))
        for slot in chosen
        if slot.due_at + STALE_AFTER > now
        for channel in channels
    ]
    Reminder.objects.bulk_create(reminders)
    created = list(
        Reminder.objects.filter(slot__in=[r.slot for r in reminders], status=Reminder.Status.QUEUED)
    )

    def enqueue_all() -> None:
        for reminder in created:
            _enqueue(reminder)

    transaction.on_commit(enqueue_all)
    return created


def _enqueue(reminder: Reminder) -> None:
    from facetpath.diary.tasks import send_reminder

    send_reminder.using(run_after=reminder.send_after).enqueue(reminder.pk)


def _why_not_send(reminder: Reminder, now: datetime) -> str:
    """Empty when the reminder should go now; otherwise the reason, kept in the send log."""
    slot, diary = reminder.slot, reminder.slot.diary
    patient = diary.procedure.patient
    checks = [
        (diary.status != Diary.Status.ACTIVE, f"diary {diary.get_status_display().lower()}"),
        (not diary.link_usable, "link revoked or expired"),
        (diary.reminders_opted_out_at is not None, "patient asked for no reminders"),
        (slot.cancelled, "time removed by staff"),
        (Entry.objects.filter(slot=slot).exists(), "already answered"),
        (now > slot.due_at + STALE_AFTER, "too late to be useful"),
        (reminder.channel == Reminder.Channel.SMS and not (patient.sms_consent and patient.phone), "no SMS consent or number"),
        (reminder.channel == Reminder.Channel.EMAIL and not (patient.email_consent and patient.email), "no e-mail consent or address"),
    ]  # fmt: skip
    return next((why for failed, why in checks if failed), "")


def deliver_reminder(reminder_id: int, now: datetime | None = None) -> str:
    """Re-checks, then sends one reminder. Returns its final status. Safe to run twice."""
    now = now or timezone.now()
    # Claim it with a conditional update: a second worker (or a duplicate task) finds 0 rows and stops.
    claimed = Reminder.objects.filter(
        pk=reminder_id, status=Reminder.Status.QUEUED, send_after__lte=now
    ).update(status=Reminder.Status.SENDING, attempted_at=now)
    if not claimed:
        return "not due"
    reminder = Reminder.objects.select_related("slot__diary__procedure__patient__clinic").get(pk=reminder_id)
    diary = reminder.slot.diary
    rules = DiarySettings.for_clinic(diary.procedure.patient.clinic)
    reason = _why_not_send(reminder, now)
    if reason:
        return _finish(reminder, Reminder.Status.SKIPPED, reason)
    later = rules.after_quiet_hours(now, diary.zone)
    if later > now:
        # Quiet hours began after it was scheduled (settings changed): wait for the morning.
        reminder.status, reminder.send_after, reminder.detail = (
            Reminder.Status.QUEUED,
            later,
            "waiting out quiet hours",
        )
        reminder.save(update_fields=["status", "send_after", "detail"])
        transaction.on_commit(lambda: _enqueue(reminder))
        return "deferred"
    patient = diary.procedure.patient
    with translation.override(patient.preferred_language):
        text = reminder_text(reminder)
        try:
            if reminder.channel == Reminder.Channel.SMS:
                receipt = sms_transport().send(patient.phone, text)
            else:
                receipt = send_email(patient.email, _("Your pain diary"), text)
        except DeliveryError as error:
            log.warning("diary reminder %s failed: %s", reminder.pk, error)
            return _finish(reminder, Reminder.Status.FAILED, str(error))
    return _finish(reminder, Reminder.Status.SENT, receipt)


def _finish(reminder: Reminder, status: str, detail: str) -> str:
    Reminder.objects.filter(pk=reminder.pk).update(status=status, detail=detail[:300])
    return status


def public_url(path: str) -> str:
    """An address for a message read away from this server (FACETPATH_PUBLIC_URL; the demo sets it to
    where it serves): a request's own Host header is not there to build it from."""
    return settings.FACETPATH_PUBLIC_URL + path


def diary_url(diary: Diary) -> str:
    return public_url(f"/d/{diary.token}/")


def reminder_text(reminder: Reminder) -> str:
    diary = reminder.slot.diary
    clinic = diary.procedure.patient.clinic
    # No name, no procedure, no condition: a lock screen may show this text.
    return _(
        "%(clinic)s: time to rate your pain (%(when)s). Open %(url)s . To stop reminders, use the link at the bottom of that page."
    ) % {"clinic": clinic.name, "when": slot_label(reminder.slot), "url": diary_url(diary)}


def send_lost_reminders(now: datetime | None = None) -> int:
    """Sends the queued reminders whose task should have run minutes ago (the worker's safety sweep: a
    task lost between the reminder's commit and its queueing); how many were tried. Each is re-checked
    and claimed as its task would, so one that both send goes once."""
    now = now or timezone.now()
    lost = Reminder.objects.filter(
        status=Reminder.Status.QUEUED, send_after__lte=now - LOST_AFTER, send_after__gt=now - STALE_AFTER
    ).values_list("pk", flat=True)
    return sum(1 for reminder_id in list(lost) if deliver_reminder(reminder_id, now) != "not due")
