"""Diary domain logic: schedule, binding entries to slots, warning signs and reminder delivery.

Views stay thin and call these; no clinical rule lives here (interpretation is `facetpath.clinical`'s).
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, CharField, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from facetpath import group_commit
from facetpath.clinical import diary_times
from facetpath.clinical.scales import DEFAULT_PAIN_SCALE, convert_pain
from facetpath.diary import times
from facetpath.diary.models import (
    DAY,
    DIARY_PAIN_SCALE,
    WARNING_SIGN_LABELS,
    Diary,
    DiarySettings,
    Entry,
    Reminder,
    Slot,
    WarningReport,
)
from facetpath.diary.transports import DeliveryError, send_email, sms_transport
from facetpath.patients.models import Assessment
from facetpath.prepared import Param, Prepared, Statement, fields_of, insert, instance_of, join
from facetpath.procedures.models import FollowUp, Procedure

log = logging.getLogger(__name__)
UTC = zoneinfo.ZoneInfo("UTC")
# A reminder more than this late is not worth sending: the next slot's reminder follows.
STALE_AFTER = timedelta(hours=2)
# A queued reminder this long past its time lost its task (each worker pass runs the tasks due).
LOST_AFTER = timedelta(minutes=5)
# A phone clock may drift; an entry time further in the future than this is replaced by the server's.
CLOCK_SKEW = timedelta(minutes=10)


class DiaryError(Exception):
    """A staff action that cannot be done; the message is shown to the user."""


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


def start_diary(procedure: Procedure, user: Any) -> tuple[Diary, str]:
    """Creates the diary, its slots and reminders; returns it with the link's token."""
    if procedure.status != Procedure.Status.DONE:
        raise DiaryError("Record the procedure as done (with its end time) before starting the diary.")
    if Diary.objects.filter(procedure=procedure).exists():
        raise DiaryError("This procedure already has a diary.")
    clinic = procedure.patient.clinic
    rules = DiarySettings.for_clinic(clinic)
    kind = Diary.Kind.DIAGNOSTIC if procedure.is_diagnostic_block else Diary.Kind.FOLLOW_UP
    end = procedure_end(procedure)
    with transaction.atomic():
        diary = Diary(procedure=procedure, kind=kind, starts_at=end, created_by=user)
        token = diary.new_link(rules.link_valid_days + _schedule_days(kind, rules))
        diary.save()
        zone = zoneinfo.ZoneInfo(clinic.time_zone)
        Slot.objects.bulk_create(
            [Slot(diary=diary, minutes=m, due_at=due) for m, due in plan_slots(kind, end, zone, rules)]
        )
        schedule_reminders(diary)
    return diary, token


def _schedule_days(kind: str, rules: DiarySettings) -> int:
    days = rules.diagnostic_days if kind == Diary.Kind.DIAGNOSTIC else rules.follow_up_days
    return max([int(d) for d in days] or [0])


def add_slot(diary: Diary, minutes: int) -> Slot:
    slot, created = Slot.objects.get_or_create(
        diary=diary, minutes=minutes, defaults={"due_at": diary.starts_at + timedelta(minutes=minutes)}
    )
    if not created and not slot.cancelled:
        raise DiaryError(f"There is already a time at {minutes} minutes.")
    slot.cancelled = False
    slot.save(update_fields=["cancelled"])
    Reminder.objects.filter(slot=slot).delete()
    schedule_reminders(diary, slots=[slot])
    _update_completion(diary)
    return slot


def remove_slot(diary: Diary, slot_id: int | None) -> None:
    slot = diary.slots.filter(pk=slot_id).first() if slot_id is not None else None
    if slot is None:
        raise DiaryError("No such time in this diary.")
    if Entry.objects.filter(slot=slot).exists():
        raise DiaryError("The patient already answered at this time; it cannot be removed.")
    slot.cancelled = True
    slot.save(update_fields=["cancelled"])
    slot.reminders.filter(status=Reminder.Status.QUEUED).update(
        status=Reminder.Status.SKIPPED, detail="time removed by staff"
    )
    _update_completion(diary)


def reissue_link(diary: Diary) -> str:
    rules = DiarySettings.for_clinic(diary.procedure.patient.clinic)
    token = diary.new_link(rules.link_valid_days + _schedule_days(diary.kind, rules))
    diary.save(update_fields=["link_nonce", "token_hash", "link_expires_at", "link_revoked_at"])
    return token


