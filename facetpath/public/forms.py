"""The public forms: an appointment request and a question. Every error names its field; valid input stays."""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facetpath.public.models import ContactRequest

# Bots fill every field they find; people never see this one (hidden from sight and from screen readers).
HONEYPOT = "website"
# No one alive was born before this year; a date before it is a typo (1066 for 1966).
EARLIEST_BIRTH = date(1900, 1, 1)


def _no_nul(value: str) -> str:
    return value.replace("\x00", "").strip()


class PublicRequestForm(forms.ModelForm):
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()  # the clinic's today, from the view
        self.fields[HONEYPOT].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        for name in ("given_name", "family_name"):
            self.fields[name].widget.attrs["autocomplete"] = (
                "given-name" if name == "given_name" else "family-name"
            )
        if "phone" in self.fields:
            self.fields["phone"].widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["consent"].required = True
        self.fields["consent"].error_messages["required"] = _("Please tick this box so we may contact you.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = _no_nul(value)  # PostgreSQL text cannot hold NUL
        return cleaned

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())


class AppointmentRequestForm(PublicRequestForm):
    class Meta:
        model = ContactRequest
        fields = [
            "given_name", "family_name", "birth_date", "phone", "email", "pain_area", "pain_duration", "contact_times",
            "insurance", "referral", "message", "consent",
        ]  # fmt: skip
        widgets = {
            "message": forms.Textarea(attrs={"rows": 4}),
            "pain_area": forms.RadioSelect,
            "pain_duration": forms.RadioSelect,
            "referral": forms.RadioSelect,
        }
        help_texts = {
            "birth_date": _("It helps us find your records. You may leave it empty."),
            "phone": _("A phone number or an e-mail address: we need at least one."),
            "contact_times": _("For example: weekday mornings, or after 5 pm."),
            "insurance": _("The name of your plan, or “none”."),
            "message": _("Anything else you want us to know. Please do not send test results here."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("pain_area", "pain_duration"):
            self.fields[name].required = True
        # Radio lists start with nothing chosen (no "---------" choice).
        for name in ("pain_area", "pain_duration", "referral"):
            field = self.fields[name]
            field.choices = [c for c in field.choices if c[0] != ""]  # type: ignore[attr-defined]
        birth = self.fields["birth_date"]
        birth.widget = forms.DateInput(
            format="%Y-%m-%d",
            attrs={"type": "date", "autocomplete": "bday", "min": EARLIEST_BIRTH.isoformat(),
                   "max": self.today.isoformat()},
        )  # fmt: skip
        birth.error_messages["invalid"] = _("Please give the date of birth as a date, like 1960-04-23.")

    def clean_birth_date(self) -> date | None:
        born: date | None = self.cleaned_data.get("birth_date")
        if born is not None and born > self.today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born is not None and born < EARLIEST_BIRTH:
            raise forms.ValidationError(_("The date of birth cannot be before 1900."))
        return born

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and not self.has_error("email"):
            # One way to reach the person is enough; neither leaves the desk no way to keep the promise.
            raise forms.ValidationError(
                _("Please give a phone number or an e-mail address (or both), so we can reach you."),
                code="no-contact",
            )
        return cleaned


class QuestionForm(PublicRequestForm):
    class Meta:
        model = ContactRequest
        fields = ["given_name", "family_name", "email", "phone", "message", "consent"]
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}
        labels = {"message": _("Your question")}
        help_texts = {
            "email": _("We answer by e-mail. Only you see the answer."),
            "message": _("Please do not send test results here."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["message"].required = True
