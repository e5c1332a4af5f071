"""Procedures (blocks, injections, ablations), their diaries and follow-ups, sign-offs and amendments."""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Procedure(models.Model):
    class Type(models.TextChoices):
        MBB = "mbb", "Medial branch block"
        IA = "ia", "Intra-articular injection"
        RFA = "rfa", "Radiofrequency ablation"
        CYST = "cyst", "Facet cyst aspiration"

    class Intent(models.TextChoices):
        DIAGNOSTIC = "diagnostic", "Diagnostic"
        THERAPEUTIC = "therapeutic", "Therapeutic"

    class Side(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"
        BILATERAL = "bilateral", "Both sides"

    class Guidance(models.TextChoices):
        FLUOROSCOPY = "fluoroscopy", "Fluoroscopy"
        CT = "ct", "CT"
        ULTRASOUND = "ultrasound", "Ultrasound"
        NONE = "none", "None"

    class Sedation(models.TextChoices):
        NONE = "none", "None"
        MODERATE = "moderate", "Moderate (conscious) sedation"
        MAC = "mac", "Monitored anaesthesia care"
        GENERAL = "general", "General anaesthesia"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Agent(models.TextChoices):
        NONE = "", "None"
        LIDOCAINE = "lidocaine", "Lidocaine"
        BUPIVACAINE = "bupivacaine", "Bupivacaine"
        ROPIVACAINE = "ropivacaine", "Ropivacaine"
        SALINE = "saline", "Saline (placebo)"

    class Technique(models.TextChoices):
        NONE = "", "—"
        THERMAL = "thermal", "Thermal"
        PULSED = "pulsed", "Pulsed"
        CRYO = "cryo", "Cryo"
        CHEMICAL = "chemical", "Chemical"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="procedures")
    date = models.DateField(db_index=True)
    type = models.CharField(max_length=4, choices=Type.choices)
    intent = models.CharField(max_length=12, choices=Intent.choices, blank=True)
    joints = models.JSONField(default=list)
    side = models.CharField(max_length=10, choices=Side.choices)
    guidance = models.CharField(max_length=12, choices=Guidance.choices, default=Guidance.FLUOROSCOPY)
    sedation = models.CharField(max_length=10, choices=Sedation.choices, default=Sedation.NONE)
    sedation_reason = models.CharField(max_length=300, blank=True)
    agent_name = models.CharField("agent", max_length=12, choices=Agent.choices, blank=True)
    agent_concentration_percent = models.FloatField("concentration (%)", null=True, blank=True)
    agent_volume_ml_per_nerve = models.FloatField("volume per nerve (mL)", null=True, blank=True)
    steroid_name = models.CharField("steroid", max_length=40, blank=True)
    steroid_dose_mg = models.FloatField("steroid dose (mg)", null=True, blank=True)
    rfa_technique = models.CharField("RFA technique", max_length=10, choices=Technique.choices, blank=True)
    rfa_temperature_c = models.FloatField("RFA temperature (°C)", null=True, blank=True)
    early_repeat_reason = models.CharField(max_length=300, blank=True)
    rfa_unsuitable_reason = models.CharField("why RFA is unsuitable", max_length=300, blank=True)
    pre_pain = models.PositiveSmallIntegerField(
        "pain just before", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contrast_used = models.BooleanField(default=False)
    complications = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    # What the patient rates in the diary besides the index pain (clinical-guidelines 2.13, 2.14).
    painful_movements = models.JSONField(
        "movements that hurt before", default=list, blank=True, help_text="Asked in the patient's diary."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["patient", "date"]),
            # the worklist's unsigned blocks, oldest first: (date, id) order straight from the index
            models.Index(fields=["status", "date", "id"], name="procedure_status_date_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {', '.join(self.joints)} on {self.date}"

    @property
    def case_id(self) -> str:
        """The procedure's id inside the case document."""
        return f"p{self.pk}" if self.pk else "this procedure"  # a draft: the core's messages name it so

    @property
    def is_diagnostic_block(self) -> bool:
        return self.type in (self.Type.MBB, self.Type.IA) and self.intent == self.Intent.DIAGNOSTIC

    def to_case_dict(
        self, diary: list[DiaryScore] | None = None, follow_ups: list[FollowUp] | None = None
    ) -> dict[str, Any]:
        """The procedure object of a facetpath.case/1 document (diary and follow-ups as given or from the DB)."""
        data: dict[str, Any] = {
            "id": self.case_id,
            "date": self.date.isoformat(),
            "type": self.type,
            "joints": list(self.joints),
            "side": self.side,
            "guidance": self.guidance,
            "sedation": self.sedation,
        }
        if self.intent:
            data["intent"] = self.intent
        optional = {
            "sedation_reason": self.sedation_reason,
            "early_repeat_reason": self.early_repeat_reason,
            "rfa_unsuitable_reason": self.rfa_unsuitable_reason,
            "pre_pain": self.pre_pain,
        }
        data.update({key: value for key, value in optional.items() if value not in ("", None)})
        if self.agent_name:
            data["agent"] = {
                "name": self.agent_name,
                "concentration_percent": self.agent_concentration_percent,
                "volume_ml_per_nerve": self.agent_volume_ml_per_nerve,
            }
        if self.steroid_name:
            data["steroid"] = {"name": self.steroid_name, "dose_mg": self.steroid_dose_mg}
        if self.type == self.Type.RFA and self.rfa_technique:
            data["rfa"] = {"technique": self.rfa_technique, "temperature_c": self.rfa_temperature_c}
        # An unsaved draft (the live preview) has no diary or follow-ups yet.
        scores = ([] if self.pk is None else self.diary_scores.all()) if diary is None else diary
        if scores:
            data["diary"] = [{"minutes": s.minutes, "pain": s.pain} for s in scores]
        visits = ([] if self.pk is None else self.follow_ups.all()) if follow_ups is None else follow_ups
        if visits:
            data["follow_up"] = [visit.to_case_dict() for visit in visits]
        return data


class DiaryScore(models.Model):
    """Index pain at a time after the procedure, entered by staff (from the paper or phone diary)."""

    # Each patient's diary answer writes a score: no index beyond what reads need. A procedure's scores
    # are found by the (procedure, minutes) index, and only scores staff typed have an `entered_by`.
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="diary_scores", db_index=False
    )
    minutes = models.PositiveIntegerField(help_text="Minutes since the procedure ended.")
    pain = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(100)])
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    # How the patient's answer stood to its diary time (facetpath.clinical.diary_times.Fit): "early",
    # "late" or "extra" (bound to no time); empty when on time or typed by staff. Marked on the curve.
    mark = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["minutes"]
        constraints = [models.UniqueConstraint(fields=["procedure", "minutes"], name="one_score_per_minute")]
        indexes = [
            models.Index(
                fields=["entered_by"], condition=Q(entered_by__isnull=False), name="score_entered_by"
            )
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min: {self.pain}"


class FollowUp(models.Model):
    """A longer-term score after a therapeutic procedure or RFA."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField()
    pain = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    disability_instrument = models.CharField(max_length=10, blank=True)
    disability_score = models.FloatField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"follow-up on {self.date}"

    def to_case_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"date": self.date.isoformat()}
        if self.pain is not None:
            data["pain"] = self.pain
        if self.disability_instrument and self.disability_score is not None:
            data["disability"] = {"instrument": self.disability_instrument, "score": self.disability_score}
        return data


class SignOff(models.Model):
    """A physician's sign-off: the interpretation exactly as shown, frozen with the policy that made it."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="sign_offs")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    policy_name = models.CharField(max_length=32)
    policy_version = models.CharField(max_length=32)
    interpretation = models.JSONField(help_text="This procedure's entry of the evaluation, as signed.")
    evaluation = models.JSONField(help_text="The whole facetpath.evaluation/1 document, as signed.")
    case = models.JSONField(help_text="The facetpath.case/1 document the evaluation was made from.")
    comment = models.TextField(blank=True)
    # Why a block was signed while its response was pending or without pre-block pain ("diary not
    # returned"); empty when nothing was missing.
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"signed {self.signed_at:%Y-%m-%d} under {self.policy_name} {self.policy_version}"


class Amendment(models.Model):
    """A change to a procedure after sign-off, kept with who made it and why."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    changes = models.JSONField(default=dict, help_text="field: [before, after]")

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"amendment on {self.made_at:%Y-%m-%d}"
