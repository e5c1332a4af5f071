"""What a read-write token may write, through the same `actions.py` functions as the staff pages, audited
in the token's name. A read token gets 403 before anything is read.

Chosen for what an EHR sends a pain clinic: a referral (a new patient, whose history the clinic's nurse then
takes) and follow-up scores collected elsewhere (a primary-care visit after an RFA). Nothing that decides
care (assessments, procedures, sign-off) is written from outside.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Status

from facetpath.api.auth import TokenAuth, clinic_of
from facetpath.api.errors import FieldProblem
from facetpath.api.reads import ID, REFUSALS, procedure_in_clinic, router
from facetpath.api.schemas import ErrorOut, FollowUpIn, FollowUpOut, PatientIn, PatientOut
from facetpath.clinical.scales import DEFAULT_PAIN_SCALE, pain_scale_top
from facetpath.patients import actions as patient_actions
from facetpath.patients.forms import PatientForm
from facetpath.patients.models import Patient
from facetpath.procedures import actions as procedure_actions
from facetpath.procedures.forms import FollowUpForm

# On the reads' router: one path (/patients) answers GET and POST only when both are on the same router.
WRITE = TokenAuth(write=True)
WRITE_REFUSALS = {**REFUSALS, 403: ErrorOut}


def form_problem(errors: Any) -> FieldProblem:
    """The form's errors, each under the name of the field the client sent."""
    problem = FieldProblem("body", "invalid")
    problem.errors = [
        {"field": field if field != "__all__" else "body", "message": str(message)}
        for field, messages in errors.items()
        for message in messages
    ]
    problem.args = ("Invalid input: " + ", ".join(e["field"] for e in problem.errors),)
    return problem


@router.post("/patients", response={201: PatientOut, **WRITE_REFUSALS}, auth=WRITE, tags=["writes"])
def create_patient(request: HttpRequest, payload: PatientIn) -> Any:
    """A referral: the patient joins the clinic's list at stage "awaiting assessment"."""
    data = payload.dict()
    data["birth_date"] = data["birth_date"] or ""
    form = PatientForm(data, instance=Patient(clinic=clinic_of(request)))
    if not form.is_valid():
        raise form_problem(form.errors)
    return Status(201, patient_actions.create_patient(request, form))


@router.post(
    "/procedures/{procedure_id}/follow-ups",
    response={201: FollowUpOut, **WRITE_REFUSALS},
    auth=WRITE,
    tags=["writes"],
)
def add_follow_up(request: HttpRequest, payload: FollowUpIn, procedure_id: int = ID) -> Any:
    """A follow-up visit's pain (on the patient's pain scale) and disability (on the assessment's
    instrument); the patient's stage is brought up to date, as when staff enter it."""
    procedure = procedure_in_clinic(request, procedure_id)
    assessment = procedure.patient.latest_assessment()
    scale_max = pain_scale_top(assessment.pain_scale if assessment else DEFAULT_PAIN_SCALE)
    form = FollowUpForm(payload.dict(), scale_max=scale_max, procedure=procedure)
    if not form.is_valid():
        raise form_problem(form.errors)
    visit = procedure_actions.add_follow_up(request, procedure, form.cleaned_data, assessment, None)
    return Status(201, visit)
