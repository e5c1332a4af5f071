"""Patient list, patient page with its timeline, demographics and assessment forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from facetpath.audit.coverage import reads_patient_data
from facetpath.audit.log import audit
from facetpath.clinics.access import require, staff_user
from facetpath.clinics.roles import Capability
from facetpath.patients import actions
from facetpath.patients.access import access_assessment, access_patient, clinic_patients
from facetpath.patients.forms import AssessmentForm, PatientForm
from facetpath.patients.models import Assessment, Patient, Stage
from facetpath.patients.search import search_patients
from facetpath.procedures import actions as procedure_actions
from facetpath.procedures import interpretation, plans
from facetpath.procedures.models import Procedure
from facetpath.reports.context import packet

PAGE_SIZE = 50


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even an empty one), else None for an unbound form."""
    return request.POST if request.method == "POST" else None


@reads_patient_data
def patient_list(request: HttpRequest) -> HttpResponse:
    patients = clinic_patients(request)
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]  # PostgreSQL refuses NUL
    patients = search_patients(patients, query)
    stage = request.GET.get("stage", "")
    clinic = require(request, Capability.VIEW_PATIENTS).clinic
    patients = _by_stage(patients, stage, clinic.today())
    found = list(patients.order_by("family_name", "given_name", "id")[: PAGE_SIZE + 1])
    audit(request, "search" if query or stage else "list", detail=f"patients: {query} {stage}"[:300])
    context = {
        "patients": found[:PAGE_SIZE],
        "more": len(found) > PAGE_SIZE,
        "query": query,
        "stage": stage,
        "stage_label": STAGE_FILTERS.get(stage, ""),
    }
    # django-htmx's middleware sets request.htmx; the stubs do not know it.
    template = "patients/_rows.html" if request.htmx else "patients/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


STAGE_FILTERS = {
    "second-block-due": "Second block due",
    "rfa-due": "RFA or repeat RFA may go ahead",
    "overdue": "Follow-up overdue",
    "new": "Awaiting assessment",
    "awaiting-block": "Awaiting first block",
}


def _by_stage(patients: QuerySet[Patient], stage: str, today: date) -> QuerySet[Patient]:
    """The worklist's "show all" filters; an unknown value filters nothing."""
    if stage == "second-block-due":
        return patients.filter(stage=Stage.SECOND_BLOCK_DUE)
    if stage == "rfa-due":
        return patients.filter(stage__in=[Stage.RFA_DUE, Stage.REPEAT_RFA_DUE])
    if stage == "overdue":
        return patients.filter(follow_up_due__lt=today)
    if stage in (Stage.NEW, Stage.AWAITING_BLOCK):
        return patients.filter(stage=stage)
    return patients