def revoke_link(diary: Diary) -> None:
    diary.link_revoked_at = timezone.now()
    diary.save(update_fields=["link_revoked_at"])


def cancel_diary(diary: Diary) -> None:
    diary.status = Diary.Status.CANCELLED
    diary.save(update_fields=["status"])
    _skip_queued(diary, "diary cancelled")


def opt_out(diary: Diary) -> None:
    if diary.reminders_opted_out_at is None:
        diary.reminders_opted_out_at = timezone.now()
        diary.save(update_fields=["reminders_opted_out_at"])
    _skip_queued(diary, "patient asked for no reminders")


def _skip_queued(diary: Diary, why: str) -> None:
    Reminder.objects.filter(slot__diary=diary, status=Reminder.Status.QUEUED).update(
        status=Reminder.Status.SKIPPED, detail=why
    )


def open_slots(diary: Diary) -> list[Slot]:
    return list(diary.slots.filter(cancelled=False, entry__isnull=True).order_by("due_at"))


def _update_completion(diary: Diary) -> None:
    if diary.status == Diary.Status.CANCELLED:
        return
    has_open = diary.slots.filter(cancelled=False, entry__isnull=True).exists()
    status = Diary.Status.ACTIVE if has_open else Diary.Status.COMPLETE
    # Compared in the database, not on `diary`: a write done again (facetpath.group_commit) finds the
    # object as the undone attempt left it.
    Diary.objects.filter(pk=diary.pk).exclude(status=status).update(status=status)
    diary.status = status
    if status == Diary.Status.COMPLETE:
        _skip_queued(diary, "diary complete")


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


def submit_entry(
    diary: Diary,
    data: EntryData,
    now: datetime | None = None,
    record: Callable[[Entry, bool], None] | None = None,
) -> tuple[Entry | None, bool]:
    """Stores the entry on its slot; (entry, created). A repeated key answers the stored entry, unchanged.

    (None, False) when no time is left open. Writers to one diary take turns, so two taps at once cannot
    take the same slot, and a retry racing its original finds it stored. `record(entry, created)` (the
    audit row) runs in the same transaction: the entry and its record commit together, or neither does.
    """
    now = now or timezone.now()

    def write() -> tuple[Entry | None, bool]:
        _lock(diary)
        rows = OPEN_SLOTS_OR_KEYED(diary=diary.pk, key=data.idempotency_key)
        stored = next((row["entry__id"] for row in rows if row["entry__id"] is not None), None)
        if stored is None:
            entry, created = _store_entry(diary, data, now, [row for row in rows if row["entry__id"] is None])
        else:
            entry, created = _stored_entry(stored, diary), False
        if entry is not None and record is not None:
            record(entry, created)
        return entry, created

    try:
        # Answers that arrive together commit together (SQLite), each still all or nothing.
        entry, created = group_commit.run(write)
    except IntegrityError:
        # Only if the lock did not hold (another process writing without it): answer the stored entry.
        entry = (
            Entry.objects.select_related("slot")
            .filter(diary=diary, idempotency_key=data.idempotency_key)
            .first()
        )
        if entry is None:
            raise
        created = False
        if record is not None:
            record(entry, created)
    return entry, created


# The answer is the busiest write in facetpath (every patient, every quarter hour, retried by phones), so
# its reads are prepared and its writes written out: through the ORM each statement cost several times
# the database's own work (bench/diary.py). Table and column names are Django's defaults for these models.
SKIP_SLOT_REMINDERS = Statement("""
    UPDATE diary_reminder SET status = %(skipped)s, detail = %(why)s
    WHERE slot_id = %(slot)s AND status = %(queued)s""")
# Written out because the ORM's upsert cannot keep a newer score: staff's, typed after the answer came.
ANSWER_SCORE = Statement("""
    INSERT INTO procedures_diaryscore (procedure_id, minutes, pain, entered_by_id, entered_at, mark)
    VALUES (%(procedure)s, %(minutes)s, %(pain)s, NULL, %(at)s, %(mark)s)
    ON CONFLICT (procedure_id, minutes) DO UPDATE
    SET pain = excluded.pain, entered_by_id = NULL, entered_at = excluded.entered_at, mark = excluded.mark
    WHERE procedures_diaryscore.entered_at <= excluded.entered_at""")


def _lock(diary: Diary) -> None:
    # SQLite's write transactions are already exclusive (transaction_mode IMMEDIATE); elsewhere the diary's
    # row is the lock.
    if connection.features.has_select_for_update:
        LOCK_DIARY(diary=diary.pk)


