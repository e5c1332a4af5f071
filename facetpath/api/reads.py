"""The read endpoints: the token's clinic's patients, assessments, procedures with their diary scores and
follow-ups, evaluations and the schedule. Another clinic's id answers 404, as on the staff pages.

Every answer is audited in the token's name: a record's page names its patient; a list writes one row per
patient whose data it shows (so the trail says whose records left the clinic), or one row when it is empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from ninja import Path, Query, Router

from facetpath.api.auth import clinic_of
from facetpath.api.cursor import DEFAULT_LIMIT, MAX_LIMIT, page
from facetpath.api.errors import FieldProblem
from facetpath.api.schemas import (
    AssessmentPage,
    DiaryScoreOut,
    ErrorOut,
    EvaluationOut,
    FollowUpOut,
    PatientOut,
    PatientPage,
    ProcedureDetailOut,
    ProcedurePage,
    ScheduleItemPage,
)
from facetpath.audit.log import audit
from facetpath.clinics.access import MAX_ID
from facetpath.patients.models import Assessment, Patient, Stage
from facetpath.procedures.interpretation import evaluate
from facetpath.procedures.models import DiaryScore, FollowUp, Procedure, SignOff

router = Router(tags=["records"])
REFUSALS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
ID = Path(..., ge=1, le=MAX_ID)
CURSOR = Query(None, max_length=500, description="`next_cursor` of the page before; absent for the first")
LIMIT = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
SINCE = Query(None, description="From this date on (YYYY-MM-DD, inclusive)")
UNTIL = Query(None, description="Up to this date (YYYY-MM-DD, inclusive)")
PATIENT_ID = Query(None, ge=1, le=MAX_ID, description="Only this patient's")
STAGE = Query(None, description="Only patients at this pathway stage")
STATUS = Query(None, description="planned, done or cancelled")
TYPE = Query(None, description="mbb, ia, rfa or cyst")
SCHEDULE_SINCE = Query(None, description="From this date (default: the clinic's today)")
SCHEDULE_UNTIL = Query(None, description="Up to this date (default: 6 days after since)")


def listing(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}


def audit_patients(request: HttpRequest, what: str, patients: Iterable[Patient]) -> None:
    """One audit row per patient whose data the answer shows, or one for an empty answer."""
    shown = {patient.pk: patient for patient in patients}
    with transaction.atomic():  # one commit (one sync to disk) for the page's rows, not one per patient
        for patient in shown.values():
            audit(request, "view", patient, patient, detail=f"API {what}")
        if not shown:
            audit(request, "view", detail=f"API {what}: none")


def dated_between(rows: QuerySet[Any], field: str, since: date | None, until: date | None) -> QuerySet[Any]:
    if since and until and until < since:
        raise FieldProblem("until", f"is before since ({since})")
    if since:
        rows = rows.filter(**{f"{field}__gte": since})
    if until:
        rows = rows.filter(**{f"{field}__lte": until})
    return rows


def patient_in_clinic(request: HttpRequest, patient_id: int) -> Patient:
    clinic = clinic_of(request)
    found = Patient.objects.filter(pk=patient_id, clinic=clinic).first()
    if found is None:
        raise Http404("No such patient in this clinic.")
    found.clinic = clinic
    return found


def signed_q() -> Exists:
    return Exists(SignOff.objects.filter(procedure=OuterRef("pk")))


def clinic_procedures(request: HttpRequest) -> QuerySet[Procedure]:
    return (
        Procedure.objects.filter(patient__clinic=clinic_of(request))
        .select_related("patient")
        .annotate(signed=signed_q())
    )


def procedure_in_clinic(request: HttpRequest, procedure_id: int) -> Procedure:
    found = clinic_procedures(request).filter(pk=procedure_id).first()
    if found is None:
        raise Http404("No such procedure in this clinic.")
    found.patient.clinic = clinic_of(request)
    return found


# --- patients ---------------------------------------------------------------------------------------


@router.get("/patients", response={200: PatientPage, **REFUSALS})
def patients(
    request: HttpRequest,
    stage: Stage | None = STAGE,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
) -> Any:
    """The clinic's patients in the order they were added, with their pathway stage."""
    rows = Patient.objects.filter(clinic=clinic_of(request))
    if stage is not None:
        rows = rows.filter(stage=stage)
    found, next_cursor = page(rows, cursor, limit, None)
    audit_patients(request, "patients", found)
    return listing(found, next_cursor)


@router.get("/patients/{patient_id}", response={200: PatientOut, **REFUSALS})
def patient(request: HttpRequest, patient_id: int = ID) -> Any:
    found = patient_in_clinic(request, patient_id)
    audit(request, "view", found, found, detail="API patient")
    return found


