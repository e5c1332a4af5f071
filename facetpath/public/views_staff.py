"""The front-desk queue: appointment requests and questions from the public site, against the 24-hour promise.

Front desk, nurses and physicians work it (the capability to register and phone patients); every read and
change is audited like any patient data.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from facetpath.audit.coverage import reads_patient_data
from facetpath.audit.log import audit
from facetpath.clinics.access import staff_user
from facetpath.patients.models import Patient
from facetpath.public.access import access_contact_request, clinic_requests
from facetpath.public.models import ContactRequest

FILTERS = {"open": "Waiting for a call", "all": "All", **dict(ContactRequest.Status.choices)}
PAGE_SIZE = 50


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ContactRequest.Status.choices)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_note(self) -> str:
        return str(self.cleaned_data["note"]).replace("\x00", "").strip()


class MakePatientForm(forms.Form):
    mrn = forms.CharField(
        label="MRN", max_length=40, help_text="The clinic's medical record number for the new patient."
    )

    def __init__(self, *args: object, clinic_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.clinic_id = clinic_id

    def clean_mrn(self) -> str:
        mrn = str(self.cleaned_data["mrn"]).replace("\x00", "").strip()
        if not mrn:
            raise forms.ValidationError("Enter an MRN.")
        if Patient.objects.filter(clinic_id=self.clinic_id, mrn=mrn).exists():
            raise forms.ValidationError("Another patient in this clinic already has this MRN.")
        return mrn


@reads_patient_data
def request_list(request: HttpRequest) -> HttpResponse:
    shown = request.GET.get("show", "open")
    shown = shown if shown in FILTERS else "open"
    items = clinic_requests(request).select_related("status_by", "patient")
    if shown == "open":
        items = items.open()  # type: ignore[attr-defined]  # ContactRequest.objects is its own QuerySet
    elif shown != "all":
        items = items.filter(status=shown)
    # Open ones oldest first (the most urgent on top); answered ones newest first.
    items = items.order_by("created_at", "id") if shown in ("open", "new") else items.order_by("-created_at")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for item in page:
        item.state = item.timeliness(now)  # type: ignore[attr-defined]
    audit(request, "list", detail=f"appointment requests: {shown}")
    return render(request, "public/queue.html", {"page": page, "shown": shown, "filters": FILTERS})


@reads_patient_data
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    item = access_contact_request(request, request_id)
    audit(request, "view", item, item.patient)
    return _detail(request, item, StatusForm(initial={"status": item.status, "note": item.note}), None)


def _detail(
    request: HttpRequest,
    item: ContactRequest,
    status_form: StatusForm,
    patient_form: MakePatientForm | None,
    status: int = 200,
) -> HttpResponse:
    if patient_form is None:
        patient_form = MakePatientForm(initial={"mrn": f"R-{item.pk}"}, clinic_id=item.clinic_id)
    context = {
        "item": item,
        "state": item.timeliness(),
        "status_form": status_form,
        "patient_form": patient_form,
    }
    return render(request, "public/request_detail.html", context, status=status)


@require_POST
@reads_patient_data
def request_status(request: HttpRequest, request_id: int) -> HttpResponse:
    item = access_contact_request(request, request_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        audit(request, "view", item, item.patient, detail="status form rejected")
        return _detail(request, item, form, None, status=400)
    before = item.status
    item.set_status(form.cleaned_data["status"], staff_user(request), form.cleaned_data["note"])
    audit(request, "update", item, item.patient, detail=f"status: {before} → {item.status}")
    messages.success(request, f"Marked {item.get_status_display().lower()}.")
    return redirect("request-detail", item.pk)


@require_POST
@reads_patient_data
def request_make_patient(request: HttpRequest, request_id: int) -> HttpResponse:
    item = access_contact_request(request, request_id)
    if item.patient_id is not None:
        messages.info(request, "This request already has a patient.")
        return redirect("patient", item.patient_id)
    form = MakePatientForm(request.POST, clinic_id=item.clinic_id)
    if not form.is_valid():
        audit(request, "view", item, item.patient, detail="patient form rejected")
        return _detail(request, item, StatusForm(initial={"status": item.status}), form, status=400)
    try:
        with transaction.atomic():
            patient = item.make_patient(staff_user(request), form.cleaned_data["mrn"])
            audit(request, "create", patient, patient, detail=f"from request #{item.pk}")
            audit(request, "create", patient.assessments.get(), patient, detail="draft from request")
            audit(request, "update", item, patient, detail="made a patient")
    except IntegrityError:  # the same MRN saved by someone else a moment ago
        form.add_error("mrn", "Another patient in this clinic already has this MRN.")
        audit(request, "view", item, item.patient, detail="patient form rejected")
        return _detail(request, item, StatusForm(initial={"status": item.status}), form, status=400)
    messages.success(request, f"Added {patient.full_name} with a draft assessment to complete.")
    return redirect("patient", patient.pk)
