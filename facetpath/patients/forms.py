"""Forms for patients and assessments. Every error names its field; valid input is kept."""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

from typing import Any

from django import forms

from facetpath.clinical.anatomy import JointError, parse_joint
from facetpath.clinical.safety import ANTITHROMBOTICS, IMPLANTED_DEVICES, RISK_FACTORS
from facetpath.clinical.scales import DEFAULT_PAIN_SCALE, PAIN_SCALES, pain_scale_top
from facetpath.patients.models import Assessment, Patient

CARE_ROWS = 3


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "mrn", "given_name", "family_name", "birth_date", "sex", "phone", "email",
            "preferred_language", "sms_consent", "email_consent",
        ]  # fmt: skip
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}

    def clean_mrn(self) -> str:
        mrn = str(self.cleaned_data["mrn"]).strip()
        others = Patient.objects.filter(clinic_id=self.instance.clinic_id, mrn=mrn).exclude(
            pk=self.instance.pk
        )
        if others.exists():
            raise forms.ValidationError("Another patient in this clinic already has this MRN.")
        return mrn


class AssessmentForm(forms.ModelForm):
    antithrombotics = forms.MultipleChoiceField(
        label="Anticoagulants and antiplatelets",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(drug.key, drug.label) for drug in ANTITHROMBOTICS.values()],
    )
    bleeding_risk_factors = forms.MultipleChoiceField(
        label="Patient factors that raise bleeding risk",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(RISK_FACTORS.items()),
    )
    implanted_device = forms.ChoiceField(
        label="Implanted electronic device",
        required=False,
        choices=[("", "None"), *IMPLANTED_DEVICES.items()],
    )
    fused_joints = forms.CharField(
        label="Prior fusion at (joints)",
        required=False,
        help_text="Joints separated by commas, e.g. L4-L5, L5-S1.",
    )

    class Meta:
        model = Assessment
        fields = [
            "date", "region", "index_pain", "pain_duration_months", "axial_predominant", "pain_scale",
            "baseline_pain", "disability_instrument", "disability_score", "untreated_radiculopathy",
            "neurogenic_claudication", "non_facet_cause", "facet_synovial_cyst", "infection",
            "red_flag_symptoms", "bleeding_disorder", "antithrombotics", "bleeding_risk_factors", "pregnancy",
            "contrast_allergy", "anaesthetic_allergy", "implanted_device", "fused_joints",
            "uncontrolled_diabetes", "uncontrolled_hypertension", "stop_override_reason",
        ]  # fmt: skip
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, can_override: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["stop_override_reason"]
        else:
            self.fields["stop_override_reason"].widget = forms.Textarea(attrs={"rows": 2})
            self.fields[
                "stop_override_reason"
            ].help_text = (
                "Physicians only: why the procedure may go ahead despite a stop that allows an override."
            )
        for row in range(CARE_ROWS):
            self.fields[f"care_{row}_modality"] = forms.CharField(label="Treatment tried", required=False)
            self.fields[f"care_{row}_weeks"] = forms.IntegerField(label="Weeks", required=False, min_value=0)
            self.fields[f"care_{row}_failed"] = forms.BooleanField(label="Did not help", required=False)
        if not self.is_bound:
            self._initial_from_instance()

    def _initial_from_instance(self) -> None:
        for row, care in enumerate(self.instance.conservative_care[:CARE_ROWS]):
            self.initial[f"care_{row}_modality"] = care.get("modality", "")
            self.initial[f"care_{row}_weeks"] = care.get("weeks")
            self.initial[f"care_{row}_failed"] = care.get("failed", False)
        self.initial["fused_joints"] = ", ".join(self.instance.fused_joints)

    def care_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"care_{row}_{part}"] for part in ("modality", "weeks", "failed")]
            for row in range(CARE_ROWS)
        ]

    def clean_fused_joints(self) -> list[str]:
        text = self.cleaned_data.get("fused_joints") or ""
        names = []
        for item in text.replace(";", ",").split(","):
            if item.strip():
                try:
                    names.append(parse_joint(item).name)
                except JointError as error:
                    raise forms.ValidationError(str(error)) from error
        return names

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_pain_scale(data)
        self._check_disability(data)
        data["conservative_care"] = self._care(data)
        return data

    def _check_pain_scale(self, data: dict[str, Any]) -> None:
        scale = data.get("pain_scale") or DEFAULT_PAIN_SCALE
        if scale not in PAIN_SCALES:
            return  # the scale's own field already says it is not one of the choices
        top = pain_scale_top(scale)
        pain = data.get("baseline_pain")
        if pain is not None and pain > top:
            self.add_error("baseline_pain", f"Must be between 0 and {top} on the {scale} scale.")

    def _check_disability(self, data: dict[str, Any]) -> None:
        instrument, score = data.get("disability_instrument"), data.get("disability_score")
        if instrument and score is None:
            self.add_error("disability_score", "Enter the score for the chosen instrument.")
        if score is not None and not instrument:
            self.add_error("disability_instrument", "Choose the instrument this score was measured with.")
        if instrument in ("ODI", "NDI") and score is not None and not 0 <= score <= 100:
            self.add_error("disability_score", f"{instrument} is a percentage from 0 to 100.")

    def _care(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        rows = []
        for row in range(CARE_ROWS):
            modality = (data.get(f"care_{row}_modality") or "").strip()
            weeks = data.get(f"care_{row}_weeks")
            if not modality and weeks is None:
                continue
            if not modality or weeks is None:
                self.add_error(
                    f"care_{row}_modality", "Give both the treatment and how many weeks it was tried."
                )
                continue
            rows.append(
                {"modality": modality, "weeks": weeks, "failed": bool(data.get(f"care_{row}_failed"))}
            )
        return rows

    def save(self, commit: bool = True) -> Assessment:
        self.instance.conservative_care = self.cleaned_data["conservative_care"]
        return super().save(commit)
