"""Procedure form with live preview, result page with the pain curve, diary, follow-ups, sign-off."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from facetpath.audit.coverage import reads_patient_data
from facetpath.audit.log import audit
from facetpath.clinical.anatomy import JointError
from facetpath.clinical.coding import icd10_suggestions
from facetpath.clinical.safety import SafetyReport, screen
from facetpath.clinical.scales import DEFAULT_PAIN_SCALE, pain_scale_top
from facetpath.clinics.access import as_id, require, staff_user
from facetpath.clinics.roles import Capability, Role
from facetpath.patients.access import access_patient
from facetpath.patients.models import Assessment, Patient
from facetpath.procedures import actions, interpretation, plans
from facetpath.procedures.access import access_procedure
from facetpath.procedures.chart import pain_curve_svg
from facetpath.procedures.forms import DiaryForm, FollowUpForm, ProcedureForm, SignOffForm, sign_off_gap
from facetpath.procedures.models import Procedure


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even an empty one), else None for an unbound form."""
    return request.POST if request.method == "POST" else None


def _operators(patient: Patient) -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(memberships__clinic=patient.clinic, memberships__role=Role.PHYSICIAN)
        .order_by("last_name", "username")
    )


def _scale_max(patient: Patient) -> int:
    assessment = patient.latest_assessment()
    return pain_scale_top(assessment.pain_scale if assessment else DEFAULT_PAIN_SCALE)


@reads_patient_data
def procedure_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = access_patient(request, patient_id, Capability.EDIT_CLINICAL)
    draft = Procedure(
        patient=patient, date=patient.clinic.today(), type="mbb", intent="diagnostic", side="bilateral"
    )
    for name, value in _next_step_defaults(request, patient).items():
        setattr(draft, name, value)
    return _procedure_form(request, patient, draft)


