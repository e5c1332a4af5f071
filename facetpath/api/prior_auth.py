"""Prior authorization over the API: the clinic's requests with their submission history, a patient's packet
checklist, and the block report and packet PDFs; with a read-write token, a new request, the payer's decision
and a resubmission.

Nothing here decides anything. Writes go through `priorauth.forms` (the checks) and `priorauth.actions`
(`do_record_request`, `do_record_decision`, `do_resubmit`: one transaction with the audit row, in the
token's name); whether a request is overdue and until when a UTN is valid come from
`facetpath.clinical.prior_auth`; the checklist and the PDFs from `reports.context`, the same functions as the
staff pages and the command line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.text import slugify
from ninja import Query, Router, Schema, Status
from pydantic import Field

from facetpath.api.auth import TokenAuth, clinic_of
from facetpath.api.cursor import page
from facetpath.api.errors import FieldProblem
from facetpath.api.reads import (
    CURSOR,
    ID,
    LIMIT,
    PATIENT_ID,
    REFUSALS,
    SINCE,
    UNTIL,
    audit_patients,
    dated_between,
    listing,
    patient_in_clinic,
    procedure_in_clinic,
)
from facetpath.api.schemas import ErrorOut
from facetpath.api.writes import form_problem
from facetpath.audit.log import audit
from facetpath.clinical.prior_auth import (
    COVERING_DECISIONS,
    days_waiting,
    decision_overdue,
    may_resubmit,
    overdue_if_sent_before,
    utn_last_valid_day,
)
from facetpath.clinics.access import MAX_ID
from facetpath.priorauth import actions
from facetpath.priorauth.forms import DecisionForm, RequestForm, ResubmitForm
from facetpath.priorauth.models import Decision, Payer, Place, Request, Submission
from facetpath.reports import context
from facetpath.reports.pdf import report_pdf

router = Router(tags=["prior authorization"])
WRITE = TokenAuth(write=True)
WRITE_REFUSALS = {**REFUSALS, 403: ErrorOut, 409: ErrorOut}
STATE = Query(None, description="waiting, affirmed, non-affirmed or partial (the latest submission's)")
OVERDUE = Query(None, description="true: only requests waiting too long for a decision; false: all others")
PDF_ANSWER: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The PDF (PDF/A-3a, tagged), as an attachment",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


# --- what the API answers and takes -------------------------------------------------------------------


class SubmissionOut(Schema):
    number: int = Field(description="1 for the first sending, then each resubmission")
    sent_on: dt.date
    quoted_utn: str = Field(description="The UTN a resubmission quotes; empty on the first")
    note: str
    decision: str = Field(description="affirmed, non-affirmed or partial; empty while waiting")
    decided_on: dt.date | None
    utn: str
    reasons: str


class PriorAuthOut(Schema):
    id: int
    patient_id: int
    procedure_id: int | None = Field(description="The planned procedure the request is for, if any")
    date_of_service: dt.date
    codes: list[str]
    payer: str
    place_of_service: str
    state: str = Field(description="waiting, affirmed, non-affirmed or partial: the latest submission's")
    sent_on: dt.date = Field(description="When the latest submission was sent")
    decided_on: dt.date | None
    utn: str = Field(description="The latest UTN the payer gave")
    days_waiting: int | None = Field(description="Days since the latest sending, while waiting")
    overdue: bool = Field(description="Waiting longer than the MAC's time for a decision (PA-TRACK-WAITING)")
    utn_valid_through: dt.date | None = Field(
        description="The last day an affirmed or partial decision's UTN covers (PA-TRACK-UTN)"
    )
    may_resubmit: bool = Field(description="Non-affirmed or partial: a resubmission is the next step")


class PriorAuthDetailOut(PriorAuthOut):
    submissions: list[SubmissionOut]


class PriorAuthPage(Schema):
    items: list[PriorAuthOut]
    next_cursor: str | None


class PriorAuthIn(Schema):
    procedure_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="A planned procedure of the patient: its date and codes fill in the blanks",
    )
    date_of_service: dt.date | None = Field(None, description="Required unless procedure_id is given")
    codes: list[str] = Field(
        [], max_length=12, description="CPT codes; empty: the planned procedure's codes from the core's plan"
    )
    payer: Payer
    place_of_service: Place
    sent_on: dt.date


class DecisionIn(Schema):
    decision: Decision
    decided_on: dt.date
    utn: str = Field("", max_length=40, description="Required for an affirmed or partial decision")
    reasons: str = Field("", max_length=2000, description="Required unless affirmed")


class ResubmissionIn(Schema):
    sent_on: dt.date
    note: str = Field("", max_length=300, description="What was added or changed")


class LinkOut(Schema):
    text: str
    url: str = Field(description="The staff page where the item is added or corrected")


class ChecklistItemOut(Schema):
    id: str = Field(description="The core's stable item ID (PA-DURATION, PA-BLOCKS, …)")
    label: str
    status: str = Field(description="met, not met or missing")
    value: str = Field(description="What the record says")
    source: str
    to_add: str = Field(description="What would make it met; empty when met")
    citation: str
    links: list[LinkOut]


class PlannedOut(Schema):
    procedure_id: int | None = Field(description="null when drafted from the pathway's next step")
    date: dt.date
    type: str
    joints: list[str]
    side: str


class Icd10Out(Schema):
    code: str
    label: str


class ChecklistOut(Schema):
    patient_id: int
    packet: str = Field(description="Which packet (RFA, second diagnostic block, …); empty when none")
    ready: bool = Field(description="Every item met")
    summary: str
    planned: PlannedOut | None
    items: list[ChecklistItemOut]
    missing: list[str] = Field(description="IDs of the items not met")
    codes: list[dict[str, Any]] = Field(
        description="CPT lines of the planned procedure: code, modifiers, units"
    )
    icd10: list[Icd10Out] = Field(description="ICD-10-CM suggestions for the planned joints")
    supporting_block_ids: list[int]
    problems: list[str] = Field(description="Why there is no checklist (no complete assessment, …)")


# --- helpers --------------------------------------------------------------------------------------------


def _answer(pa: Request, today: dt.date) -> dict[str, Any]:
    """The request as stored, with what the core says about it today."""
    waiting = pa.state == Request.State.WAITING
    covering = pa.state in COVERING_DECISIONS and pa.decided_on is not None
    return {
        "id": pa.pk, "patient_id": pa.patient_id, "procedure_id": pa.procedure_id,
        "date_of_service": pa.date_of_service, "codes": pa.codes, "payer": pa.payer,
        "place_of_service": pa.place_of_service, "state": pa.state, "sent_on": pa.sent_on,
        "decided_on": pa.decided_on, "utn": pa.utn,
        "days_waiting": days_waiting(pa.sent_on, today) if waiting else None,
        "overdue": waiting and decision_overdue(pa.sent_on, today),
        "utn_valid_through": utn_last_valid_day(pa.decided_on) if covering and pa.decided_on else None,
        "may_resubmit": may_resubmit(pa.state),
    }  # fmt: skip


def _detail(pa: Request, today: dt.date) -> dict[str, Any]:
    submissions = Submission.objects.filter(request=pa).order_by("number")
    return _answer(pa, today) | {"submissions": list(submissions)}


def _request(request: HttpRequest, request_id: int) -> Request:
    clinic = clinic_of(request)
    found = Request.objects.filter(pk=request_id, clinic=clinic).select_related("patient").first()
    if found is None:
        raise Http404("No such prior-authorization request in this clinic.")
    found.patient.clinic = clinic
    return found


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- reads ----------------------------------------------------------------------------------------------


@router.get("/prior-auths", response={200: PriorAuthPage, **REFUSALS})
def prior_auths(
    request: HttpRequest,
    state: Request.State | None = STATE,
    overdue: bool | None = OVERDUE,
    patient_id: int | None = PATIENT_ID,
    since: dt.date | None = SINCE,
    until: dt.date | None = UNTIL,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
) -> Any:
    """Prior-authorization requests by date of service (oldest first); `since` and `until` bound the date
    of service; `overdue` is the worklist's "waiting too long" (more than 7 days since the sending)."""
    clinic = clinic_of(request)
    rows = Request.objects.filter(clinic=clinic).select_related("patient")
    if state is not None:
        rows = rows.filter(state=state)
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    if overdue is not None:  # the worklist's bound from the core: overdue exactly when sent before it
        late = Q(state=Request.State.WAITING, sent_on__lt=overdue_if_sent_before(clinic.today()))
        rows = rows.filter(late) if overdue else rows.exclude(late)
    found, next_cursor = page(
        dated_between(rows, "date_of_service", since, until), cursor, limit, "date_of_service"
    )
    audit_patients(request, "prior authorizations", (pa.patient for pa in found))
    today = clinic.today()
    return listing([_answer(pa, today) for pa in found], next_cursor)


