"""The one door between the web app and the clinical core (`facetpath.clinical`).

Every interpretation shown in the app comes from `evaluate_case` on a case document built from the
models here; no clinical rule lives in the web app. The patient's pathway stage, read off the result,
is kept in `facetpath.procedures.stage`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Prefetch

from facetpath.clinical import (
    CaseError,
    Evaluation,
    evaluate_case,
    get_policy,
    parse_case,
    plan_procedure,
)
from facetpath.patients.models import Assessment, Patient
from facetpath.procedures.models import DiaryScore, FollowUp, Procedure, SignOff

CASE_FORMAT = "facetpath.case/1"


@dataclass
class Interpretation:
    """An evaluation of one patient's case, or the problems that stopped it."""

    policy_name: str
    policy_version: str
    policy_title: str
    positive_threshold: float
    case: dict[str, Any] | None
    evaluation: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.evaluation is not None

    def to_json(self) -> dict[str, Any] | None:
        return self.evaluation.to_json() if self.evaluation is not None else None

    def for_procedure(self, procedure: Procedure | str) -> Any:
        """The core's ProcedureResult for one procedure (by model or case id), or None."""
        wanted = procedure if isinstance(procedure, str) else procedure.case_id
        if self.evaluation is None:
            return None
        return next((result for result in self.evaluation.procedures if result.id == wanted), None)

    def procedure_json(self, procedure: Procedure) -> dict[str, Any] | None:
        data = self.to_json()
        if data is None:
            return None
        return next((entry for entry in data["procedures"] if entry["id"] == procedure.case_id), None)


def clinic_policy(patient: Patient) -> str:
    return patient.clinic.default_policy


def case_procedures(patient: Patient) -> list[Procedure]:
    """Every procedure that belongs in the case (cancelled ones do not), with diaries and follow-ups."""
    return patient_procedures(patient, cancelled=False)


def patient_procedures(patient: Patient, cancelled: bool = True) -> list[Procedure]:
    """The patient's procedures, oldest first, each with its diary scores, follow-ups and sign-offs loaded
    (`procedure.diary_scores.all()` and the others answer without a query): four queries, however many
    procedures the patient has."""
    procedures = patient.procedures.order_by("date", "id").prefetch_related(
        Prefetch("diary_scores", queryset=DiaryScore.objects.order_by("minutes", "id")),
        Prefetch("follow_ups", queryset=FollowUp.objects.order_by("date", "id")),
        Prefetch(
            "sign_offs", queryset=SignOff.objects.order_by("-signed_at", "-id").defer(*SIGNED_DOCUMENTS)
        ),
    )
    if not cancelled:
        procedures = procedures.exclude(status=Procedure.Status.CANCELLED)
    loaded = list(procedures)
    for procedure in loaded:
        procedure.patient = patient  # the patient the caller already holds, with its clinic
    return loaded


# A sign-off's frozen documents are large and read only on the procedure page: they load when first read.
SIGNED_DOCUMENTS = ("interpretation", "evaluation", "case")


def build_case(
    patient: Patient, assessment: Assessment | None, procedures: list[Procedure] | None = None
) -> dict[str, Any] | None:
    """The facetpath.case/1 document for a patient, or None without an assessment."""
    if assessment is None:
        return None
    chosen = case_procedures(patient) if procedures is None else procedures
    return {
        "format": CASE_FORMAT,
        "patient": patient.case_patient(),
        "assessment": assessment.to_case_dict(),
        "procedures": [procedure.to_case_dict() for procedure in chosen],
    }


def evaluate(
    patient: Patient,
    assessment: Assessment | None = None,
    procedures: list[Procedure] | None = None,
    policy: str | None = None,
) -> Interpretation:
    """Evaluates the patient's case with the clinic's policy (or `policy`)."""
    chosen = get_policy(policy or clinic_policy(patient))
    result = Interpretation(
        chosen.name, str(chosen.version), chosen.title, float(chosen.positive_threshold), case=None
    )
    result.case = build_case(patient, assessment or patient.latest_assessment(), procedures)
    if result.case is None:
        result.errors = ["No assessment yet: record one to evaluate this patient."]
        return result
    try:
        result.evaluation = evaluated(chosen.name, json.dumps(result.case, sort_keys=True))
    except CaseError as error:
        result.errors = list(error.errors) or [str(error)]
    return result


@lru_cache(maxsize=1024)
def evaluated(policy: str, case_document: str) -> Evaluation:
    """The core's evaluation of a case document (JSON text), remembered by the exact text: the patient
    page, the stage kept by each write and the procedure page evaluate the same unchanged record again
    and again. Any change to the record is a different text, so nothing stale can come back; the result
    is shared, so callers only read it."""
    return evaluate_case(parse_case(json.loads(case_document)), policy=policy)


def plan(joints: list[str], side: str, type: str, intent: str) -> Any:
    """The core's plan: nerves with landmarks and volumes, codes, notes."""
    return plan_procedure(joints, side=side, type=type, intent=intent)


def case_errors(case: dict[str, Any]) -> list[str]:
    """The core's complaints about a case document (empty when it parses)."""
    try:
        parse_case(case)
    except CaseError as error:
        return list(error.errors) or [str(error)]
    return []