def _next_step_defaults(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """?next=<action>: the form starts from the core's next step, when that is still the next step (a stale
    link opens the plain form rather than a plan the record no longer asks for)."""
    wanted = request.GET.get("next", "")
    if not wanted or request.method != "GET":
        return {}
    evaluation = interpretation.evaluate(patient).evaluation
    step = evaluation.next if evaluation is not None else None
    # "step": whatever the core says now (the worklist's buttons, which hold no evaluation).
    if step is None or wanted not in (step.action.value, "step"):
        return {}
    return plans.plan_defaults(evaluation, patient.clinic.today())


@reads_patient_data
def procedure_edit(request: HttpRequest, procedure_id: int) -> HttpResponse:
    procedure = access_procedure(request, procedure_id, Capability.EDIT_CLINICAL)
    return _procedure_form(request, procedure.patient, procedure)


def _procedure_form(request: HttpRequest, patient: Patient, procedure: Procedure) -> HttpResponse:
    assessment = patient.latest_assessment()
    if assessment is None:
        messages.error(request, "Record an assessment before planning a procedure.")
        return redirect("patient", patient.pk)
    form = ProcedureForm(
        _posted(request),
        instance=procedure,
        patient=patient,
        assessment=assessment,
        operators=_operators(patient),
    )
    if request.method == "POST" and form.is_valid():
        actions.record_procedure(request, form, patient, staff_user(request))
        messages.success(request, "Procedure saved.")
        return redirect("procedure", form.instance.pk)
    if procedure.pk:
        audit(request, "view", procedure, patient, detail="procedure form")
    else:  # a new procedure's form shows the patient and the plan's preview
        audit(request, "view", patient, patient, detail="new procedure form")
    context = {"form": form, "patient": patient, "procedure": procedure, **_preview(form, patient)}
    return render(request, "procedures/procedure_form.html", context)


@reads_patient_data
def procedure_preview(request: HttpRequest, patient_id: int) -> HttpResponse:
    """htmx: nerves, landmarks, volumes and codes for the plan, and the policy's findings for that date."""
    patient = access_patient(request, patient_id, Capability.EDIT_CLINICAL)
    existing = as_id(request.POST.get("procedure_id", ""))
    procedure = (
        access_procedure(request, existing, Capability.EDIT_CLINICAL)
        if existing
        else Procedure(patient=patient)
    )
    form = ProcedureForm(
        _posted(request),
        instance=procedure,
        patient=patient,
        assessment=patient.latest_assessment(),
        operators=_operators(patient),
    )
    audit(request, "preview", patient, patient, detail="procedure")
    return render(request, "procedures/_preview.html", {"patient": patient, **_preview(form, patient)})


def _preview(form: ProcedureForm, patient: Patient) -> dict[str, Any]:
    if not form.is_bound:
        return {"plan": None, "result": None}
    valid = form.is_valid()
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    context: dict[str, Any] = {
        "plan": _plan(data),
        "result": None,
        "preview_errors": _labelled_errors(form) if not valid else None,
        "safety": _safety(form.assessment, data),
        "intent_words": _intent_words(data),
    }
    if valid:
        draft = form.instance
        others = [p for p in interpretation.case_procedures(patient) if p.pk != draft.pk]
        if draft.status != Procedure.Status.CANCELLED:
            others.append(draft)
            others.sort(key=lambda p: (p.date, p.pk or 10**12))
        evaluated = interpretation.evaluate(patient, procedures=others)
        context["result"] = evaluated.for_procedure(draft)
        context["interpretation"] = evaluated
    return context


def _intent_words(data: dict[str, Any]) -> str:
    """What the saved intent will be: the form's clean sets it from the type, so the preview says so."""
    if data.get("type") in (Procedure.Type.RFA, Procedure.Type.CYST):
        return "treatment (an ablation or aspiration has no block intent; the Intent choice is not kept)"
    return Procedure.Intent(data["intent"]).label if data.get("intent") in Procedure.Intent.values else ""


def _labelled_errors(form: ProcedureForm) -> list[str]:
    return [
        f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
        for name, messages in form.errors.items()
        for message in messages
    ]


def _safety(assessment: Assessment | None, data: dict[str, Any]) -> SafetyReport | None:
    """The safety screen for this plan: the assessment's findings plus fusion at these joints, RFA and devices."""
    if assessment is None or not data.get("type"):
        return None
    planned = assessment.safety_input(
        data["type"],
        tuple(data.get("joints") or ()),
        contrast_planned=bool(data.get("contrast_used")),
        steroid_planned=bool(data.get("steroid_name")),
    )
    return screen(planned)


def _plan(data: dict[str, Any]) -> Any:
    joints, side, kind = data.get("joints"), data.get("side"), data.get("type")
    if not joints or not side or not kind:
        return None
    intent = data.get("intent") or "therapeutic"
    try:
        return interpretation.plan(list(joints), side, kind, intent)
    except (JointError, ValueError):
        return None


@reads_patient_data
def procedure_page(request: HttpRequest, procedure_id: int) -> HttpResponse:
    procedure = access_procedure(request, procedure_id)
    patient = procedure.patient
    membership = require(request, Capability.VIEW_CLINICAL)
    result = interpretation.evaluate(patient)
    sign_offs = list(procedure.sign_offs.select_related("signed_by"))
    current = result.procedure_json(procedure)
    found = result.for_procedure(procedure)
    context = {
        "patient": patient,
        "procedure": procedure,
        "interpretation": result,
        "result": found,
        "icd10": icd10_suggestions(found.procedure.joints) if found is not None else [],
        "current_json": current,
        "sign_off": sign_offs[0] if sign_offs else None,
        "sign_offs": sign_offs,
        "changed_since_sign_off": bool(sign_offs and current and sign_offs[0].interpretation != current),
        "amendments": procedure.amendments.select_related("author"),
        "diary": list(procedure.diary_scores.all()),
        "follow_ups": list(procedure.follow_ups.all()),
        "diary_form": _diary_form(procedure, None),
        "follow_up_form": FollowUpForm(scale_max=_scale_max(patient), procedure=procedure),
        "sign_form": SignOffForm(),
        "sign_gap": sign_off_gap(procedure, current),
        "can_sign": membership.can(Capability.SIGN_OFF),
        "assessment": patient.latest_assessment(),
    }
    audit(request, "view", procedure, patient)
    return render(request, "procedures/procedure.html", context)


def _diary_form(procedure: Procedure, data: Any) -> DiaryForm:
    scores = procedure.diary_scores.all()
    existing = {score.minutes: score.pain for score in scores}
    marks = {score.minutes: score.mark for score in scores if score.mark}
    signed = procedure.sign_offs.exists()
    return DiaryForm(
        data, scale_max=_scale_max(procedure.patient), signed=signed, existing=existing, marks=marks
    )


@require_POST
@reads_patient_data
def diary_save(request: HttpRequest, procedure_id: int) -> HttpResponse:
    procedure = access_procedure(request, procedure_id, Capability.EDIT_CLINICAL)
    form = _diary_form(procedure, request.POST)
    if not form.is_valid():
        audit(request, "view", procedure, procedure.patient, detail="diary form rejected")
        return render(
            request, "procedures/diary_form.html", {"form": form, "procedure": procedure}, status=422
        )
    reason = form.cleaned_data["amendment_reason"] if form.signed else None
    actions.save_scores(request, procedure, form.scores(), staff_user(request), amendment_reason=reason)
    messages.success(request, "Diary saved.")
    return redirect("procedure", procedure.pk)


@require_POST
@reads_patient_data
def follow_up_add(request: HttpRequest, procedure_id: int) -> HttpResponse:
    procedure = access_procedure(request, procedure_id, Capability.EDIT_CLINICAL)
    form = FollowUpForm(request.POST, scale_max=_scale_max(procedure.patient), procedure=procedure)
    if not form.is_valid():
        audit(request, "view", procedure, procedure.patient, detail="follow-up form rejected")
        return render(
            request, "procedures/follow_up_form.html", {"form": form, "procedure": procedure}, status=422
        )
    assessment = procedure.patient.latest_assessment()
    actions.add_follow_up(request, procedure, form.cleaned_data, assessment, staff_user(request))
    messages.success(request, "Follow-up saved.")
    return redirect("procedure", procedure.pk)


@require_POST
def sign_off(request: HttpRequest, procedure_id: int) -> HttpResponse:
    procedure = access_procedure(request, procedure_id, Capability.SIGN_OFF)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("procedure", procedure.pk)
    try:
        actions.sign_off(
            request, procedure, staff_user(request), form.cleaned_data["comment"], form.cleaned_data["reason"]
        )
    except actions.CannotSign as problem:
        messages.error(request, str(problem))
        return redirect("procedure", procedure.pk)
    messages.success(request, "Signed off. The interpretation is frozen as shown.")
    return redirect("procedure", procedure.pk)


@csp_override({})
@reads_patient_data
def pain_curve(request: HttpRequest, procedure_id: int) -> HttpResponse:
    """The pain curve as an SVG image (its own response, so its inline styles need no page CSP exception)."""
    procedure = access_procedure(request, procedure_id)
    result = interpretation.evaluate(procedure.patient)
    scores = list(procedure.diary_scores.all())
    svg = pain_curve_svg(
        [(score.minutes, score.pain) for score in scores],
        procedure.pre_pain,
        _scale_max(procedure.patient),
        result.positive_threshold,
        procedure.agent_name,
        marks={score.minutes: score.mark for score in scores if score.mark},
    )
    audit(request, "view", procedure, procedure.patient, detail="pain curve")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response
