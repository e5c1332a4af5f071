"""The clinic's public site: its profile, its education pages, and the requests and questions people send.

Appointment requests and questions are patient data: staff read and change them only through the audited
queue pages (`facetpath/public/views_staff.py`), never through the Django admin.
"""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from facetpath.clinics.models import Clinic

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from facetpath.patients.models import Patient

# The promise on every page: someone calls back within this time. Clock hours, weekends included,
# because that is what the sentence tells the reader.
PROMISE = timedelta(hours=24)
# A request turns "due soon" in the last hours before the promise runs out, so the desk can still keep it.
DUE_SOON_WINDOW = timedelta(hours=4)
# Spam guard: at most this many requests and questions from one address per window, across clinics.
RATE_LIMIT = 5
RATE_WINDOW = timedelta(hours=1)


class PublicProfile(models.Model):
    """How the clinic appears on its public site. Name, address, phone and insurance networks live on the
    Clinic itself (one record for staff and public); this adds what only the public site needs."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="public_profile")
    slug = models.SlugField(
        unique=True, help_text="The clinic's address on the site: /c/<slug>/. Letters, digits and dashes."
    )
    hours = models.TextField(blank=True, help_text="Opening hours, one line per day or group of days.")
    published = models.BooleanField(default=True, help_text="Show this clinic's public pages.")

    class Meta:
        ordering = ["clinic_id"]

    def __str__(self) -> str:
        return f"Public site of {self.clinic}"

    @property
    def hour_lines(self) -> list[str]:
        return [line.strip() for line in self.hours.splitlines() if line.strip()]

    @classmethod
    def for_clinic(cls, clinic: Clinic) -> PublicProfile:
        """The clinic's profile, made on first use with a slug from its name (unique)."""
        existing = cls.objects.filter(clinic=clinic).first()
        if existing is not None:
            return existing
        base = slugify(clinic.name)[:40] or "clinic"
        slug, n = base, 1
        while cls.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return cls.objects.create(clinic=clinic, slug=slug)


class Topic(models.TextChoices):
    OVERVIEW = "overview", "Medial branch blocks"
    CERVICAL = "cervical", "Neck (cervical)"
    THORACIC = "thoracic", "Mid back (thoracic)"
    LUMBAR = "lumbar", "Low back (lumbar)"
    FAQ = "faq", "Questions and answers"


class EducationPage(models.Model):
    """A page's Markdown for one clinic and language. Without a row, the shipped default text is shown."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="education_pages")
    topic = models.CharField(max_length=16, choices=Topic.choices)
    language = models.CharField(max_length=2, choices=settings.LANGUAGES)
    title = models.CharField(max_length=120)
    description = models.CharField(
        max_length=300, help_text="One or two sentences for search engines and link previews."
    )
    body = models.TextField(help_text="Markdown: ## for headings, - for lists, **bold**. No HTML.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["clinic_id", "topic", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "topic", "language"], name="one_page_per_topic_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} ({self.language})"


class PainArea(models.TextChoices):
    NECK = "neck", _("Neck")
    MID_BACK = "mid-back", _("Mid back")
    LOW_BACK = "low-back", _("Low back")
    SEVERAL = "several", _("More than one of these")
    NOT_SURE = "not-sure", _("I am not sure")


# The assessment region each answer points to; the others leave the region for the nurse to choose.
REGION_BY_AREA = {PainArea.NECK: "cervical", PainArea.MID_BACK: "thoracic", PainArea.LOW_BACK: "lumbar"}


class PainDuration(models.TextChoices):
    UNDER_6_WEEKS = "under-6-weeks", _("Less than 6 weeks")
    UNDER_3_MONTHS = "6-weeks-3-months", _("6 weeks to 3 months")
    UNDER_1_YEAR = "3-12-months", _("3 months to 1 year")
    OVER_1_YEAR = "over-1-year", _("More than 1 year")


class Referral(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_SURE = "not-sure", _("I am not sure")


class Timeliness(models.TextChoices):
    """Where an open request stands against the 24-hour promise."""

    ON_TIME = "on-time", "On time"
    DUE_SOON = "due-soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    ANSWERED = "answered", "Answered"


def hash_client(address: str | None) -> str:
    """A keyed hash of the sender's IP address: enough to count repeat senders, never the address itself."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, (address or "unknown").encode(), hashlib.sha256).hexdigest()