def patient_new(request: HttpRequest) -> HttpResponse:
    membership = require(request, Capability.EDIT_DEMOGRAPHICS)
    form = PatientForm(_posted(request), instance=Patient(clinic=membership.clinic))
    if request.method == "POST" and form.is_valid():
        patient = actions.create_patient(request, form)
        messages.success(request, f"Added {patient.full_name}.")
        return redirect("patient", patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": None})


@reads_patient_data
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = access_patient(request, patient_id, Capability.EDIT_DEMOGRAPHICS)
    form = PatientForm(_posted(request), instance=patient)
    if request.method == "POST" and form.is_valid():
        actions.update_patient(request, patient, form)
        messages.success(request, "Saved.")
        return redirect("patient", patient.pk)
    audit(request, "view", patient, patient, detail="demographics form")
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@reads_patient_data
def patient_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = access_patient(request, patient_id)
    membership = require(request, Capability.VIEW_PATIENTS)
    context: dict[str, Any] = {"patient": patient, "today": membership.clinic.today()}
    if membership.can(Capability.VIEW_CLINICAL):
        context.update(_clinical_timeline(patient))
    else:
        context["upcoming"] = patient.procedures.filter(status=Procedure.Status.PLANNED).order_by("date")
    audit(request, "view", patient, patient)
    return render(request, "patients/patient.html", context)


def _clinical_timeline(patient: Patient) -> dict[str, Any]:
    procedures = interpretation.patient_procedures(patient)
    included = [p for p in procedures if p.status != Procedure.Status.CANCELLED]
    assessments = list(patient.assessments.order_by("date", "id"))
    complete = [a for a in assessments if not a.is_draft]  # a draft from a request is not evaluated
    latest = complete[-1] if complete else None
    result_of = interpretation.evaluate(patient, latest, included)
    # The timeline's lines, as data: patients/patient.html prints them.
    events: list[dict[str, Any]] = [
        {"date": a.date, "kind": "assessment", "assessment": a} for a in assessments
    ]
    for procedure in procedures:
        result = result_of.for_procedure(procedure) if procedure.status != "cancelled" else None
        signed = next(iter(procedure.sign_offs.all()), None)
        events.append(
            {
                "date": procedure.date,
                "kind": "procedure",
                "procedure": procedure,
                "result": result,
                "signed": signed,
                "diary_count": len(procedure.diary_scores.all()),
            }
        )
    events.sort(key=lambda event: (event["date"], event["kind"] == "procedure"))
    safety = latest.safety() if latest else None
    return {
        "events": events,
        "interpretation": result_of,
        "assessment": latest,
        "safety": safety,
        "override": latest,
        "next_step_link": plans.next_step_link(result_of.evaluation, patient.pk),
        "packet": packet(patient),  # the prior-authorization checklist, live (facetpath.reports)
    }


@reads_patient_data
def assessment_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = access_patient(request, patient_id, Capability.EDIT_CLINICAL)
    return _assessment_form(request, patient, Assessment(patient=patient))


@reads_patient_data
def assessment_edit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(request, assessment_id, Capability.EDIT_CLINICAL)
    return _assessment_form(request, assessment.patient, assessment)


def _assessment_form(request: HttpRequest, patient: Patient, assessment: Assessment) -> HttpResponse:
    initial = {} if assessment.pk else {"date": require(request, Capability.EDIT_CLINICAL).clinic.today()}
    can_override = require(request, Capability.EDIT_CLINICAL).can(Capability.SIGN_OFF)
    form = AssessmentForm(_posted(request), instance=assessment, initial=initial, can_override=can_override)
    if request.method == "POST" and form.is_valid():
        procedure_actions.save_assessment(request, patient, form, staff_user(request))
        messages.success(request, "Assessment saved.")
        return redirect("patient", patient.pk)
    if assessment.pk:
        audit(request, "view", assessment, patient, detail="assessment form")
    else:  # a new assessment's form shows the patient (and, after an invalid POST, what was typed)
        audit(request, "view", patient, patient, detail="new assessment form")
    context = {"form": form, "patient": patient, "assessment": assessment, **_gate(patient, form)}
    return render(request, "patients/assessment_form.html", context)


@reads_patient_data
def assessment_preview(request: HttpRequest, patient_id: int) -> HttpResponse:
    """htmx: the policy's gate result and the safety screen for the form as it stands."""
    patient = access_patient(request, patient_id, Capability.EDIT_CLINICAL)
    form = AssessmentForm(_posted(request), instance=Assessment(patient=patient))
    audit(request, "preview", patient, patient, detail="assessment")
    return render(request, "patients/_gate.html", {"patient": patient, **_gate(patient, form)})


def _gate(patient: Patient, form: AssessmentForm) -> dict[str, Any]:
    if not form.is_bound:
        existing = form.instance if form.instance.pk else None
        if existing is None or existing.is_draft:  # a draft from a request has nothing to screen yet
            return {"gate": None, "safety": None}
        return {
            "gate": interpretation.evaluate(patient, existing, []),
            "safety": existing.safety(),
            "override": existing,
        }
    if not form.is_valid():
        return {"gate": None, "safety": None, "gate_errors": _error_list(form)}
    draft = form.save(commit=False)
    return {"gate": interpretation.evaluate(patient, draft, []), "safety": draft.safety()}


def _error_list(form: AssessmentForm) -> list[str]:
    return [
        f"{form.fields[name].label if name in form.fields else 'Form'}: {message}"
        for name, errors in form.errors.items()
        for message in errors
    ]


def patient_url(patient: Patient) -> str:
    return reverse("patient", args=[patient.pk])