LOCK_DIARY = Prepared(
    lambda: Diary.objects.select_for_update().filter(pk=Param("diary", BigIntegerField())).values("pk")
)

SLOT_LEAVES_OUT = ("diary", "cancelled")  # known: the diary's own, and open

# The diary's open times, and the time already answered under this key if the answer is a retry: the
# only slots an answer can need (rows, not models: a model is built for the one slot chosen).
OPEN_SLOTS_OR_KEYED = Prepared(
    lambda: (
        Slot.objects.filter(diary_id=Param("diary", BigIntegerField()))
        .filter(Q(cancelled=False, entry__isnull=True) | Q(entry__idempotency_key=Param("key", CharField())))
        .values(*fields_of(Slot, leave_out=SLOT_LEAVES_OUT), "entry__id")
    )
)


def _extra_point_keyed(diary: Diary, key: str) -> int | None:
    found = Entry.objects.filter(diary_id=diary.pk, idempotency_key=key, slot__isnull=True)
    return found.values_list("pk", flat=True).first()


def _stored_entry(entry_id: int, diary: Diary) -> Entry:
    row = ENTRY_WITH_SLOT(entry=entry_id)[0]
    entry = instance_of(Entry, row)
    slot = None if row["slot_id"] is None else instance_of(Slot, row, "slot__")
    join(entry, "diary", diary)
    if slot is None:
        entry.slot = None
    else:
        join(entry, "slot", slot)
        join(slot, "diary", diary)
    return entry


ENTRY_WITH_SLOT = Prepared(
    lambda: Entry.objects.filter(pk=Param("entry", BigIntegerField())).values(
        *fields_of(Entry), *fields_of(Slot, "slot__")
    )
)


def _store_entry(
    diary: Diary, data: EntryData, now: datetime, still_open: list[dict[str, Any]]
) -> tuple[Entry | None, bool]:
    from facetpath.procedures.interpretation import mark_stage_stale

    at = entry_time(diary, data.entered_at, now)
    if not still_open:
        return None, False
    # A follow-up diary's answer (weekly at most) is scored at once; a diagnostic one with the stage.
    follow_up = diary.kind != Diary.Kind.DIAGNOSTIC
    # Bound only inside a time's window; otherwise kept at its own time, an extra point (slot None).
    scheduled = times.scheduled_times(still_open)
    binding = diary_times.bind(at, scheduled, diary.zone, follow_up)
    if binding.time is None and (keyed := _extra_point_keyed(diary, data.idempotency_key)) is not None:
        return _stored_entry(keyed, diary), False  # a retry of an extra point: bound to no time, found by key
    if binding.time is None and not data.confirmed_early:
        wait_for = diary_times.next_open_time(at, scheduled, diary.zone, follow_up)
        if wait_for is not None:  # well before the next time: the patient confirms first
            waited = next(r for r in still_open if r["id"] == wait_for.key)
            raise AnswerTooEarly(instance_of(Slot, waited, leave_out=SLOT_LEAVES_OUT), at)
    bound = next((r for r in still_open if binding.time and r["id"] == binding.time.key), None)
    slot = None if bound is None else instance_of(Slot, bound, leave_out=SLOT_LEAVES_OUT)
    if slot is not None:
        join(slot, "diary", diary)
    entry = insert(
        Entry,
        diary_id=diary.pk,
        slot_id=None if slot is None else slot.pk,
        procedure_id=diary.procedure_id,
        idempotency_key=data.idempotency_key,
        entered_at=at,
        minutes_from_slot=binding.minutes_from_time,
        pain=data.pain,
        relief_percent=data.relief_percent,
        movements=data.movements,
        took_pain_medicine=data.took_pain_medicine,
        note=data.note,
        scored=follow_up,
    )
    join(entry, "diary", diary)
    if slot is not None:
        join(entry, "slot", slot)
    else:
        entry.slot = None
    if follow_up:
        _write_follow_up(diary, entry)
    if slot is None:  # an extra point answers no time: its reminders still go
        mark_stage_stale(diary.procedure.patient_id)
        return entry, True
    SKIP_SLOT_REMINDERS(
        skipped=Reminder.Status.SKIPPED,
        why="answered before the reminder was due",
        slot=slot.pk,
        queued=Reminder.Status.QUEUED,
    )
    if len(still_open) == 1:  # that was the last open time
        _update_completion(diary)
    # The answer's score and the patient's stage follow with the stage refresh: the worker's next pass,
    # or the first staff page that shows the patient or the procedure (`score_answers`).
    mark_stage_stale(diary.procedure.patient_id)
    return entry, True


