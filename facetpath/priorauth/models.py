"""Prior authorization: a patient's coverage, requests for a date of service, and their submissions.

The rules (which codes and places need a UTN, how long a UTN lasts, when a request is late) live in
facetpath.clinical.prior_auth; these models only keep what was sent and what the payer decided.
"""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

from django.conf import settings
from django.db import models

from facetpath.clinical.prior_auth import Decision as CoreDecision


class Payer(models.TextChoices):
    MEDICARE = "medicare", "Original Medicare (fee-for-service)"
    MEDICARE_ADVANTAGE = "medicare-advantage", "Medicare Advantage plan"
    MEDICAID = "medicaid", "Medicaid"
    COMMERCIAL = "commercial", "Commercial plan"
    SELF_PAY = "self-pay", "Self-pay"
    OTHER = "other", "Other"


class Place(models.TextChoices):
    """CMS place-of-service codes a facet procedure is done at."""

    OFFICE = "11", "11 · Office"
    OFF_CAMPUS = "19", "19 · Hospital outpatient, off campus"
    ON_CAMPUS = "22", "22 · Hospital outpatient, on campus"
    ASC = "24", "24 · Ambulatory surgical center"


class Decision(models.TextChoices):
    AFFIRMED = CoreDecision.AFFIRMED.value, "Affirmed"
    NON_AFFIRMED = CoreDecision.NON_AFFIRMED.value, "Non-affirmed"
    PARTIAL = CoreDecision.PARTIAL.value, "Partially affirmed"


class Coverage(models.Model):
    """Who pays for the patient's facet procedures and where they are done: what decides whether a planned
    procedure needs a UTN (facetpath.clinical.prior_auth.needs_prior_authorization)."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, primary_key=True, related_name="coverage"
    )
    payer = models.CharField(max_length=20, choices=Payer.choices)
    plan_name = models.CharField("plan or payer name", max_length=120, blank=True)
    member_id = models.CharField("member ID", max_length=40, blank=True)
    place_of_service = models.CharField(
        "place of service", max_length=2, choices=Place.choices,
        help_text="Where this patient's facet procedures are done and billed.",
    )  # fmt: skip
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The worklist's "needs a UTN": Medicare patients at a hospital outpatient place of service.
        indexes = [models.Index(fields=["payer", "place_of_service"], name="coverage_payer_place")]

    def __str__(self) -> str:
        return f"{self.get_payer_display()} at POS {self.place_of_service}"


class Request(models.Model):
    """A prior-authorization request for one date of service (one request per date of service), with the
    latest submission's state copied here for the worklist's indexed queries."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for a decision"
        AFFIRMED = Decision.AFFIRMED.value, "Affirmed"
        NON_AFFIRMED = Decision.NON_AFFIRMED.value, "Non-affirmed"
        PARTIAL = Decision.PARTIAL.value, "Partially affirmed"

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="+", db_index=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="prior_auths")
    procedure = models.ForeignKey(
        "procedures.Procedure", null=True, blank=True, on_delete=models.SET_NULL, related_name="prior_auths",
        help_text="The planned procedure this request is for.",
    )  # fmt: skip
    date_of_service = models.DateField("date of service")
    codes = models.JSONField("CPT codes", default=list)
    payer = models.CharField(max_length=20, choices=Payer.choices)
    place_of_service = models.CharField("place of service", max_length=2, choices=Place.choices)
    state = models.CharField(max_length=14, choices=State.choices, default=State.WAITING)
    sent_on = models.DateField("sent on")  # the latest submission's
    decided_on = models.DateField("decided on", null=True, blank=True)  # the latest submission's
    utn = models.CharField("UTN", max_length=40, blank=True)  # the latest UTN the payer gave
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date_of_service", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "date_of_service"], name="one_request_per_date_of_service"
            )
        ]
        indexes = [
            # worklist: waiting longest first; decided in the expiry window
            models.Index(fields=["clinic", "state", "sent_on", "id"], name="priorauth_waiting"),
            models.Index(fields=["clinic", "state", "decided_on", "id"], name="priorauth_decided"),
        ]

    def __str__(self) -> str:
        return f"prior authorization for {self.date_of_service}"

    @property
    def badge(self) -> str:
        """The page's colour for the state (app.css badge classes)."""
        return {"waiting": "pending", "affirmed": "ok", "non-affirmed": "deny", "partial": "warn"}[self.state]


class Submission(models.Model):
    """One sending of a request (number 1, then each resubmission) and the payer's decision on it."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField()
    sent_on = models.DateField("sent on")
    quoted_utn = models.CharField("UTN quoted", max_length=40, blank=True)
    note = models.CharField(max_length=300, blank=True)
    decision = models.CharField(max_length=14, choices=Decision.choices, blank=True)
    decided_on = models.DateField("decided on", null=True, blank=True)
    utn = models.CharField("UTN", max_length=40, blank=True)
    reasons = models.TextField("reasons", blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["request", "number"]
        constraints = [models.UniqueConstraint(fields=["request", "number"], name="one_submission_number")]

    def __str__(self) -> str:
        return f"submission {self.number} sent {self.sent_on}"

    @property
    def pending(self) -> bool:
        return not self.decision
