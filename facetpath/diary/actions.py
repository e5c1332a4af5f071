"""Every write to a diary: staff start, change and close it; the patient answers, reports a warning sign
or stops the reminders. Views parse the request, call one of these, and render."""

from __future__ import annotations

import logging
import threading
import zoneinfo
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from facetpath.clinical import diary_times
from facetpath.clinical.diary_times import Fit
from facetpath.clinical.scales import DEFAULT_PAIN_SCALE, convert_pain
from facetpath.diary.forms import DiarySettingsForm
from facetpath.diary.models import (
    DIARY_PAIN_SCALE,
    Diary,
    DiarySettings,
    Entry,
    Reminder,
    Slot,
    WarningReport,
)
from facetpath.diary.services import AnswerTooEarly as AnswerTooEarly
from facetpath.diary.services import EntryData as EntryData
from facetpath.diary.services import (
    email_on_call,
    entry_time,
    plan_slots,
    procedure_end,
    schedule_days,
    schedule_reminders,
    skip_queued,
)
from facetpath.diary.times import early_for, is_follow_up, scheduled_times
from facetpath.patients.models import Assessment
from facetpath.procedures.models import DiaryScore, FollowUp, Procedure
from facetpath.procedures.stage import refresh_stage

log = logging.getLogger(__name__)


class DiaryError(Exception):
    """A staff action that cannot be done; the message is shown to the user."""


# --- Staff --------------------------------------------------------------------------------------------


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
        token = diary.new_link(rules.link_valid_days + schedule_days(kind, rules))
        diary.save()
        zone = zoneinfo.ZoneInfo(clinic.time_zone)
        Slot.objects.bulk_create(
            [Slot(diary=diary, minutes=m, due_at=due) for m, due in plan_slots(kind, end, zone, rules)]
        )
        schedule_reminders(diary)
    return diary, token


def add_slot(diary: Diary, minutes: int) -> Slot:
    with transaction.atomic():
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
    with transaction.atomic():
        slot.cancelled = True
        slot.save(update_fields=["cancelled"])
        slot.reminders.filter(status=Reminder.Status.QUEUED).update(
            status=Reminder.Status.SKIPPED, detail="time removed by staff"
        )
        _update_completion(diary)


def reissue_link(diary: Diary) -> str:
    rules = DiarySettings.for_clinic(diary.procedure.patient.clinic)
    token = diary.new_link(rules.link_valid_days + schedule_days(diary.kind, rules))
    diary.save(update_fields=["link_nonce", "token_hash", "link_expires_at", "link_revoked_at"])
    return token


def revoke_link(diary: Diary) -> None:
    diary.link_revoked_at = timezone.now()
    diary.save(update_fields=["link_revoked_at"])


def cancel_diary(diary: Diary) -> None:
    with transaction.atomic():
        diary.status = Diary.Status.CANCELLED
        diary.save(update_fields=["status"])
        skip_queued(diary, "diary cancelled")


def acknowledge_warning(report: WarningReport, user: User) -> None:
    """Marks a reported warning sign as handled by `user` (the first to do so)."""
    if report.acknowledged_at is None:
        report.acknowledged_at, report.acknowledged_by = timezone.now(), user
        report.save(update_fields=["acknowledged_at", "acknowledged_by"])


def save_settings(form: DiarySettingsForm) -> DiarySettings:
    """The clinic's diary settings (times, reminders, on-call address); diaries started later use them."""
    return form.save()


def _update_completion(diary: Diary) -> None:
    if diary.status == Diary.Status.CANCELLED:
        return
    has_open = diary.slots.filter(cancelled=False, entry__isnull=True).exists()
    status = Diary.Status.ACTIVE if has_open else Diary.Status.COMPLETE
    if diary.status != status:
        diary.status = status
        diary.save(update_fields=["status"])
    if status == Diary.Status.COMPLETE:
        skip_queued(diary, "diary complete")


# --- The patient --------------------------------------------------------------------------------------


def opt_out(diary: Diary) -> None:
    with transaction.atomic():
        if diary.reminders_opted_out_at is None:
            diary.reminders_opted_out_at = timezone.now()
            diary.save(update_fields=["reminders_opted_out_at"])
        skip_queued(diary, "patient asked for no reminders")


def report_warning(diary: Diary, signs: list[str], note: str, key: str) -> tuple[WarningReport, bool]:
    existing = diary.warnings.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = WarningReport.objects.create(diary=diary, signs=signs, note=note, idempotency_key=key)
    except IntegrityError:
        return diary.warnings.get(idempotency_key=key), False
    email_on_call(report)
    return report, True


def record_answer(
    diary: Diary,
    data: EntryData,
    now: datetime | None = None,
    record: Callable[[Entry, bool], None] | None = None,
) -> tuple[Entry | None, bool]:
    """Stores the answer on its time; (entry, created). A repeated key answers the stored entry, unchanged.

    (None, False) when no time is left open. Answers to one diary are written one at a time (the diary's
    row is locked; SQLite's write transactions are exclusive), so two taps at once cannot take the same
    time, and a retry racing its original finds it stored. The answer's score and the patient's stage
    are written in the same transaction, and so is `record(entry, created)` (the audit row): all of it
    commits, or none of it does.
    """
    now = now or timezone.now()
    try:
        with _writer_turn(), transaction.atomic():
            return _record_answer(diary, data, now, record)
    except IntegrityError:
        # Only if the lock did not hold (another process writing without it): answer the stored entry.
        entry = (
            Entry.objects.select_related("slot")
            .filter(diary=diary, idempotency_key=data.idempotency_key)
            .first()
        )
        if entry is None:
            raise
        if record is not None:
            with transaction.atomic():
                record(entry, False)
        return entry, False