@router.get("/prior-auths/{request_id}", response={200: PriorAuthDetailOut, **REFUSALS})
def prior_auth(request: HttpRequest, request_id: int = ID) -> Any:
    """One request with its submission history: each sending, decision, UTN and reasons."""
    pa = _request(request, request_id)
    audit(request, "view", pa, pa.patient, detail="API prior authorization")
    return _detail(pa, pa.patient.clinic.today())


@router.get("/patients/{patient_id}/prior-auth-checklist", response={200: ChecklistOut, **REFUSALS})
def prior_auth_checklist(request: HttpRequest, patient_id: int = ID) -> Any:
    """The prior-authorization packet's checklist for the procedure the pathway calls for next (the same
    one as the staff pages and the packet PDF): each MAC item, met or what to add; or why there is none."""
    patient = patient_in_clinic(request, patient_id)
    found = context.packet(patient)
    audit(request, "view", patient, patient, detail="API prior-authorization checklist")
    checklist, planned = found.checklist, found.planned
    return {
        "patient_id": patient.pk,
        "packet": checklist.name if checklist else "",
        "ready": bool(checklist and checklist.ready),
        "summary": found.summary,
        "planned": None if planned is None else {
            "procedure_id": planned.pk, "date": planned.date, "type": planned.type,
            "joints": planned.joints, "side": planned.side,
        },
        "items": [
            line.item.to_json() | {"links": [{"text": link.text, "url": link.url} for link in line.links]}
            for line in found.lines
        ],
        "missing": [item.id for item in checklist.open_items] if checklist else [],
        "codes": [line.to_json() for line in checklist.codes] if checklist else [],
        "icd10": [{"code": code, "label": label} for code, label in found.icd10],
        "supporting_block_ids": [block.pk for block in found.blocks],
        "problems": found.problems,
    }  # fmt: skip


