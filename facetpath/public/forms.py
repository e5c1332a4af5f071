"""The public forms: an appointment request and a question. Every error names its field; valid input stays."""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from facetpath.public.models import ContactRequest

# Bots fill every field they find; people never see this one (hidden from sight and from screen readers).
HONEYPOT = "website"


def _no_nul(value: str) -> str:
    return value.replace("\x00", "").strip()


class PublicRequestForm(forms.ModelForm):
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
            "given_name", "family_name", "phone", "email", "pain_area", "pain_duration", "contact_times",
            "insurance", "referral", "message", "consent",
        ]  # fmt: skip
        widgets = {
            "message": forms.Textarea(attrs={"rows": 4}),
            "pain_area": forms.RadioSelect,
            "pain_duration": forms.RadioSelect,
            "referral": forms.RadioSelect,
        }
        help_texts = {
            "contact_times": _("For example: weekday mornings, or after 5 pm."),
            "insurance": _("The name of your plan, or “none”."),
            "message": _("Anything else you want us to know. Please do not send test results here."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("phone", "email", "pain_area", "pain_duration"):
            self.fields[name].required = True
        # Radio lists start with nothing chosen (no "---------" choice).
        for name in ("pain_area", "pain_duration", "referral"):
            field = self.fields[name]
            field.choices = [c for c in field.choices if c[0] != ""]  # type: ignore[attr-defined]


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
