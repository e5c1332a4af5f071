"""The audit page: the clinic's trail, filtered by patient, user, action and date, and its CSV export.

Reading the trail is itself a read of patient data (it names patients), so each page and each export is
audited, with the filters used.
"""

from __future__ import annotations

import csv
import zoneinfo
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from facetpath.audit.coverage import reads_patient_data
from facetpath.audit.log import audit
from facetpath.audit.models import AuditEvent
from facetpath.clinics.access import require
from facetpath.clinics.models import Clinic
from facetpath.clinics.roles import Capability
from facetpath.clinics.spreadsheet import Echo, cell
from facetpath.patients.models import Patient

PAGE_SIZE = 100
CSV_COLUMNS = [
    "when (UTC)",
    "user",
    "action",
    "patient MRN",
    "patient number",
    "record",
    "address",
    "path",
    "detail",
]


class AuditFilterForm(forms.Form):
    patient = forms.CharField(required=False, max_length=64, help_text="MRN, or the patient's number")
    user = forms.CharField(required=False, max_length=150, label="User")
    action = forms.ChoiceField(required=False)
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any, actions: list[str]) -> None:
        super().__init__(data)
        choices = cast(forms.ChoiceField, self.fields["action"])
        choices.choices = [("", "any"), *((action, action) for action in actions)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


def _local_midnight(day: Any, clinic: Clinic) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zoneinfo.ZoneInfo(clinic.time_zone))


def filtered(events: QuerySet[AuditEvent], form: AuditFilterForm, clinic: Clinic) -> QuerySet[AuditEvent]:
    """The events the valid filters ask for; a filter with an error is left out (the form says why)."""
    form.is_valid()
    chosen = {name: value for name, value in form.cleaned_data.items() if value}
    if "patient" in chosen:
        wanted = chosen["patient"].strip()
        ids = Patient.objects.filter(clinic=clinic, mrn__iexact=wanted).values_list("pk", flat=True)
        match = Q(patient_ref__in=list(ids))
        events = events.filter(match | Q(patient_ref=int(wanted)) if wanted.isdigit() else match)
    if "user" in chosen:
        events = events.filter(username__icontains=chosen["user"].strip())
    if "action" in chosen:
        events = events.filter(action=chosen["action"])
    if "date_from" in chosen:  # the clinic's days, as the page shows them
        events = events.filter(when__gte=_local_midnight(chosen["date_from"], clinic))
    if "date_to" in chosen:
        events = events.filter(when__lt=_local_midnight(chosen["date_to"] + timedelta(days=1), clinic))
    return events


def _filters_used(form: AuditFilterForm) -> str:
    used = [f"{name}={value}" for name, value in getattr(form, "cleaned_data", {}).items() if value]
    return f" ({', '.join(used)})" if used else ""


def _events_and_form(request: HttpRequest) -> tuple[QuerySet[AuditEvent], AuditFilterForm, Clinic]:
    clinic = require(request, Capability.VIEW_AUDIT).clinic
    events = AuditEvent.objects.filter(clinic=clinic)
    actions = sorted(set(events.values_list("action", flat=True).distinct()))
    form = AuditFilterForm(request.GET, actions)
    return filtered(events, form, clinic).select_related("patient"), form, clinic


@reads_patient_data
def audit_trail(request: HttpRequest) -> HttpResponse:
    events, form, _clinic = _events_and_form(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    # Read the rows now: the page's slice was sized before this view's own audit row below exists, and a
    # lazy slice evaluated afterwards would push the oldest row off the page.
    page.object_list = list(page.object_list)
    audit(request, "view", detail=f"audit trail page {page.number}{_filters_used(form)}")
    return render(request, "web/audit.html", {"page": page, "form": form})


def _rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        mrn = event.patient.mrn if event.patient is not None else ""
        record = f"{event.object_type} {event.object_id}".strip()
        row = [event.when.isoformat(), event.username, event.action, mrn, event.patient_ref, record]
        yield writer.writerow([cell(value) for value in [*row, event.ip, event.path, event.detail]])


@reads_patient_data
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    events, form, clinic = _events_and_form(request)
    audit(request, "export", detail=f"audit trail CSV{_filters_used(form)}")
    response = StreamingHttpResponse(_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{clinic.pk}.csv"'
    return response