@router.get("/patients/{patient_id}/prior-auth-packet.pdf", response=REFUSALS, openapi_extra=PDF_ANSWER)
def prior_auth_packet_pdf(request: HttpRequest, patient_id: int = ID) -> HttpResponse:
    """The prior-authorization packet PDF: the checklist, the codes, then each supporting block's report."""
    patient = patient_in_clinic(request, patient_id)
    pdf = report_pdf("reports/packet_pdf.html", context.packet_report(patient))
    audit(request, "export", patient, patient, detail="API prior-authorization packet PDF")
    return _pdf(pdf, f"prior-auth-{slugify(patient.mrn)}-{patient.clinic.today():%Y-%m-%d}.pdf")


@router.get("/procedures/{procedure_id}/report.pdf", response=REFUSALS, openapi_extra=PDF_ANSWER)
def block_report_pdf(request: HttpRequest, procedure_id: int = ID) -> HttpResponse:
    """The procedure's report PDF (block report; follow-ups for a treatment), as on the result page."""
    procedure = procedure_in_clinic(request, procedure_id)
    pdf = report_pdf("reports/block_report_pdf.html", context.block_report(procedure))
    audit(request, "export", procedure, procedure.patient, detail="API block report PDF")
    return _pdf(pdf, f"block-report-{slugify(procedure.patient.mrn)}-{procedure.date:%Y-%m-%d}.pdf")