@router.get("/patients/{patient_id}/evaluation", response={200: EvaluationOut, **REFUSALS})
def patient_evaluation(request: HttpRequest, patient_id: int = ID) -> Any:
    """The patient's record evaluated now under the clinic's policy, by the same code as the patient page
    (`procedures.interpretation.evaluate`): the facetpath.evaluation/1 document, or why there is none."""
    found = patient_in_clinic(request, patient_id)
    result = evaluate(found)
    audit(request, "view", found, found, detail="API evaluation")
    return {
        "patient_id": found.pk,
        "policy": result.policy_name,
        "policy_version": result.policy_version,
        "stage": found.stage,
        "evaluation": result.to_json(),
        "errors": result.errors,
    }


# --- assessments ------------------------------------------------------------------------------------


@router.get("/assessments", response={200: AssessmentPage, **REFUSALS})
def assessments(
    request: HttpRequest,
    patient_id: int | None = PATIENT_ID,
    since: date | None = SINCE,
    until: date | None = UNTIL,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
) -> Any:
    """Assessments by date (oldest first); a draft made from an appointment request says so."""
    rows = Assessment.objects.filter(patient__clinic=clinic_of(request)).select_related("patient")
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    found, next_cursor = page(dated_between(rows, "date", since, until), cursor, limit, "date")
    audit_patients(request, "assessments", (a.patient for a in found))
    return listing(found, next_cursor)


# --- procedures, diary scores, follow-ups ------------------------------------------------------------


@router.get("/procedures", response={200: ProcedurePage, **REFUSALS})
def procedures(
    request: HttpRequest,
    patient_id: int | None = PATIENT_ID,
    status: Procedure.Status | None = STATUS,
    type: Procedure.Type | None = TYPE,
    since: date | None = SINCE,
    until: date | None = UNTIL,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
) -> Any:
    """Procedures by date of service (oldest first), planned, done and cancelled."""
    rows = clinic_procedures(request)
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    if status is not None:
        rows = rows.filter(status=status)
    if type is not None:
        rows = rows.filter(type=type)
    found, next_cursor = page(dated_between(rows, "date", since, until), cursor, limit, "date")
    audit_patients(request, "procedures", (p.patient for p in found))
    return listing(found, next_cursor)


@router.get("/procedures/{procedure_id}", response={200: ProcedureDetailOut, **REFUSALS})
def procedure(request: HttpRequest, procedure_id: int = ID) -> Any:
    """One procedure with its diary scores and follow-ups."""
    found = procedure_in_clinic(request, procedure_id)
    audit(request, "view", found, found.patient, detail="API procedure")
    found.diary = list(found.diary_scores.order_by("minutes"))  # type: ignore[attr-defined]
    return found


@router.get("/procedures/{procedure_id}/diary", response={200: list[DiaryScoreOut], **REFUSALS})
def procedure_diary(request: HttpRequest, procedure_id: int = ID) -> Any:
    """The procedure's diary: pain by minutes since it ended (staff-typed and patients' answers)."""
    found = procedure_in_clinic(request, procedure_id)
    audit(request, "view", found, found.patient, detail="API diary scores")
    return list(DiaryScore.objects.filter(procedure=found).order_by("minutes"))


@router.get("/procedures/{procedure_id}/follow-ups", response={200: list[FollowUpOut], **REFUSALS})
def procedure_follow_ups(request: HttpRequest, procedure_id: int = ID) -> Any:
    found = procedure_in_clinic(request, procedure_id)
    audit(request, "view", found, found.patient, detail="API follow-ups")
    return list(FollowUp.objects.filter(procedure=found).order_by("date", "id"))


# --- the schedule -----------------------------------------------------------------------------------


@router.get("/schedule", response={200: ScheduleItemPage, **REFUSALS})
def schedule(
    request: HttpRequest,
    since: date | None = SCHEDULE_SINCE,
    until: date | None = SCHEDULE_UNTIL,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
) -> Any:
    """Planned procedures by day: who, when, what kind and with whom (as the staff schedule shows)."""
    clinic = clinic_of(request)
    since = since or clinic.today()
    # A week from `since`, the last days of the calendar included (9999-12-31 has no week after it).
    until = until or min(since, date.max - timedelta(days=6)) + timedelta(days=6)
    rows = Procedure.objects.filter(patient__clinic=clinic, status=Procedure.Status.PLANNED).select_related(
        "patient", "operator"
    )
    found, next_cursor = page(dated_between(rows, "date", since, until), cursor, limit, "date")
    audit_patients(request, f"schedule {since} to {until}", (p.patient for p in found))
    items = [
        {
            "procedure_id": p.pk,
            "patient_id": p.patient_id,
            "patient_name": p.patient.full_name,
            "date": p.date,
            "start_time": p.start_time,
            "type": p.type,
            "operator": (p.operator.get_full_name() or p.operator.get_username()) if p.operator else "",
        }
        for p in found
    ]
    return listing(items, next_cursor)
