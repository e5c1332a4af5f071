"""Forms for procedures, diary scores, follow-ups and sign-off.

The procedure form checks the draft against the case contract by asking the core to parse the whole case
(`parse_case`), and shows each of its errors on the field it names.
"""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.contrib.auth.models import AbstractBaseUser

from facetpath.clinical.anatomy import JOINTS
from facetpath.clinical.scales import DEFAULT_PAIN_SCALE, pain_scale_top
from facetpath.clinical.schedule import DIARY_SCHEDULE_MINUTES
from facetpath.patients.models import Assessment, Patient
from facetpath.procedures import interpretation
from facetpath.procedures.models import Procedure
from facetpath.procedures.vocabulary import PAINFUL_MOVEMENTS

# The case document's field → the form field that shows its error.
CASE_FIELD_TO_FORM = {
    "agent": "agent_name",
    "agent.name": "agent_name",
    "agent.concentration_percent": "agent_concentration_percent",
    "agent.volume_ml_per_nerve": "agent_volume_ml_per_nerve",
    "steroid": "steroid_name",
    "steroid.name": "steroid_name",
    "steroid.dose_mg": "steroid_dose_mg",
    "rfa": "rfa_technique",
    "rfa.technique": "rfa_technique",
    "rfa.temperature_c": "rfa_temperature_c",
}
CASE_ERROR = re.compile(r"^procedures\[(\d+)\]\.([a-z_]+(?:\.[a-z_]+)?)(?:\[\d+\])?(?:\.[a-z_]+)?:\s*(.*)$")


def joint_choices(region: str | None) -> list[tuple[str, str]]:
    return [(joint.name, joint.name) for joint in JOINTS if region is None or joint.region == region]


