"""What the API answers with: one schema per record, each field as the staff pages name it."""

# ruff: noqa: RUF012

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class FieldError(Schema):
    field: str = Field(description="Which input: a query parameter, a body field or a JSON path in a case")
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


class PatientOut(Schema):
    id: int
    mrn: str
    given_name: str
    family_name: str
    birth_date: dt.date | None
    sex: str
    preferred_language: str
    stage: str = Field(description="Where the patient is on the pathway (the worklist's stage)")
    next_step: str
    follow_up_due: dt.date | None
    created_at: dt.datetime


class AssessmentOut(Schema):
    id: int
    patient_id: int
    date: dt.date
    region: str
    index_pain: str
    pain_duration_months: int | None
    axial_predominant: bool
    pain_scale: str
    baseline_pain: int | None
    disability_instrument: str
    disability_score: float | None
    conservative_care: list[dict[str, Any]]
    is_draft: bool


class DiaryScoreOut(Schema):
    minutes: int = Field(description="Minutes since the procedure ended")
    pain: int
    mark: str = Field(description="early, late or extra for a patient's answer off its time; empty otherwise")


class FollowUpOut(Schema):
    id: int
    date: dt.date
    pain: int | None
    disability_instrument: str
    disability_score: float | None


class ProcedureOut(Schema):
    id: int
    case_id: str = Field(description="The procedure's id in the patient's facetpath.case/1 document")
    patient_id: int
    date: dt.date
    start_time: dt.time | None
    end_time: dt.time | None
    status: str
    type: str
    intent: str
    joints: list[str]
    side: str
    guidance: str
    sedation: str
    agent_name: str
    agent_concentration_percent: float | None
    agent_volume_ml_per_nerve: float | None
    pre_pain: int | None
    signed: bool


class ProcedureDetailOut(ProcedureOut):
    diary: list[DiaryScoreOut]
    follow_ups: list[FollowUpOut]


class ScheduleItemOut(Schema):
    procedure_id: int
    patient_id: int
    patient_name: str
    date: dt.date
    start_time: dt.time | None
    type: str
    operator: str


class EvaluationDocument(Schema):
    """A facetpath.evaluation/1 document, as `facetpath evaluate` prints it (../shared/spec/case-format.md)."""

    model_config = ConfigDict(extra="allow")
    format: str
    policy: str
    patient_id: str
    candidate: bool
    findings: list[dict[str, Any]]
    procedures: list[dict[str, Any]] = Field(description="Per procedure: role, response, codes, findings…")


class EvaluationOut(Schema):
    patient_id: int
    policy: str
    policy_version: str
    stage: str
    evaluation: dict[str, Any] | None = Field(
        description="The facetpath.evaluation/1 document; null when the record cannot be evaluated"
    )
    errors: list[str] = Field(description="Why the record cannot be evaluated (no assessment yet, …)")


class PatientIn(Schema):
    """A referral from the EHR: the patient as the EHR knows them. The clinic's nurse takes the history."""

    mrn: str = Field(max_length=40)
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    birth_date: dt.date | None = None
    sex: str = "unknown"
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    preferred_language: str = "en"
    sms_consent: bool = False
    email_consent: bool = False


class FollowUpIn(Schema):
    date: dt.date
    pain: int | None = Field(None, ge=0, le=100, description="On the patient's pain scale")
    disability_score: float | None = Field(
        None, ge=0, le=100, description="On the instrument of the patient's assessment"
    )


class PatientPage(Schema):
    items: list[PatientOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


class AssessmentPage(Schema):
    items: list[AssessmentOut]
    next_cursor: str | None


class ProcedurePage(Schema):
    items: list[ProcedureOut]
    next_cursor: str | None


class ScheduleItemPage(Schema):
    items: list[ScheduleItemOut]
    next_cursor: str | None