# SQLite lets one writer in at a time and makes the others poll for the lock, sleeping up to 100 ms
# between tries, which left answers waiting over a second under load. This process's answers queue on a
# lock of their own instead, each starting the moment the one before it commits. Other processes, and
# other writes, still wait in SQLite's busy handler; PostgreSQL locks the diary's row and needs none of this.
_SQLITE_ANSWERS = threading.Lock()


def _writer_turn() -> AbstractContextManager[object]:
    return _SQLITE_ANSWERS if connection.vendor == "sqlite" else nullcontext()


def _record_answer(
    diary: Diary, data: EntryData, now: datetime, record: Callable[[Entry, bool], None] | None
) -> tuple[Entry | None, bool]:
    # The lock: the diary's row. SQLite has no row locks: its write transactions are IMMEDIATE, so exclusive.
    if connection.features.has_select_for_update:
        list(Diary.objects.select_for_update().filter(pk=diary.pk).values_list("pk", flat=True))
    # The diary's open times, and the time already answered under this key if the answer is a retry.
    slots = list(
        Slot.objects.filter(diary=diary)
        .filter(Q(cancelled=False, entry__isnull=True) | Q(entry__idempotency_key=data.idempotency_key))
        .select_related("entry")
    )
    for slot in slots:
        slot.diary = diary
    stored = next((slot.entry for slot in slots if hasattr(slot, "entry")), None)
    if stored is not None:
        stored.diary = diary
        if record is not None:
            record(stored, False)
        return stored, False
    entry, created = _store_entry(diary, data, now, slots)
    if entry is not None and record is not None:
        record(entry, created)
    return entry, created


def _store_entry(
    diary: Diary, data: EntryData, now: datetime, still_open: list[Slot]
) -> tuple[Entry | None, bool]:
    at = entry_time(diary, data.entered_at, now)
    if not still_open:
        return None, False
    follow_up = is_follow_up(diary)
    # Bound only inside a time's window; otherwise kept at its own time, an extra point (slot None).
    scheduled = scheduled_times(still_open)
    binding = diary_times.bind(at, scheduled, diary.zone, follow_up)
    if binding.time is None:
        keyed = Entry.objects.filter(diary=diary, idempotency_key=data.idempotency_key, slot__isnull=True)
        if (stored := keyed.first()) is not None:  # a retry of an extra point: bound to no time, found by key
            stored.diary = diary
            return stored, False
        if not data.confirmed_early:
            waited = early_for(diary, at, still_open)
            if waited is not None:  # well before the next time: the patient confirms first
                raise AnswerTooEarly(waited, at)
    slot = next((s for s in still_open if binding.time and s.pk == binding.time.key), None)
    entry = Entry.objects.create(
        diary=diary,
        slot=slot,
        procedure_id=diary.procedure_id,
        idempotency_key=data.idempotency_key,
        entered_at=at,
        minutes_from_slot=binding.minutes_from_time,
        pain=data.pain,
        relief_percent=data.relief_percent,
        movements=data.movements,
        took_pain_medicine=data.took_pain_medicine,
        note=data.note,
    )
    _score(diary, entry)
    if slot is not None:  # an extra point answers no time: its reminders still go
        Reminder.objects.filter(slot=slot, status=Reminder.Status.QUEUED).update(
            status=Reminder.Status.SKIPPED, detail="answered before the reminder was due"
        )
        if len(still_open) == 1:  # that was the last open time
            _update_completion(diary)
    _keep_stage_current(diary)
    return entry, True


def _score(diary: Diary, entry: Entry) -> None:
    """The answer as the procedure's score, on the patient's recorded scale: a follow-up diary's as the
    day's follow-up; a diagnostic diary's as the diary score at the answer's true minute after the
    procedure (whatever time it counted for), marked early, late or extra, replacing one staff typed for
    that minute before the answer came (staff may change or delete it afterwards)."""
    pain = convert_pain(entry.pain, DIARY_PAIN_SCALE, _recorded_scale(diary))
    if diary.kind != Diary.Kind.DIAGNOSTIC:
        local_day = entry.entered_at.astimezone(diary.zone).date()
        FollowUp.objects.create(procedure_id=diary.procedure_id, date=local_day, pain=pain)
        return
    fit = Fit(entry.fit)
    DiaryScore.objects.bulk_create(
        [
            DiaryScore(
                procedure_id=diary.procedure_id,
                minutes=diary_times.elapsed_minutes(diary.starts_at, entry.entered_at),
                pain=pain,
                entered_by=None,
                mark="" if fit is Fit.ON_TIME else str(fit),
            )
        ],
        update_conflicts=True,
        unique_fields=["procedure", "minutes"],
        update_fields=["pain", "entered_by", "entered_at", "mark"],
    )


def _recorded_scale(diary: Diary) -> str:
    """The pain scale the patient's assessment records, which the diary's answers are converted to."""
    scale = Assessment.latest_first(diary.procedure.patient_id).values_list("pain_scale", flat=True).first()
    return scale or DEFAULT_PAIN_SCALE


def _keep_stage_current(diary: Diary) -> None:
    """The patient's stage, recomputed with the answer. In a savepoint of its own: an answer is never
    refused for a record the core cannot read (that is logged, and the worker's pass tries again)."""
    patient = diary.procedure.patient
    try:
        with transaction.atomic():
            refresh_stage(patient)
    except Exception:  # any: the patient was told their answer is saved; the stage can follow later
        log.exception("stage of patient %s not recomputed after a diary answer", patient.pk)