class ProcedureForm(forms.ModelForm):
    joints = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, choices=joint_choices(None))
    painful_movements = forms.MultipleChoiceField(
        label="Movements that hurt before (asked in the patient's diary)",
        widget=forms.CheckboxSelectMultiple,
        choices=PAINFUL_MOVEMENTS,
        required=False,
    )
    amendment_reason = forms.CharField(
        label="Why are you changing a signed record?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Procedure
        fields = [
            "date", "status", "type", "intent", "joints", "side", "guidance", "sedation", "sedation_reason",
            "agent_name", "agent_concentration_percent", "agent_volume_ml_per_nerve", "steroid_name",
            "steroid_dose_mg", "rfa_technique", "rfa_temperature_c", "early_repeat_reason",
            "rfa_unsuitable_reason", "pre_pain", "start_time", "end_time", "operator", "contrast_used",
            "complications", "notes", "painful_movements",
        ]  # fmt: skip
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
            "complications": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self, *args: Any, patient: Patient, assessment: Assessment | None, operators: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.patient, self.assessment = patient, assessment
        self.instance.patient = patient
        joints = cast(forms.MultipleChoiceField, self.fields["joints"])
        joints.choices = joint_choices(assessment.region if assessment else None)
        operator = cast(forms.ModelChoiceField, self.fields["operator"])  # type: ignore[type-arg]
        operator.queryset = operators
        operator.label_from_instance = lambda user: user.get_full_name() or user.get_username()  # type: ignore[assignment]
        self.signed = bool(self.instance.pk and self.instance.sign_offs.exists())
        if not self.signed:
            del self.fields["amendment_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        top = pain_scale_top(self.assessment.pain_scale if self.assessment else DEFAULT_PAIN_SCALE)
        if data.get("pre_pain") is not None and data["pre_pain"] > top:
            self.add_error("pre_pain", f"Must be between 0 and {top} on this patient's pain scale.")
        if self.signed and not (data.get("amendment_reason") or "").strip():
            self.add_error("amendment_reason", "This procedure is signed off: say why you are changing it.")
        if data.get("type") in ("rfa", "cyst"):
            data["intent"] = ""
        elif not data.get("intent"):
            self.add_error("intent", "Choose diagnostic or therapeutic.")
        return data

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # ModelForm has it; the stubs do not
        if not self.errors and self.assessment is not None:
            self._check_case()

    def _check_case(self) -> None:
        """Asks the core to parse the case with this draft in it and maps its errors onto the form."""
        draft = self.instance
        diary = list(draft.diary_scores.all()) if draft.pk else []
        follow_ups = list(draft.follow_ups.all()) if draft.pk else []
        others = [p for p in interpretation.case_procedures(self.patient) if p.pk != draft.pk]
        documents = [p.to_case_dict() for p in others]
        if draft.status != Procedure.Status.CANCELLED:
            documents.append(draft.to_case_dict(diary, follow_ups))
        case = interpretation.build_case(self.patient, self.assessment, procedures=[])
        assert case is not None
        case["procedures"] = documents
        for message in interpretation.case_errors(case):
            self._show_case_error(message, len(documents) - 1)

    def _show_case_error(self, message: str, draft_index: int) -> None:
        match = CASE_ERROR.match(message)
        if match is None or int(match.group(1)) != draft_index:
            self.add_error(None, message)
            return
        case_field, text = match.group(2), match.group(3)
        name = CASE_FIELD_TO_FORM.get(case_field, case_field)
        self.add_error(name if name in self.fields else None, text)

    def changes(self) -> dict[str, list[Any]]:
        """field: [before, after] for an amendment record."""
        return {
            name: [_plain(self.initial.get(name)), _plain(self.cleaned_data.get(name))]
            for name in self.changed_data
            if name != "amendment_reason"
        }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    if isinstance(value, AbstractBaseUser):
        return value.get_username()
    return str(value)


class RescheduleForm(forms.Form):
    """The front desk's booking of a planned procedure: a day and, when known, a start time."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="Time", required=False, widget=forms.TimeInput(attrs={"type": "time"}))


class DiaryForm(forms.Form):
    """The diary sheet: one pain score per time point; blank means not reported."""

    extra_minutes = forms.IntegerField(
        label="Other time (minutes)", required=False, min_value=1, max_value=10080
    )
    extra_pain = forms.IntegerField(label="Pain at that time", required=False, min_value=0)
    amendment_reason = forms.CharField(
        label="Why are you changing a signed diary?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        scale_max: int,
        signed: bool,
        existing: dict[int, int],
        marks: dict[int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scale_max, self.signed = scale_max, signed
        self.marks = marks or {}
        minutes = sorted(set(DIARY_SCHEDULE_MINUTES) | set(existing))
        for minute in minutes:
            # A patient's answer off its time says so in words: "7 min (extra)", "14 min (early)".
            mark = f" ({self.marks[minute]})" if minute in self.marks else ""
            self.fields[f"at_{minute}"] = forms.IntegerField(
                label=_minutes_label(minute) + mark, required=False, min_value=0, max_value=scale_max,
                initial=existing.get(minute),
            )  # fmt: skip
        cast(forms.IntegerField, self.fields["extra_pain"]).max_value = scale_max
        if not signed:
            del self.fields["amendment_reason"]

    def point_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("at_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("extra_minutes") is None) != (data.get("extra_pain") is None):
            self.add_error("extra_minutes", "Give both the time and the pain score, or neither.")
        if data.get("extra_pain") is not None and data["extra_pain"] > self.scale_max:
            self.add_error("extra_pain", f"Must be between 0 and {self.scale_max}.")
        if self.signed and self.has_changed() and not (data.get("amendment_reason") or "").strip():
            self.add_error("amendment_reason", "This diary is signed off: say why you are changing it.")
        return data

    def scores(self) -> dict[int, int | None]:
        """minutes → pain (None: clear that point)."""
        result: dict[int, int | None] = {
            int(name[3:]): value for name, value in self.cleaned_data.items() if name.startswith("at_")
        }
        if self.cleaned_data.get("extra_minutes") is not None:
            result[self.cleaned_data["extra_minutes"]] = self.cleaned_data["extra_pain"]
        return result


def _minutes_label(minutes: int) -> str:
    """15 min, 2 h, 20 h 10 min (a diary's morning answer falls at such a time, not a round hour)."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


class FollowUpForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    pain = forms.IntegerField(required=False, min_value=0, max_value=100)
    disability_score = forms.FloatField(label="Disability score", required=False, min_value=0, max_value=100)

    def __init__(self, *args: Any, scale_max: int, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scale_max, self.procedure = scale_max, procedure
        cast(forms.IntegerField, self.fields["pain"]).max_value = scale_max

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pain") is None and data.get("disability_score") is None:
            self.add_error("pain", "Enter a pain score, a disability score, or both.")
        if data.get("pain") is not None and data["pain"] > self.scale_max:
            self.add_error("pain", f"Must be between 0 and {self.scale_max}.")
        if data.get("date") and data["date"] < self.procedure.date:
            self.add_error("date", f"Must be on or after the procedure date ({self.procedure.date}).")
        return data


class SignOffForm(forms.Form):
    """The physician's sign-off. A block with something missing (`sign_off_gap`) is signed only with a
    reason (procedures.actions.sign_off holds that gate: it knows the interpretation being signed)."""

    SUGGESTED_REASONS = (
        "diary not returned",
        "patient could not be reached for the diary",
        "no pain score recorded before the block",
    )
    reason = forms.CharField(
        label="Why sign now? (kept with the sign-off)",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"list": "sign-reasons"}),
    )
    comment = forms.CharField(
        label="Comment (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_reason(self) -> str:
        return " ".join(str(self.cleaned_data.get("reason") or "").replace("\x00", "").split())


def sign_off_gap(procedure: Procedure, entry: dict[str, Any] | None) -> str:
    """What a block's interpretation lacks to be signed without a reason ("" when nothing): a response
    still pending, or no pain score before the block to measure relief against."""
    if not procedure.is_diagnostic_block or entry is None:
        return ""
    if entry.get("response") == "pending":
        return "The response is pending (the diary is not complete)"
    if procedure.pre_pain is None:
        return "No pain score was recorded before the block"
    return ""