def _recorded_scale(patient_id: int) -> str:
    """The pain scale the patient's assessment records, which the diary's answers are converted to."""
    found = LATEST_PAIN_SCALE(patient=patient_id)
    return (found[0]["pain_scale"] if found else None) or DEFAULT_PAIN_SCALE


LATEST_PAIN_SCALE = Prepared(
    lambda: Assessment.latest_first(Param("patient", BigIntegerField())).values("pain_scale")[:1]
)


def _write_follow_up(diary: Diary, entry: Entry) -> None:
    """A follow-up diary's answer as the day's follow-up score, on the patient's recorded scale."""
    pain = convert_pain(entry.pain, DIARY_PAIN_SCALE, _recorded_scale(diary.procedure.patient_id))
    local_day = entry.entered_at.astimezone(diary.zone).date()
    FollowUp.objects.create(procedure_id=diary.procedure_id, date=local_day, pain=pain)


def score_answers(patient_id: int) -> int:
    """Writes the patient's diagnostic diary answers not yet scored as the procedures' diary scores, on
    the patient's recorded scale, and marks them scored; how many. Part of the stage refresh, in its
    transaction: the stale flag each answer set is the queue.

    An answer replaces a score staff typed for the same time before it arrived, never one typed after,
    and a score staff deleted after it was written stays deleted (the answer is scored once)."""
    answers = UNSCORED_ANSWERS(patient=patient_id)
    if not answers:
        return 0
    scale = _recorded_scale(patient_id)
    for answer in answers:
        at = connection.ops.adapt_datetimefield_value(answer["received_at"])
        ANSWER_SCORE(
            procedure=answer["procedure_id"],
            # The answer's true time, whatever time it was bound to (facetpath.clinical.diary_times).
            minutes=diary_times.elapsed_minutes(answer["diary__starts_at"], answer["entered_at"]),
            pain=convert_pain(answer["pain"], DIARY_PAIN_SCALE, scale),
            mark=_mark(answer),
            at=at,
        )
    Entry.objects.filter(pk__in=[answer["pk"] for answer in answers]).update(scored=True)
    return len(answers)


UNSCORED_ANSWERS = Prepared(
    lambda: (
        Entry.objects.filter(
            diary__procedure__patient_id=Param("patient", BigIntegerField()),
            diary__kind=Diary.Kind.DIAGNOSTIC,
            scored=False,
        )
        .order_by("received_at", "pk")
        .values(
            "pk",
            "procedure_id",
            "diary__starts_at",
            "entered_at",
            "pain",
            "received_at",
            "slot_id",
            "slot__minutes",
            "slot__due_at",
            "diary__procedure__patient__clinic__time_zone",
        )
    )
)


def _mark(answer: dict[str, Any]) -> str:
    """The score's mark: early, late or extra; empty when the answer was on time."""
    scheduled = (
        None
        if answer["slot_id"] is None
        else diary_times.ScheduledTime(answer["slot_id"], answer["slot__minutes"], answer["slot__due_at"])
    )
    zone = zoneinfo.ZoneInfo(answer["diary__procedure__patient__clinic__time_zone"])
    fit = diary_times.fit_of(answer["entered_at"], scheduled, zone, follow_up=False)  # diagnostic diaries
    return "" if fit is diary_times.Fit.ON_TIME else str(fit)


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
    return _("morning of %(date)s") % {"date": local.strftime("%Y-%m-%d")}


# --- Warning signs ------------------------------------------------------------------------------------


def report_warning(diary: Diary, signs: list[str], note: str, key: str) -> tuple[WarningReport, bool]:
    existing = diary.warnings.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    try:
        report = WarningReport.objects.create(diary=diary, signs=signs, note=note, idempotency_key=key)
    except IntegrityError:
        return diary.warnings.get(idempotency_key=key), False
    _email_on_call(report)
    return report, True


def _email_on_call(report: WarningReport) -> None:
    clinic = report.diary.procedure.patient.clinic
    address = DiarySettings.for_clinic(clinic).on_call_email or clinic.email
    if not address:
        report.email_error = "no on-call address set"
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
            f"Open: {settings.FACETPATH_PUBLIC_URL}/staff/procedures/{procedure.pk}/patient-diary/",
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


def diary_url(diary: Diary) -> str:
    return f"{settings.FACETPATH_PUBLIC_URL}/d/{diary.token}/"


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
