"""The patient's pathway stage for the worklist, read off the core's evaluation; kept current by writes.

Every write that changes what the stage is read from (an assessment, a procedure, its diary scores,
follow-ups or sign-off, a patient's diary answer) calls `refresh_stage` inside its own transaction, so
the stored stage commits with the data it was read from, or not at all. Pages only read the stored
stage. The stage also moves with the calendar (a diary stops running, a follow-up falls due): the
worker's `refresh_stages` pass re-evaluates every patient for that.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from facetpath.clinical import Action, CaseError, evaluate_case, parse_case
from facetpath.clinical.schedule import DIARY_RUNNING_DAYS, DIARY_SCHEDULE_MINUTES, FOLLOW_UP_EVERY_DAYS
from facetpath.patients.models import Patient, Stage
from facetpath.procedures.interpretation import Interpretation, case_procedures, evaluate
from facetpath.procedures.models import Procedure


def refresh_stage(patient: Patient) -> Interpretation:
    """Re-evaluates the patient and stores the stage the worklist reads. Call inside every clinical write's
    transaction, after the write."""
    procedures = case_procedures(patient)
    interpretation = evaluate(patient, procedures=procedures)
    stage, next_step, due = stage_of(patient, interpretation, procedures, patient.clinic.today())
    patient.stage, patient.next_step, patient.follow_up_due = stage, next_step[:300], due
    patient.stage_updated_at = timezone.now()
    patient.save(update_fields=["stage", "next_step", "follow_up_due", "stage_updated_at"])
    return interpretation


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
