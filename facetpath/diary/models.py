"""The patient's pain diary: schedule, secure link, entries bound to slots, warning signs and reminders."""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import zoneinfo
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from facetpath.clinical import diary_times
from facetpath.clinical.aftercare import EMERGENCY_SIGNS, WARNING_SIGNS
from facetpath.clinical.scales import NRS_11, pain_scale_top
from facetpath.clinical.schedule import DIARY_SCHEDULE_MINUTES
from facetpath.clinics.tokens import hash_token

# Patients answer on the 0-10 scale whatever the clinic records; an answer is converted to the patient's
# recorded scale (`facetpath.clinical.scales.convert_pain`) when it becomes a score.
DIARY_PAIN_SCALE = NRS_11
HOUR = 60
DAY = 24 * HOUR
# Diagnostic window: the staff sheet's time points (one definition, in the core's schedule), then the next
# morning and day 2, placed at the clinic's morning hour.
DEFAULT_DIAGNOSTIC_MINUTES = list(DIARY_SCHEDULE_MINUTES)
DEFAULT_DIAGNOSTIC_DAYS = [1, 2]
# Therapeutic injections and RFA are follow-ups: day 1, weeks 1, 2, 4, 6, then monthly to month 6.
DEFAULT_FOLLOW_UP_DAYS = [1, 7, 14, 28, 42, 60, 90, 120, 150, 180]


def _minutes_list(value: object) -> list[int]:
    return (
        sorted({int(v) for v in value if isinstance(v, int) and 0 < v <= 366 * DAY})
        if isinstance(value, list)
        else []
    )