# --- writes (read-write tokens) -------------------------------------------------------------------------


@router.post(
    "/patients/{patient_id}/prior-auths",
    response={201: PriorAuthDetailOut, **WRITE_REFUSALS},
    auth=WRITE,
    tags=["writes"],
)
def record_prior_auth(request: HttpRequest, payload: PriorAuthIn, patient_id: int = ID) -> Any:
    """A request sent to the payer for one date of service (one per date of service), and its first
    submission. With `procedure_id`, blank date and codes come from that planned procedure."""
    patient = patient_in_clinic(request, patient_id)
    today = patient.clinic.today()
    data = {
        "procedure": payload.procedure_id or "",
        "date_of_service": payload.date_of_service or "",
        "codes": ", ".join(payload.codes),
        "payer": payload.payer,
        "place_of_service": payload.place_of_service,
        "sent_on": payload.sent_on,
    }
    form = RequestForm(data, patient, today)
    if not form.is_valid():
        raise form_problem({_named(f): e for f, e in form.errors.items()})
    try:
        pa = actions.do_record_request(request, patient, form.cleaned_data, None)
    except actions.CannotChange as error:  # the same date of service recorded at the same moment
        raise FieldProblem("date_of_service", str(error), status=409) from None
    return Status(201, _detail(pa, today))


def _named(field: str) -> str:
    return "procedure_id" if field == "procedure" else field


@router.post(
    "/prior-auths/{request_id}/decision",
    response={200: PriorAuthDetailOut, **WRITE_REFUSALS},
    auth=WRITE,
    tags=["writes"],
)
def record_decision(request: HttpRequest, payload: DecisionIn, request_id: int = ID) -> Any:
    """The payer's decision on the latest submission, which must be waiting (409 otherwise)."""
    pa = _request(request, request_id)
    if pa.state != Request.State.WAITING:
        raise FieldProblem("state", f"is {pa.state}: only a waiting request takes a decision", status=409)
    today = pa.patient.clinic.today()
    form = DecisionForm(payload.dict(), pa.sent_on, today)
    if not form.is_valid():
        raise form_problem(form.errors)
    try:
        actions.do_record_decision(request, pa, form.cleaned_data, None)
    except actions.CannotChange as error:  # decided by someone else a moment before
        raise FieldProblem("state", str(error), status=409) from None
    pa.refresh_from_db()
    return _detail(pa, today)


@router.post(
    "/prior-auths/{request_id}/resubmissions",
    response={201: PriorAuthDetailOut, **WRITE_REFUSALS},
    auth=WRITE,
    tags=["writes"],
)
def resubmit(request: HttpRequest, payload: ResubmissionIn, request_id: int = ID) -> Any:
    """A resubmission after a non-affirmed or partial decision (409 otherwise), quoting the latest UTN."""
    pa = _request(request, request_id)
    if not may_resubmit(pa.state):
        raise FieldProblem(
            "state", f"is {pa.state}: only a non-affirmed or partial request is resubmitted", status=409
        )
    today = pa.patient.clinic.today()
    form = ResubmitForm(payload.dict(), pa.decided_on, today)
    if not form.is_valid():
        raise form_problem(form.errors)
    try:
        actions.do_resubmit(request, pa, form.cleaned_data, None)
    except actions.CannotChange as error:
        raise FieldProblem("state", str(error), status=409) from None
    pa.refresh_from_db()
    return Status(201, _detail(pa, today))