class ContactRequestQuerySet(models.QuerySet["ContactRequest"]):
    def open(self) -> ContactRequestQuerySet:
        return self.filter(status=ContactRequest.Status.NEW)

    def due_by(self, moment: datetime | Combinable) -> ContactRequestQuerySet:
        """Open requests whose promise runs out before `moment` (a time, or a query parameter)."""
        return self.open().filter(created_at__lte=moment - PROMISE)


class ContactRequest(models.Model):
    """An appointment request or a question sent from the public site; both wait in the front-desk queue."""

    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", "Appointment request"
        QUESTION = "question", "Question"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        SCHEDULED = "scheduled", "Scheduled"
        DECLINED = "declined", "Declined"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="contact_requests")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.APPOINTMENT)
    given_name = models.CharField(_("First name"), max_length=100)
    family_name = models.CharField(_("Last name"), max_length=100)
    phone = models.CharField(_("Phone"), max_length=40, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)
    # Asked, not required: without it a patient made from the request reads "Born —" until the desk asks.
    birth_date = models.DateField(_("Date of birth"), null=True, blank=True)
    pain_area = models.CharField(_("Where is the pain?"), max_length=12, choices=PainArea.choices, blank=True)
    pain_duration = models.CharField(
        _("How long have you had this pain?"), max_length=20, choices=PainDuration.choices, blank=True
    )
    contact_times = models.CharField(_("Best times to call you"), max_length=200, blank=True)
    insurance = models.CharField(_("Your insurance"), max_length=200, blank=True)
    referral = models.CharField(
        _("Do you have a referral from a doctor?"), max_length=10, choices=Referral.choices, blank=True
    )
    message = models.TextField(_("Message"), max_length=2000, blank=True)
    consent = models.BooleanField(_("You may contact me by phone or e-mail about this request."))
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="en")
    client_hash = models.CharField(max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged = models.BooleanField(default=False, help_text="The confirmation e-mail went out.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    status_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="Staff note: what was said, when to call again.")
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_requests"
    )

    objects = ContactRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["clinic", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.full_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @classmethod
    def too_many_from(cls, client_hash: str) -> bool:
        since = timezone.now() - RATE_WINDOW
        return cls.objects.filter(client_hash=client_hash, created_at__gte=since).count() >= RATE_LIMIT

    @property
    def due_at(self) -> datetime:
        return self.created_at + PROMISE

    def age(self, now: datetime | None = None) -> timedelta:
        return (now or timezone.now()) - self.created_at

    def timeliness(self, now: datetime | None = None) -> Timeliness:
        """Due soon in the last DUE_SOON_WINDOW before 24 hours; overdue from 24 hours on (23 h 59 min is
        still due soon). Anything but "new" has been answered, whatever the clock says."""
        if self.status != self.Status.NEW:
            return Timeliness.ANSWERED
        age = self.age(now)
        if age >= PROMISE:
            return Timeliness.OVERDUE
        if age >= PROMISE - DUE_SOON_WINDOW:
            return Timeliness.DUE_SOON
        return Timeliness.ON_TIME

    def set_status(self, status: str, by: User, note: str = "") -> None:
        self.status = status
        self.status_by = by  # type: ignore[assignment]
        self.status_at = timezone.now()
        if note:
            self.note = note
        self.save(update_fields=["status", "status_by", "status_at", "note"])

    @property
    def region(self) -> str:
        return REGION_BY_AREA.get(self.pain_area, "")  # type: ignore[call-overload]

    def make_patient(self, by: User, mrn: str) -> Patient:
        """One step from request to chart: the patient with the request's contact details, and a draft
        assessment carrying what the person told us (the nurse completes history and scores)."""
        from facetpath.patients.models import Assessment, Patient

        patient = Patient.objects.create(
            clinic=self.clinic,
            mrn=mrn,
            given_name=self.given_name,
            family_name=self.family_name,
            phone=self.phone,
            email=self.email,
            birth_date=self.birth_date,
            preferred_language=self.language,
            # Consent to be called about this request is not consent to texts or routine e-mail.
        )
        said = [
            f"{self.get_pain_area_display()} pain" if self.pain_area else "",
            f"for {self.get_pain_duration_display().lower()}" if self.pain_duration else "",
        ]
        Assessment.objects.create(
            patient=patient,
            date=self.clinic.today(),
            region=self.region,
            index_pain=(f"Request #{self.pk}: " + " ".join(s for s in said if s)).strip()[:300],
            pain_duration_months=None,
            baseline_pain=None,
            created_by=by,
        )
        self.patient = patient
        self.save(update_fields=["patient"])
        return patient
