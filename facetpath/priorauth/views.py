"""Prior-authorization pages (a patient's requests, coverage, decision, resubmission) and the blocks CSV.
Thin: access helpers fetch, forms check, actions write, templates print. Every answer that shows patient data
writes its audit row, a form shown again after an invalid POST included."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from facetpath.audit.coverage import reads_patient_data
from facetpath.audit.log import audit
from facetpath.clinical.prior_auth import may_resubmit, tracking_rules
from facetpath.clinics.access import as_id, require, staff_user
from facetpath.priorauth import actions, export
from facetpath.priorauth.access import BLOCK_EXPORT, access_pa_patient, access_request
from facetpath.priorauth.forms import BlockExportForm, CoverageForm, DecisionForm, RequestForm, ResubmitForm
from facetpath.priorauth.models import Coverage, Request
from facetpath.priorauth.status import planned_statuses
from facetpath.procedures.models import Procedure


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _shown(request: HttpRequest, obj: Any, patient: Any, what: str) -> None:
    rejected = " rejected" if request.method == "POST" else ""
    audit(request, "view", obj, patient, detail=f"{what}{rejected}")


@reads_patient_data
def patient_prior_auth(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = access_pa_patient(request, patient_id)
    coverage = Coverage.objects.filter(patient=patient).first()
    requests = list(
        Request.objects.filter(patient=patient).select_related("procedure").prefetch_related("submissions")
    )
    planned = patient.procedures.filter(status=Procedure.Status.PLANNED).order_by("date", "id")
    context = {
        "patient": patient,
        "coverage": coverage,
        "requests": [(r, may_resubmit(r.state)) for r in requests],
        "planned": planned_statuses(planned, coverage, requests),
        "rules": tracking_rules(),
    }
    audit(request, "view", patient, patient, detail="prior authorization")
    return render(request, "priorauth/patient.html", context)


@reads_patient_data
def coverage_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = access_pa_patient(request, patient_id)
    instance = Coverage.objects.filter(patient=patient).first() or Coverage(patient=patient)
    form = CoverageForm(_posted(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        actions.do_save_coverage(request, patient, form, staff_user(request))
        messages.success(request, "Coverage saved.")
        return redirect("prior-auth", patient.pk)
    _shown(request, patient, patient, "coverage form")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "priorauth/coverage_form.html",
        {"form": form, "patient": patient, "heading": "Coverage"},
        status=status,
    )


@reads_patient_data
def request_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = access_pa_patient(request, patient_id)
    today = patient.clinic.today()
    coverage = Coverage.objects.filter(patient=patient).first()
    initial: dict[str, Any] = {"sent_on": today}
    if coverage is not None:
        initial.update(payer=coverage.payer, place_of_service=coverage.place_of_service)
    wanted = as_id(request.GET.get("procedure", ""))
    if wanted:
        initial["procedure"] = wanted
    form = RequestForm(_posted(request), patient, today, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_request(request, patient, form.cleaned_data, staff_user(request))
        except actions.CannotChange as error:
            form.add_error("date_of_service", str(error))
        else:
            messages.success(request, "Request recorded. Record the payer's decision when it comes.")
            return redirect("prior-auth", patient.pk)
    _shown(request, patient, patient, "prior authorization request form")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "patient": patient, "heading": "Record a prior-authorization request"}
    return render(request, "priorauth/request_form.html", context, status=status)


@reads_patient_data
def request_page(request: HttpRequest, pa_id: int) -> HttpResponse:
    """One request with its history, and the step it is waiting for: the decision on a waiting submission,
    or a resubmission after a non-affirmed or partial decision (an affirmed request has no step)."""
    pa = access_request(request, pa_id)
    today = pa.patient.clinic.today()
    posted = _posted(request)
    form: DecisionForm | ResubmitForm | None = None
    if pa.state == Request.State.WAITING:
        form = DecisionForm(posted, pa.sent_on, today, initial={"decided_on": today})
    elif may_resubmit(pa.state):
        form = ResubmitForm(posted, pa.decided_on, today, initial={"sent_on": today})
    if request.method == "POST" and form is not None and form.is_valid():
        step = actions.do_record_decision if isinstance(form, DecisionForm) else actions.do_resubmit
        try:
            step(request, pa, form.cleaned_data, staff_user(request))
        except actions.CannotChange as error:  # another tab moved it on first
            messages.error(request, str(error))
        else:
            messages.success(
                request, "Decision recorded." if isinstance(form, DecisionForm) else "Resubmitted."
            )
        return redirect("prior-auth-request", pa.pk)
    _shown(request, pa, pa.patient, "prior authorization request")
    context = {
        "pa": pa,
        "patient": pa.patient,
        "submissions": list(pa.submissions.select_related("sent_by", "decision_by")),
        "form": form,
        "step": "decision" if isinstance(form, DecisionForm) else "resubmit" if form else "",
    }
    status = 400 if request.method == "POST" and form is not None else 200
    return render(request, "priorauth/request.html", context, status=status)


@reads_patient_data
def block_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The form; with its dates in the query string, the CSV (streamed, rows in date order)."""
    membership = require(request, BLOCK_EXPORT)
    asked = any(name in request.GET for name in ("date_from", "date_to"))
    form = BlockExportForm(request.GET if asked else None)
    if asked and form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        audit(request, "export", detail=f"blocks CSV {start.isoformat()} to {end.isoformat()}")
        rows = export.csv_lines(export.block_rows(membership.clinic, start, end))
        response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="blocks-{start.isoformat()}-{end.isoformat()}.csv"'
        )
        return response
    # The form itself names no patient; it is audited like the app's other forms of a patient-data view.
    audit(request, "view", detail="blocks CSV form rejected" if asked else "blocks CSV form")
    return render(
        request,
        "priorauth/export.html",
        {"form": form, "columns": export.COLUMNS},
        status=400 if asked else 200,
    )
