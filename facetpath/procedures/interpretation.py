"""The one door between the web app and the clinical core (`facetpath.clinical`).

Every interpretation shown in the app comes from `evaluate_case` on a case document built from the
models here; no clinical rule lives in the web app. This module also caches each patient's pathway stage
for the worklist, read off the core's result.
"""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import IntegerField
from django.utils import timezone

from facetpath.clinical import (
    Action,
    CaseError,
    Evaluation,
    evaluate_case,
    get_policy,
    parse_case,
    plan_procedure,
)
from facetpath.clinical.schedule import DIARY_RUNNING_DAYS, DIARY_SCHEDULE_MINUTES, FOLLOW_UP_EVERY_DAYS
from facetpath.patients.models import Assessment, Patient, Stage
from facetpath.prepared import Param, Prepared, Statement, attach, fields_of, instance_of
from facetpath.procedures.models import DiaryScore, FollowUp, Procedure, SignOff

CASE_FORMAT = "facetpath.case/1"

log = logging.getLogger(__name__)


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
    (`procedure.diary_scores.all()` and the others answer without a query): four prepared queries, where
    `prefetch_related` cost several times more on every patient page."""
    procedures = [
        instance_of(Procedure, row)
        for row in PATIENT_PROCEDURES(patient=patient.pk)
        if cancelled or row["status"] != Procedure.Status.CANCELLED
    ]
    children: dict[int, dict[str, list[Any]]] = {
        p.pk: {"diary_scores": [], "follow_ups": [], "sign_offs": []} for p in procedures
    }
    for name, query, model in (
        ("diary_scores", PATIENT_SCORES, DiaryScore),
        ("follow_ups", PATIENT_FOLLOW_UPS, FollowUp),
        ("sign_offs", PATIENT_SIGN_OFFS, SignOff),
    ):
        for row in query(patient=patient.pk):
            if row["procedure_id"] in children:
                children[row["procedure_id"]][name].append(
                    instance_of(model, row, leave_out=SIGNED_DOCUMENTS)
                )
    for procedure in procedures:
        procedure.patient = patient
        for name, objects in children[procedure.pk].items():
            attach(procedure, name, objects)
    return procedures


# A sign-off's frozen documents are large and read only on the procedure page: they load when first read.
SIGNED_DOCUMENTS = ("interpretation", "evaluation", "case")
PATIENT = Param("patient", IntegerField())
PATIENT_PROCEDURES = Prepared(
    lambda: Procedure.objects.filter(patient_id=PATIENT).order_by("date", "id").values(*fields_of(Procedure))
)
PATIENT_SCORES = Prepared(
    lambda: (
        DiaryScore.objects.filter(procedure__patient_id=PATIENT)
        .order_by("minutes", "id")
        .values(*fields_of(DiaryScore))
    )
)
PATIENT_FOLLOW_UPS = Prepared(
    lambda: (
        FollowUp.objects.filter(procedure__patient_id=PATIENT)
        .order_by("date", "id")
        .values(*fields_of(FollowUp))
    )
)
PATIENT_SIGN_OFFS = Prepared(
    lambda: (
        SignOff.objects.filter(procedure__patient_id=PATIENT)
        .order_by("-signed_at", "-id")
        .values(*fields_of(SignOff, leave_out=SIGNED_DOCUMENTS))
    )
)


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
    page, the worklist's stage refresh and the procedure page evaluate the same unchanged record again
    and again. Any change to the record is a different text, so nothing stale can come back; the result
    is shared, so callers only read it."""
    return evaluate_case(parse_case(json.loads(case_document)), policy=policy)


def plan(joints: list[str], side: str, type: str, intent: str) -> Any:
    """The core's plan: nerves with landmarks and volumes, codes, notes."""
    return plan_procedure(joints, side=side, type=type, intent=intent)


# --- Pathway stage for the worklist ------------------------------------------------------------------


def diary_completion(procedure: Procedure) -> int:
    """Percent of the diary sheet's time points that have a score."""
    entered = {score.minutes for score in procedure.diary_scores.all()}
    return round(100 * len(entered & set(DIARY_SCHEDULE_MINUTES)) / len(DIARY_SCHEDULE_MINUTES))


# The worklist stage a positive block leads to, by the core's next action.
STAGE_BY_ACTION = {
    Action.SECOND_BLOCK: Stage.SECOND_BLOCK_DUE,
    Action.COMPARATIVE_BLOCK: Stage.SECOND_BLOCK_DUE,
    Action.RFA: Stage.RFA_DUE,
}


def stage_of(
    patient: Patient, interpretation: Interpretation, procedures: list[Procedure], today: date
) -> tuple[str, str, date | None]:
    """(stage, next step, follow-up due date) read off the core's evaluation; no rule is decided here."""
    if interpretation.case is None:
        return Stage.NEW, "Record the assessment.", None
    if not interpretation.ok:
        return Stage.OTHER, "The record has a problem: open the patient page.", None
    evaluation = interpretation.evaluation
    if not evaluation.candidate:
        return Stage.NOT_CANDIDATE, "Not a candidate under the clinic's policy.", None
    done = [p for p in procedures if p.status == Procedure.Status.DONE]
    planned = [p for p in procedures if p.status == Procedure.Status.PLANNED]
    if not done:
        if planned:
            return Stage.PLANNED, f"{planned[0].get_type_display()} planned for {planned[0].date}.", None
        return Stage.AWAITING_BLOCK, "Plan the first diagnostic block.", None
    last = done[-1]
    result = interpretation.for_procedure(last)
    next_step = getattr(result, "next_step", "") or ""
    if planned:
        return Stage.PLANNED, f"{planned[0].get_type_display()} planned for {planned[0].date}.", None
    if last.is_diagnostic_block:
        return _diagnostic_stage(last, result, next_step, today)
    if last.type == Procedure.Type.RFA or last.intent == Procedure.Intent.THERAPEUTIC:
        visits = list(last.follow_ups.all())
        since = visits[-1].date if visits else last.date
        due = since + timedelta(days=FOLLOW_UP_EVERY_DAYS)
        if last.type == Procedure.Type.RFA and repeat_rfa_allowed(interpretation, last, today):
            return (
                Stage.REPEAT_RFA_DUE,
                f"A repeat RFA at {', '.join(last.joints)} meets the policy today.",
                due,
            )
        return Stage.RFA_DONE, next_step, due
    return Stage.OTHER, next_step, None