class DiarySettings(models.Model):
    """Per-clinic diary defaults, editable by the clinic admin."""

    clinic = models.OneToOneField("clinics.Clinic", on_delete=models.CASCADE, related_name="diary_settings")
    diagnostic_minutes = models.JSONField(default=list, help_text="Minutes after the block's end.")
    diagnostic_days = models.JSONField(default=list, help_text="Days after the block, at the morning hour.")
    follow_up_days = models.JSONField(default=list, help_text="Days after a therapeutic procedure or RFA.")
    morning_hour = models.PositiveSmallIntegerField(default=9, validators=[MaxValueValidator(23)])
    link_valid_days = models.PositiveSmallIntegerField(default=14, validators=[MinValueValidator(1)])
    quiet_start = models.TimeField(default=time(21, 0), help_text="No reminders from this time…")
    quiet_end = models.TimeField(default=time(8, 0), help_text="…until this time (clinic time).")
    on_call_email = models.EmailField(blank=True, help_text="Warning signs are e-mailed here at once.")
    reminders_by_sms = models.BooleanField(default=True)
    reminders_by_email = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"diary settings of {self.clinic}"

    @classmethod
    def for_clinic(cls, clinic: models.Model) -> DiarySettings:
        """The clinic's settings, stored with the defaults the first time a write needs them."""
        found, _created = cls.objects.get_or_create(clinic=clinic, defaults=cls._defaults())
        return found

    @classmethod
    def shown_for(cls, clinic: Any) -> DiarySettings:
        """The clinic's settings to show: the defaults, unsaved, until the clinic saves its own (a page
        that only shows them writes nothing)."""
        return cls.objects.filter(clinic=clinic).first() or cls(clinic=clinic, **cls._defaults())

    @staticmethod
    def _defaults() -> dict[str, Any]:
        return {
            "diagnostic_minutes": DEFAULT_DIAGNOSTIC_MINUTES,
            "diagnostic_days": DEFAULT_DIAGNOSTIC_DAYS,
            "follow_up_days": DEFAULT_FOLLOW_UP_DAYS,
        }

    def in_quiet_hours(self, moment: datetime, zone: zoneinfo.ZoneInfo) -> bool:
        local = moment.astimezone(zone).time()
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end  # quiet hours span midnight

    def after_quiet_hours(self, moment: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
        """`moment`, or the end of the quiet hours it falls in (in the clinic's zone, DST-safe)."""
        if not self.in_quiet_hours(moment, zone):
            return moment
        local = moment.astimezone(zone)
        end = datetime.combine(local.date(), self.quiet_end, tzinfo=zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.quiet_end, tzinfo=zone)
        return end.astimezone(zoneinfo.ZoneInfo("UTC"))


def _link_token(nonce: str) -> str:
    """The link's secret, derived from a random nonce and the server key: the database alone cannot rebuild it,
    yet staff can print the same link again on the discharge sheet and reminders can carry it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"diary-link:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:15]).decode()  # 20 characters, 120 bits


class Diary(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETE = "complete", "Complete"
        CANCELLED = "cancelled", "Cancelled"

    class Kind(models.TextChoices):
        DIAGNOSTIC = "diagnostic", "Diagnostic diary"
        FOLLOW_UP = "follow-up", "Follow-up diary"

    procedure = models.OneToOneField(
        "procedures.Procedure", on_delete=models.CASCADE, related_name="patient_diary"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    starts_at = models.DateTimeField(help_text="When the procedure ended (UTC).")
    link_nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    link_expires_at = models.DateTimeField()
    link_revoked_at = models.DateTimeField(null=True, blank=True)
    reminders_opted_out_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "diaries"

    def __str__(self) -> str:
        return f"diary of procedure {self.procedure_id}"

    def new_link(self, valid_days: int) -> str:
        """Replaces the link (the old one stops working) and returns the new token."""
        if self.pk is not None and self.token_hash:
            ReplacedLink.objects.get_or_create(token_hash=self.token_hash, defaults={"diary": self})
        self.link_nonce = secrets.token_urlsafe(32)
        token = _link_token(self.link_nonce)
        self.token_hash = hash_token(token)
        self.link_expires_at = timezone.now() + timedelta(days=valid_days)
        self.link_revoked_at = None
        return token

    @property
    def token(self) -> str:
        return _link_token(self.link_nonce)

    @property
    def link_usable(self) -> bool:
        return self.link_revoked_at is None and timezone.now() < self.link_expires_at

    @property
    def accepts_entries(self) -> bool:
        return self.link_usable and self.status == self.Status.ACTIVE

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.procedure.patient.clinic.time_zone)


class ReplacedLink(models.Model):
    """A link staff replaced (reissued): it answers 410 with the clinic's number, as a withdrawn link does,
    not 404 as a forged one (docs/diary.md). Only the token's hash is kept."""

    token_hash = models.CharField(max_length=64, unique=True)
    diary = models.ForeignKey(Diary, on_delete=models.CASCADE, related_name="+")
    replaced_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"replaced link of {self.diary}"

    @classmethod
    def diary_of(cls, token: str) -> Diary | None:
        old = cls.objects.select_related("diary__procedure__patient__clinic").filter(
            token_hash=hash_token(token)
        )
        found = old.first()
        return found.diary if found is not None else None


class Slot(models.Model):
    """One time the patient is asked to rate, `minutes` after the procedure ended."""

    diary = models.ForeignKey(Diary, on_delete=models.CASCADE, related_name="slots")
    minutes = models.PositiveIntegerField()
    due_at = models.DateTimeField()
    cancelled = models.BooleanField(default=False, help_text="Removed by staff from this diary.")

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["diary", "minutes"], name="one_slot_per_minute")]

    def __str__(self) -> str:
        return f"{self.minutes} min"

    @property
    def label(self) -> str:
        """How the time reads to people ("30 minutes after", "morning of 2026-03-08")."""
        from facetpath.diary.services import slot_label

        return slot_label(self)


