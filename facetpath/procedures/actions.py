"""Every write to a procedure: planning or recording it, its diary scores, follow-ups and sign-off; and the
assessment, whose write also brings the stage up to date (patients stands below procedures).

Each runs in one transaction with its audit row and the patient's stage, which it brings up to date
(`facetpath.procedures.stage`). Views parse the form, call one of these, and render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from facetpath.audit.log import audit
from facetpath.patients.forms import AssessmentForm
from facetpath.patients.models import Assessment, Patient
from facetpath.procedures.forms import ProcedureForm, sign_off_gap
from facetpath.procedures.interpretation import Interpretation, evaluate
from facetpath.procedures.models import Amendment, DiaryScore, FollowUp, Procedure, SignOff
from facetpath.procedures.stage import refresh_stage


def save_assessment(request: HttpRequest, patient: Patient, form: AssessmentForm, by: User) -> Assessment:
    """Saves the assessment (stamping a stop override with who made it) and the stage it leads to."""
    with transaction.atomic():
        creating = form.instance.pk is None
        saved = form.save(commit=False)
        if creating:
            saved.created_by = by
        overridden = "stop_override_reason" in form.changed_data
        if overridden:
            _stamp_override(saved, by)
        saved.save()
        audit(request, "create" if creating else "update", saved, patient)
        if overridden:
            audit(request, "override", saved, patient, detail=saved.stop_override_reason or "cleared")
        refresh_stage(patient)
    return saved


def _stamp_override(assessment: Assessment, by: User) -> None:
    """Who overrode the stop and when (or nobody, when the reason was cleared)."""
    reason = assessment.stop_override_reason.strip()
    assessment.stop_override_reason = reason
    assessment.stop_override_by = by if reason else None
    assessment.stop_override_at = timezone.now() if reason else None


class CannotSign(Exception):
    """The procedure cannot be signed off; the message says why."""


def record_procedure(request: HttpRequest, form: ProcedureForm, patient: Patient, by: User) -> Procedure:
    """Plans a procedure or records one done (a block, an RFA); once signed, a change is an amendment."""
    with transaction.atomic():
        creating = form.instance.pk is None
        changes = form.changes()
        procedure = form.save(commit=False)
        if creating:
            procedure.created_by = by
        procedure.save()
        if form.signed:
            _amend(procedure, by, form.cleaned_data["amendment_reason"], changes)
            audit(request, "amend", procedure, patient, detail=", ".join(changes))
        else:
            audit(request, "create" if creating else "update", procedure, patient, detail=", ".join(changes))
        refresh_stage(patient)
    return procedure


class CannotReschedule(Exception):
    """Only a planned procedure moves; the message says why this one does not."""


def reschedule(request: HttpRequest, procedure: Procedure, date: Any, start_time: Any) -> Procedure:
    """Sets or moves a planned procedure's date and start time (the front desk's booking), audited."""
    if procedure.status != Procedure.Status.PLANNED:
        raise CannotReschedule("Only a planned procedure can be moved; this one is " + procedure.status + ".")
    with transaction.atomic():
        before = f"{procedure.date} {procedure.start_time or ''}".strip()
        procedure.date, procedure.start_time = date, start_time
        procedure.save(update_fields=["date", "start_time", "updated_at"])
        after = f"{procedure.date} {procedure.start_time or ''}".strip()
        audit(request, "reschedule", procedure, procedure.patient, detail=f"{before} -> {after}")
        refresh_stage(procedure.patient)
    return procedure


def _amend(procedure: Procedure, by: User, reason: str, changes: dict[str, Any]) -> Amendment:
    """The record of a change to a signed procedure: who, why, and each field's before and after."""
    return Amendment.objects.create(procedure=procedure, author=by, reason=reason, changes=changes)


def save_scores(
    request: HttpRequest,
    procedure: Procedure,
    scores: dict[int, int | None],
    by: User,
    amendment_reason: str | None = None,
) -> dict[str, list[Any]]:
    """Writes the diary sheet's scores (an empty box deletes one); on a signed procedure, with the reason
    given, as an amendment. Returns the changes, by time."""
    with transaction.atomic():
        changes = _apply_scores(procedure, scores, by)
        signed = amendment_reason is not None
        if changes and signed:
            _amend(procedure, by, amendment_reason or "", changes)
        audit(request, "amend" if signed else "update", procedure, procedure.patient, detail="diary")
        refresh_stage(procedure.patient)
    return changes


def _apply_scores(procedure: Procedure, scores: dict[int, int | None], by: User) -> dict[str, list[Any]]:
    existing = {score.minutes: score for score in procedure.diary_scores.all()}
    changes: dict[str, list[Any]] = {}
    for minutes, pain in scores.items():
        old = existing.get(minutes)
        before = old.pain if old is not None else None
        if before == pain:
            continue
        if old is None:
            assert pain is not None  # an empty box with no earlier score was skipped above
            DiaryScore.objects.create(procedure=procedure, minutes=minutes, pain=pain, entered_by=by)
        elif pain is None:
            old.delete()
        else:
            old.pain = pain
            old.save(update_fields=["pain"])
        changes[f"diary {minutes} min"] = [before, pain]
    return changes


def add_follow_up(
    request: HttpRequest,
    procedure: Procedure,
    data: dict[str, Any],
    assessment: Assessment | None,
    by: User | None,
) -> FollowUp:
    """A follow-up visit's pain (and disability, on the instrument of the patient's assessment). `by` is
    None when an outside system sent it (the JSON API): the audit row names its token."""
    disability = data["disability_score"]
    instrument = assessment.disability_instrument if assessment and disability is not None else ""
    with transaction.atomic():
        visit = FollowUp.objects.create(
            procedure=procedure,
            date=data["date"],
            pain=data["pain"],
            disability_instrument=instrument,
            disability_score=disability,
            entered_by=by,
        )
        audit(request, "create", visit, procedure.patient)
        refresh_stage(procedure.patient)
    return visit


def sign_off(request: HttpRequest, procedure: Procedure, by: User, comment: str, reason: str = "") -> SignOff:
    """Freezes the procedure's interpretation exactly as evaluated now, with the policy that made it;
    CannotSign when there is nothing to sign, or when a block lacks something (`sign_off_gap`) and no
    reason was given. The reason is kept only when something was missing."""
    result = evaluate(procedure.patient)
    entry = result.procedure_json(procedure)
    problem = cannot_sign(procedure, result, entry)
    if problem:
        raise CannotSign(problem)
    gap = sign_off_gap(procedure, entry)
    if gap and not reason:
        raise CannotSign(f"{gap}: say why you sign it now (e.g. “diary not returned”).")
    with transaction.atomic():
        signed = SignOff.objects.create(
            procedure=procedure,
            signed_by=by,
            policy_name=result.policy_name,
            policy_version=result.policy_version,
            interpretation=entry,
            evaluation=result.to_json(),
            case=result.case,
            comment=comment,
            reason=reason if gap else "",
        )
        audit(
            request, "sign", signed, procedure.patient, detail=f"{result.policy_name} {result.policy_version}"
        )
        refresh_stage(procedure.patient)
    return signed


def cannot_sign(procedure: Procedure, result: Interpretation, entry: Any) -> str:
    """Why the procedure cannot be signed off now, or "" when it can."""
    if procedure.status != Procedure.Status.DONE:
        return "Only a procedure that has been done can be signed off."
    if entry is None:
        return "There is no interpretation to sign: " + "; ".join(result.errors)
    return ""