def repeat_rfa_allowed(interpretation: Interpretation, last: Procedure, today: date) -> bool:
    """Asks the core whether a repeat RFA at the same site, done today, would meet the policy."""
    if interpretation.case is None:
        return False
    case = copy.deepcopy(interpretation.case)
    repeat = {
        key: value for key, value in last.to_case_dict([], []).items() if key not in ("diary", "follow_up")
    }
    repeat.update(id="hypothetical-repeat", date=today.isoformat())
    case["procedures"].append(repeat)
    try:
        evaluation = evaluate_case(parse_case(case), policy=interpretation.policy_name)
    except CaseError:
        return False
    result = next(r for r in evaluation.procedures if r.id == "hypothetical-repeat")
    return bool(result.meets_criteria)


def _diagnostic_stage(last: Procedure, result: Any, next_step: str, today: date) -> tuple[str, str, None]:
    response = getattr(result, "response", "pending")
    if response == "pending":
        return Stage.DIARY_RUNNING, next_step or "Collect the pain diary.", None
    if not last.sign_offs.exists():
        if last.date >= today - timedelta(days=DIARY_RUNNING_DAYS) and diary_completion(last) < 100:
            return Stage.DIARY_RUNNING, next_step, None
        return Stage.READY_FOR_REVIEW, "A physician reviews the diary and signs off.", None
    by_response = {"negative": Stage.NEGATIVE, "discordant": Stage.DISCORDANT, "placebo": Stage.NEGATIVE}
    if response in by_response:
        return by_response[response], next_step, None
    stage = STAGE_BY_ACTION.get(result.next.action, Stage.POSITIVE) if result is not None else Stage.POSITIVE
    return stage, next_step, None


def refresh_stage(patient: Patient) -> Interpretation:
    """Re-evaluates the patient and stores the stage the worklist reads. Call after every clinical write."""
    if patient.stage_stale:
        from facetpath.diary.services import score_answers

        # Cleared before reading, so that a diary answer committed after the read marks it stale again;
        # with the scoring of the answers, so that a failure leaves both as they were.
        with transaction.atomic():
            Patient.objects.filter(pk=patient.pk, stage_stale=True).update(stage_stale=False)
            score_answers(patient.pk)
        patient.stage_stale = False
    procedures = case_procedures(patient)
    interpretation = evaluate(patient, procedures=procedures)
    stage, next_step, due = stage_of(patient, interpretation, procedures, patient.clinic.today())
    patient.stage, patient.next_step, patient.follow_up_due = stage, next_step[:300], due
    patient.stage_updated_at = timezone.now()
    patient.save(update_fields=["stage", "next_step", "follow_up_due", "stage_updated_at"])
    return interpretation


def mark_stage_stale(patient_id: int) -> None:
    """Defers the re-evaluation after a write on the patient's side (a diary answer): its score and the
    stage.

    Call inside the write's transaction: the flag commits with the write, or not at all. The flag is the
    queue: the worker's next pass (`refresh_stale_stages`), every page that lists stages (through a
    partial index) and every page of the patient or one of their procedures (`access_procedure`)
    refresh the flagged patients first, so none shows a score or stage older than the data.
    """
    FLAG_STALE(patient=patient_id, stale=True)  # on the diary's hot path: one statement, written out


FLAG_STALE = Statement(
    "UPDATE patients_patient SET stage_stale = %(stale)s WHERE id = %(patient)s AND NOT stage_stale"
)


def refresh_stale_stages(clinic: Any = None) -> int:
    """Recomputes the stages flagged stale, of one clinic or (the worker) of all; usually none: one query."""
    rows = STALE_PATIENTS(clinic=clinic.pk) if clinic is not None else ALL_STALE_PATIENTS()
    stale = [row["pk"] for row in rows]
    if not stale:  # the usual case, on every worklist: no queryset built at all
        return 0
    for patient in Patient.objects.filter(pk__in=stale).select_related("clinic"):
        try:
            refresh_stage(patient)
        except Exception:  # one unreadable record must not hold up the others
            log.exception("stage of patient %s not refreshed", patient.pk)
            # refresh_stage clears the flag before reading: set it again, so the next pass retries
            Patient.objects.filter(pk=patient.pk).update(stage_stale=True)
    return len(stale)


# Ordered by id, so that the partial index on stale patients answers them (not a walk of the clinic).
STALE_PATIENTS = Prepared(
    lambda: (
        Patient.objects.filter(clinic_id=Param("clinic", IntegerField()), stage_stale=True)
        .order_by("pk")
        .values("pk")
    )
)
ALL_STALE_PATIENTS = Prepared(lambda: Patient.objects.filter(stage_stale=True).order_by("pk").values("pk"))


def case_errors(case: dict[str, Any]) -> list[str]:
    """The core's complaints about a case document (empty when it parses)."""
    try:
        parse_case(case)
    except CaseError as error:
        return list(error.errors) or [str(error)]
    return []
