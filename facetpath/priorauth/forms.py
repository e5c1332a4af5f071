"""Prior-authorization forms. Each error names its field; valid values are kept when another is wrong."""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

from facetpath.clinical.prior_auth import COVERING_DECISIONS
from facetpath.patients.models import Patient
from facetpath.priorauth.models import Coverage, Decision, Payer, Place, Request
from facetpath.priorauth.status import planned_codes
from facetpath.procedures.models import Procedure

CPT_CODE = re.compile(r"^[0-9]{4}[0-9A-Z]$")
MAX_CODES = 12


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class CoverageForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Coverage
        fields = ["payer", "plan_name", "member_id", "place_of_service"]


class RequestForm(forms.Form):
    procedure = forms.ModelChoiceField(
        queryset=Procedure.objects.none(), required=False, empty_label="None (enter the date and codes)",
        label="Planned procedure", help_text="Its date and codes fill in the blanks below.",
    )  # fmt: skip
    date_of_service = forms.DateField(label="Date of service", required=False, widget=DateInput())
    codes = forms.CharField(
        label="CPT codes", required=False, max_length=200,
        help_text="Separated by commas or spaces, e.g. 64635, 64636. Blank: the planned procedure's codes.",
    )  # fmt: skip
    payer = forms.ChoiceField(choices=Payer.choices)
    place_of_service = forms.ChoiceField(label="Place of service", choices=Place.choices)
    sent_on = forms.DateField(label="Sent on", widget=DateInput())

    def __init__(self, data: Any, patient: Patient, today: date, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.patient, self.today = patient, today
        field = self.fields["procedure"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = patient.procedures.filter(status=Procedure.Status.PLANNED).order_by("date", "id")
        field.label_from_instance = _procedure_label  # type: ignore[method-assign,assignment]

    def clean_codes(self) -> list[str]:
        codes = [c for c in re.split(r"[\s,;]+", self.cleaned_data["codes"].strip().upper()) if c]
        wrong = [c for c in codes if not CPT_CODE.match(c)]
        if wrong:
            raise forms.ValidationError(f"{wrong[0][:20]!r} is not a CPT code (five characters, e.g. 64635)")
        if len(codes) > MAX_CODES:
            raise forms.ValidationError(f"at most {MAX_CODES} codes in one request")
        return list(dict.fromkeys(codes))

    def clean_sent_on(self) -> date:
        sent: date = self.cleaned_data["sent_on"]
        if sent > self.today:
            raise forms.ValidationError("cannot be in the future")
        return sent

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        procedure = data.get("procedure")
        if procedure is not None:
            data["date_of_service"] = data.get("date_of_service") or procedure.date
            if "codes" in data and not data["codes"]:
                data["codes"] = planned_codes(procedure)
        if (
            "date_of_service" in data
            and data["date_of_service"] is None
            and "date_of_service" not in self.errors
        ):
            self.add_error("date_of_service", "enter the date of service, or choose the planned procedure")
        if "codes" in data and not data["codes"] and "codes" not in self.errors:
            self.add_error("codes", "enter the CPT codes, or choose a planned procedure to take them from")
        day = data.get("date_of_service")
        if day and Request.objects.filter(patient=self.patient, date_of_service=day).exists():
            self.add_error(
                "date_of_service",
                "a request for this date of service exists (one request per date of service): resubmit it",
            )
        return data


def _procedure_label(procedure: Procedure) -> str:
    return f"{procedure.date:%d %b %Y} · {procedure.get_type_display()} {', '.join(procedure.joints)}"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    decided_on = forms.DateField(label="Decided on", widget=DateInput())
    utn = forms.CharField(
        label="UTN",
        required=False,
        max_length=40,
        help_text="The Unique Tracking Number on the decision letter.",
    )
    reasons = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The payer's reasons (required when not fully affirmed).",
    )  # fmt: skip

    def __init__(self, data: Any, sent_on: date, today: date, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.sent_on, self.today = sent_on, today

    def clean_utn(self) -> str:
        utn: str = self.cleaned_data["utn"].strip()
        if utn and not re.fullmatch(r"[A-Za-z0-9-]+", utn):
            raise forms.ValidationError("letters, digits and hyphens only")
        return utn.upper()

    def clean_decided_on(self) -> date:
        decided: date = self.cleaned_data["decided_on"]
        if decided > self.today:
            raise forms.ValidationError("cannot be in the future")
        if decided < self.sent_on:
            raise forms.ValidationError(f"cannot be before the request was sent ({self.sent_on:%d %b %Y})")
        return decided

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision in COVERING_DECISIONS and "utn" in data and not data["utn"]:
            self.add_error("utn", "an affirmation carries a UTN: enter it")
        if decision and decision != Decision.AFFIRMED and not data.get("reasons", "").strip():
            self.add_error("reasons", "say why the payer did not affirm every line")
        return data


class ResubmitForm(forms.Form):
    sent_on = forms.DateField(label="Sent on", widget=DateInput())
    note = forms.CharField(
        required=False, max_length=300, help_text="What was added or changed (e.g. the second block's diary)."
    )

    def __init__(self, data: Any, decided_on: date | None, today: date, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.decided_on, self.today = decided_on, today

    def clean_sent_on(self) -> date:
        sent: date = self.cleaned_data["sent_on"]
        if sent > self.today:
            raise forms.ValidationError("cannot be in the future")
        if self.decided_on and sent < self.decided_on:
            raise forms.ValidationError(f"cannot be before the last decision ({self.decided_on:%d %b %Y})")
        return sent


class BlockExportForm(forms.Form):
    date_from = forms.DateField(label="From", widget=DateInput())
    date_to = forms.DateField(label="To", widget=DateInput(), help_text="Both days included.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "must be on or after the From date")
        return data
