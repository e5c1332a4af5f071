"""Forms of the diary: the patient's entry and warning signs, and the staff's adjustments."""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from facetpath.clinical.scales import pain_scale_range
from facetpath.diary.models import DIARY_PAIN_SCALE, DiarySettings
from facetpath.diary.services import EntryData
from facetpath.procedures.vocabulary import MOVEMENT_LABELS

KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
PAIN_CHOICES = [(str(n), str(n)) for n in pain_scale_range(DIARY_PAIN_SCALE)]
CHANGE_CHOICES = [("easier", _("Easier")), ("same", _("Same")), ("harder", _("Harder"))]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class KeyField(forms.CharField):
    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not KEY.match(text):
            raise forms.ValidationError(_("This form is out of date. Reload the page and try again."))
        return str(text)


class EntryForm(forms.Form):
    key = KeyField(widget=forms.HiddenInput, max_length=64)
    entered_at = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    # Set once the patient has said "answer now anyway" to an answer well before the next time.
    confirm_early = forms.BooleanField(widget=forms.HiddenInput, required=False)
    pain = forms.TypedChoiceField(
        label=_("How bad is your usual pain right now?"),
        choices=PAIN_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a number from 0 to 10. 0 means no pain.")},
    )
    relief_percent = forms.IntegerField(
        label=_("How much better is your usual pain than before the injection? (percent, optional)"),
        required=False,
        min_value=0,
        max_value=100,
    )
    took_pain_medicine = forms.ChoiceField(
        label=_("Did you take any pain medicine since your last answer?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=_("Anything else? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, movements: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.movement_keys = [m for m in movements if m in MOVEMENT_LABELS]
        # Shared, not copied: Django deep-copies each form's fields so that one form may change its own,
        # which this form never does, and the copy was a tenth of every diary answer (bench/diary.py).
        self.fields = {**_ENTRY_FIELDS, **{f"move_{key}": _movement_field(key) for key in self.movement_keys}}

    def movement_fields(self) -> list[Any]:
        return [self[f"move_{key}"] for key in self.movement_keys]

    def clean_note(self) -> str:
        return str(self.cleaned_data.get("note") or "").replace("\x00", "").strip()

    def clean_entered_at(self) -> datetime | None:
        text = self.cleaned_data.get("entered_at") or ""
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
            if moment is None or moment.tzinfo is None:
                return None
            return moment.astimezone(UTC)  # also refuses times that do not exist in UTC (year 0)
        except (ValueError, OverflowError):
            return None  # a bad phone clock is not the patient's problem: the server's time is used

    def entry_data(self) -> EntryData:
        data = self.cleaned_data
        medicine = {"yes": True, "no": False}.get(data.get("took_pain_medicine") or "")
        movements = {key: data[f"move_{key}"] for key in self.movement_keys if data.get(f"move_{key}")}
        return EntryData(
            idempotency_key=data["key"],
            pain=data["pain"],
            relief_percent=data.get("relief_percent"),
            movements=movements,
            took_pain_medicine=medicine,
            note=data["note"],
            entered_at=data.get("entered_at"),
            confirmed_early=bool(data.get("confirm_early")),
        )


_ENTRY_FIELDS, EntryForm.base_fields = EntryForm.base_fields, {}


@cache
def _movement_field(key: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=MOVEMENT_LABELS[key], choices=CHANGE_CHOICES, widget=forms.RadioSelect, required=False
    )


class WarningForm(forms.Form):
    key = KeyField(widget=forms.HiddenInput, max_length=64)
    signs = forms.MultipleChoiceField(
        label=_("Which of these do you have now?"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one sign, or go back to the diary.")},
    )
    note = forms.CharField(label=_("Tell us more (optional)"), required=False, max_length=500)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        """`choices`: the signs in the after-care sheet's words for this procedure (discharge.warning_choices)."""
        super().__init__(*args, **kwargs)
        self.fields["signs"].choices = choices  # type: ignore[attr-defined]

    def clean_note(self) -> str:
        return str(self.cleaned_data.get("note") or "").replace("\x00", "").strip()


class AddSlotForm(forms.Form):
    minutes = forms.IntegerField(
        label="Extra time (minutes after the end)", min_value=1, max_value=366 * 24 * 60
    )


class MinutesListField(forms.CharField):
    """A comma-separated list of whole numbers, e.g. "15, 30, 45"."""

    def __init__(self, *, maximum: int, **kwargs: Any) -> None:
        self.maximum = maximum
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(str(v) for v in value) if isinstance(value, list) else value

    def clean(self, value: Any) -> list[int]:  # type: ignore[override]
        text = str(super().clean(value) or "")
        numbers = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            if not part.isascii() or not part.isdigit() or not 0 < int(part) <= self.maximum:
                raise forms.ValidationError(f'"{part[:20]}" is not a whole number from 1 to {self.maximum}.')
            numbers.append(int(part))
        return sorted(set(numbers))


class DiarySettingsForm(forms.ModelForm):
    diagnostic_minutes = MinutesListField(label="Diagnostic diary: minutes after the block", maximum=24 * 60)
    diagnostic_days = MinutesListField(
        label="Diagnostic diary: days after (at the morning hour)", maximum=30, required=False
    )
    follow_up_days = MinutesListField(label="Therapeutic and RFA follow-ups: days after", maximum=366)

    class Meta:
        model = DiarySettings
        fields = [
            "diagnostic_minutes", "diagnostic_days", "follow_up_days", "morning_hour", "link_valid_days",
            "quiet_start", "quiet_end", "on_call_email", "reminders_by_sms", "reminders_by_email",
        ]  # fmt: skip
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }
