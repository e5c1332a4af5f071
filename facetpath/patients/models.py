"""Patients and the assessment that opens their facet-joint work-up."""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from facetpath.clinical.safety import (
    AnaestheticAllergy,
    BleedingDisorder,
    Pregnancy,
    SafetyInput,
    SafetyReport,
    screen,
)
from facetpath.clinical.scales import NRS_11, PAIN_SCALES, VAS_100


class Stage(models.TextChoices):
    """Where the patient is on the pathway, cached from the latest evaluation for the worklist."""

    NEW = "new", "Awaiting assessment"
    NOT_CANDIDATE = "not-candidate", "Not a candidate (stopped at the gate)"
    AWAITING_BLOCK = "awaiting-block", "Awaiting first block"
    DIARY_RUNNING = "diary-running", "Diary running"
    READY_FOR_REVIEW = "ready-for-review", "Diary ready for review"
    POSITIVE = "positive", "Positive block"
    NEGATIVE = "negative", "Negative block"
    DISCORDANT = "discordant", "Discordant block"
    SECOND_BLOCK_DUE = "second-block-due", "Second block due"
    RFA_DUE = "rfa-due", "RFA may go ahead"
    RFA_DONE = "rfa-done", "RFA done, in follow-up"
    REPEAT_RFA_DUE = "repeat-rfa-due", "Repeat RFA may go ahead"
    PLANNED = "planned", "Procedure planned"
    OTHER = "other", "See the patient page"


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Unknown"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        SPANISH = "es", "Spanish"

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=40, help_text="The clinic's medical record number.")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    preferred_language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    sms_consent = models.BooleanField("consents to text messages", default=False)
    email_consent = models.BooleanField("consents to email", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.NEW)
    next_step = models.CharField(max_length=300, blank=True)
    stage_updated_at = models.DateTimeField(null=True, blank=True)
    follow_up_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "mrn"], name="mrn_unique_per_clinic")]
        indexes = [
            models.Index(fields=["clinic", "family_name", "given_name"]),
            # the worklist's sections: stage lists oldest first, overdue follow-ups by date
            models.Index(fields=["clinic", "stage", "stage_updated_at", "id"], name="patient_stage_order"),
            models.Index(fields=["clinic", "follow_up_due"]),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    def latest_assessment(self) -> Assessment | None:
        """The latest complete assessment; a draft from an appointment request is not one yet."""
        return Assessment.latest_first(self).first()

    def case_patient(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.mrn, "sex": self.sex}
        if self.birth_date:
            data["birth_date"] = self.birth_date.isoformat()
        return data


def pain_validators() -> list[Any]:
    """Any score on any pain scale; the form checks it against the assessment's own scale."""
    return [MinValueValidator(0), MaxValueValidator(max(PAIN_SCALES.values()))]


class Assessment(models.Model):
    """The history and examination that open the work-up, plus the safety screen (clinical-guidelines §6)."""

    class Region(models.TextChoices):
        CERVICAL = "cervical", "Cervical (neck)"
        THORACIC = "thoracic", "Thoracic (mid back)"
        LUMBAR = "lumbar", "Lumbar (low back)"

    class PainScale(models.TextChoices):
        NRS = NRS_11, "NRS-11 (0-10)"
        VAS = VAS_100, "VAS-100 (0-100 mm)"

    class Instrument(models.TextChoices):
        NONE = "", "Not measured"
        ODI = "ODI", "ODI (0-100 %)"
        NDI = "NDI", "NDI (0-100 %)"
        PROMIS = "PROMIS-PI", "PROMIS pain interference (T-score)"

    # Found through the index below (its first column).
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="assessments", db_index=False)
    date = models.DateField()
    region = models.CharField(max_length=10, choices=Region.choices)
    index_pain = models.CharField("index pain", max_length=300, blank=True)
    # Null only on a draft made from an appointment request; the assessment form still requires both.
    pain_duration_months = models.PositiveIntegerField("pain duration (months)", null=True)
    axial_predominant = models.BooleanField("mainly axial pain", default=False)
    pain_scale = models.CharField(max_length=8, choices=PainScale.choices, default=PainScale.NRS)
    baseline_pain = models.PositiveSmallIntegerField(null=True, validators=pain_validators())
    disability_instrument = models.CharField(max_length=10, choices=Instrument.choices, blank=True)
    disability_score = models.FloatField(null=True, blank=True)
    conservative_care = models.JSONField(default=list, blank=True)
    untreated_radiculopathy = models.BooleanField(default=False)
    neurogenic_claudication = models.BooleanField(default=False)
    non_facet_cause = models.BooleanField("another cause explains the pain", default=False)
    facet_synovial_cyst = models.BooleanField("facet cyst compressing a nerve root", default=False)
    # Safety screen (clinical-guidelines §6A, §6B).
    infection = models.BooleanField("infection in the body or near the site", default=False)
    red_flag_symptoms = models.BooleanField("unexplained fever, chills, sweats or weight loss", default=False)
    bleeding_disorder = models.CharField(
        max_length=8,
        choices=[
            (BleedingDisorder.NONE, "None"),
            (BleedingDisorder.MILD, "Mild"),
            (BleedingDisorder.SEVERE, "Severe"),
        ],
        default=BleedingDisorder.NONE,
    )
    antithrombotics = models.JSONField("anticoagulants and antiplatelets", default=list, blank=True)
    bleeding_risk_factors = models.JSONField(default=list, blank=True)
    pregnancy = models.CharField(
        max_length=16,
        choices=[
            (Pregnancy.NOT_APPLICABLE, "Not applicable"),
            (Pregnancy.NO, "No"),
            (Pregnancy.POSSIBLE, "Possible"),
            (Pregnancy.YES, "Yes"),
        ],
        default=Pregnancy.NOT_APPLICABLE,
    )
    contrast_allergy = models.BooleanField("allergy to iodinated contrast", default=False)
    anaesthetic_allergy = models.CharField(
        "local anaesthetic allergy",
        max_length=16,
        choices=[
            (AnaestheticAllergy.NONE, "None"),
            (AnaestheticAllergy.AMIDE, "Amide class (e.g. lidocaine)"),
            (AnaestheticAllergy.ESTER, "Ester class"),
            (AnaestheticAllergy.UNKNOWN_CLASS, "Yes, class unknown"),
        ],
        default=AnaestheticAllergy.NONE,
    )
    implanted_device = models.CharField(max_length=20, blank=True)
    fused_joints = models.JSONField("prior fusion at", default=list, blank=True)
    uncontrolled_diabetes = models.BooleanField(default=False)
    uncontrolled_hypertension = models.BooleanField("uncontrolled high blood pressure", default=False)
    # A physician's override of a stop that allows one (pregnancy, clinical-guidelines §6A 6.2).
    stop_override_reason = models.TextField("override reason", blank=True)
    stop_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stop_override_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        # The patient's latest assessment (`latest_first`), read with every diary answer and on the
        # staff's pages, in index order: no sort.
        indexes = [models.Index(fields=["patient", "date", "id"], name="assessment_latest")]

    def __str__(self) -> str:
        return f"{self.get_region_display()} assessment on {self.date}"

    @classmethod
    def latest_first(cls, patient: Any) -> models.QuerySet[Assessment]:
        """The patient's complete assessments, latest first. `patient` may be an `OuterRef`."""
        return cls.objects.filter(patient=patient).exclude(cls.draft_q()).order_by("-date", "-id")

    @staticmethod
    def draft_q() -> models.Q:
        return models.Q(baseline_pain=None) | models.Q(pain_duration_months=None) | models.Q(region="")

    @property
    def is_draft(self) -> bool:
        """Made from an appointment request: the nurse still has to take the history and scores."""
        return self.baseline_pain is None or self.pain_duration_months is None or not self.region

    def to_case_dict(self) -> dict[str, Any]:
        """The `assessment` object of a facetpath.case/1 document."""
        data: dict[str, Any] = {
            "date": self.date.isoformat(),
            "region": self.region,
            "pain_duration_months": self.pain_duration_months,
            "axial_predominant": self.axial_predominant,
            "pain_scale": self.pain_scale,
            "baseline_pain": self.baseline_pain,
            "conservative_care": list(self.conservative_care),
            "untreated_radiculopathy": self.untreated_radiculopathy,
            "neurogenic_claudication": self.neurogenic_claudication,
            "non_facet_cause": self.non_facet_cause,
            "facet_synovial_cyst": self.facet_synovial_cyst,
        }
        if self.index_pain:
            data["index_pain"] = self.index_pain
        if self.disability_instrument and self.disability_score is not None:
            data["disability"] = {"instrument": self.disability_instrument, "score": self.disability_score}
        return data

    def safety_input(
        self, procedure_type: str | None = None, target_joints: tuple[str, ...] = (), **planned: bool | None
    ) -> SafetyInput:
        return SafetyInput(
            region=self.region,
            procedure_type=procedure_type,
            target_joints=target_joints,
            infection=self.infection,
            red_flag_symptoms=self.red_flag_symptoms,
            bleeding_disorder=BleedingDisorder(self.bleeding_disorder),
            antithrombotics=tuple(self.antithrombotics),
            risk_factors=tuple(self.bleeding_risk_factors),
            pregnancy=Pregnancy(self.pregnancy),
            contrast_allergy=self.contrast_allergy,
            anaesthetic_allergy=AnaestheticAllergy(self.anaesthetic_allergy),
            implanted_device=self.implanted_device or None,
            fused_joints=tuple(self.fused_joints),
            uncontrolled_diabetes=self.uncontrolled_diabetes,
            uncontrolled_hypertension=self.uncontrolled_hypertension,
            contrast_planned=planned.get("contrast_planned"),
            steroid_planned=planned.get("steroid_planned"),
        )

    def safety(self, procedure_type: str | None = None, target_joints: tuple[str, ...] = ()) -> SafetyReport:
        return screen(self.safety_input(procedure_type, target_joints))