class Entry(models.Model):
    """What the patient reported, bound to one slot; `entered_at` is when they reported it."""

    class Change(models.TextChoices):
        EASIER = "easier", "Easier"
        SAME = "same", "Same"
        HARDER = "harder", "Harder"

    # No index of its own: the one of (diary, idempotency_key) finds a diary's entries. Each index is
    # written on every answer, the busiest write there is.
    diary = models.ForeignKey(Diary, on_delete=models.CASCADE, related_name="entries", db_index=False)
    # Empty for an extra point: an answer outside every open time's window (facetpath.clinical.diary_times)
    # is kept at its own time, bound to none.
    slot = models.OneToOneField(Slot, on_delete=models.PROTECT, related_name="entry", null=True, blank=True)
    # Read through the diary: no index of its own (deleting a procedure, as the demo's reset does, scans).
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    idempotency_key = models.CharField(max_length=64)
    entered_at = models.DateTimeField(help_text="When the patient rated (their phone's clock, checked).")
    received_at = models.DateTimeField(auto_now_add=True)
    minutes_from_slot = models.IntegerField(
        null=True, blank=True, help_text="Negative: early; positive: late; empty for an extra point."
    )
    pain = models.PositiveSmallIntegerField(validators=[MaxValueValidator(pain_scale_top(DIARY_PAIN_SCALE))])
    relief_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    movements = models.JSONField(default=dict, blank=True)
    took_pain_medicine = models.BooleanField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["entered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["diary", "idempotency_key"], name="one_entry_per_key")]

    def __str__(self) -> str:
        return f"{self.pain}/10 for {self.slot}" if self.slot_id else f"{self.pain}/10, extra point"

    @property
    def elapsed_minutes(self) -> int:
        """The answer's true time: minutes since the procedure ended (what the curve and evaluation use)."""
        return diary_times.elapsed_minutes(self.diary.starts_at, self.entered_at)

    @property
    def fit(self) -> str:
        """on time, early, late or extra (facetpath.clinical.diary_times.Fit)."""
        scheduled = (
            None
            if self.slot is None
            else diary_times.ScheduledTime(self.slot.pk, self.slot.minutes, self.slot.due_at)
        )
        follow_up = self.diary.kind != Diary.Kind.DIAGNOSTIC
        return str(diary_times.fit_of(self.entered_at, scheduled, self.diary.zone, follow_up))


# The signs a patient can report, in the short words staff read; which need emergency care comes from the
# core's table (facetpath.clinical.aftercare), the same one the after-care sheet and the warning form use.
WARNING_SIGN_LABELS = {sign.id: sign.staff_label for sign in WARNING_SIGNS}
RED_FLAGS = EMERGENCY_SIGNS


class WarningReport(models.Model):
    diary = models.ForeignKey(Diary, on_delete=models.CASCADE, related_name="warnings")
    signs = models.JSONField(default=list)
    note = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=64)
    reported_at = models.DateTimeField(auto_now_add=True)
    emailed_to = models.CharField(max_length=254, blank=True)
    email_error = models.CharField(max_length=300, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["diary", "idempotency_key"], name="one_warning_per_key")
        ]
        indexes = [models.Index(fields=["acknowledged_at", "reported_at"])]

    def __str__(self) -> str:
        return f"warning signs {', '.join(self.signs)}"

    @property
    def red_flag(self) -> bool:
        return any(sign in RED_FLAGS for sign in self.signs)

    def sign_labels(self) -> list[str]:
        return [WARNING_SIGN_LABELS.get(sign, sign) for sign in self.signs]


class Reminder(models.Model):
    """One reminder for one slot on one channel; its row is the send log staff read."""

    class Channel(models.TextChoices):
        SMS = "sms", "Text message"
        EMAIL = "email", "E-mail"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    # Found by the (slot, channel) index.
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="reminders", db_index=False)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    send_after = models.DateTimeField()
    attempted_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True, help_text="Why it was skipped, or the error.")

    class Meta:
        ordering = ["send_after", "id"]
        constraints = [models.UniqueConstraint(fields=["slot", "channel"], name="one_reminder_per_channel")]
        # The recent reminders the worker's sweep looks through, and the recent attempts among which the
        # worklist finds the failures. Neither is written when an answer skips a queued reminder (status
        # and detail only): an index that holds the status costs that write a page of its own. (Not
        # partial indexes "where status = …": a query that passes the status as a parameter, as the ORM
        # does, cannot use them.)
        indexes = [
            models.Index(fields=["send_after"], name="reminder_send_after"),
            models.Index(fields=["attempted_at"], name="reminder_attempted"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} reminder for {self.slot}"
