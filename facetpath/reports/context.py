"""What the block report and the prior-authorization packet show, built once for the web page, the PDF and
the command line alike.

Every figure and every judgement comes from the clinical core: the evaluation (facetpath.procedures
.interpretation), the MAC checklist (facetpath.clinical.prior_auth), the codes and ICD-10 suggestions
(facetpath.clinical.coding). This module only gathers them with the record they came from.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.urls import reverse

from facetpath.clinical import CaseError
from facetpath.clinical.agents import AGENTS
from facetpath.clinical.coding import CODE_LABELS, CodeLine, icd10_suggestions
from facetpath.clinical.prior_auth import (
    ASSESSMENT,
    PLANNED_ID,
    Checklist,
    ChecklistItem,
    PlanError,
    Status,
    checklist,
)
from facetpath.clinical.relief import relief_percent
from facetpath.clinical.results import Action
from facetpath.clinical.scales import DEFAULT_PAIN_SCALE, pain_scale_label, pain_scale_top
from facetpath.diary.times import FIT_LABELS
from facetpath.patients.models import Assessment, Patient
from facetpath.procedures import interpretation, plans
from facetpath.procedures.chart import pain_curve_svg
from facetpath.procedures.models import DiaryScore, Procedure, SignOff

# --- the block report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiaryRow:
    """One diary score at its true time: minutes after the procedure ended, and the clock time then."""

    minutes: int
    clock: str  # "09:35", or "4 Dec 08:00" on a later day; "" when the end time was not recorded
    pain: int
    relief_percent: float | None
    flag: str  # early, late, extra (no diary time); "" when on time or typed by staff

    @property
    def after(self) -> str:
        hours, minutes = divmod(self.minutes, 60)
        if not hours:
            return f"{minutes} min"
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@dataclass(frozen=True)
class CodeRow:
    line: CodeLine
    label: str


def code_rows(lines: list[CodeLine] | tuple[CodeLine, ...]) -> list[CodeRow]:
    """CPT lines with facetpath's own short labels (never the AMA descriptors)."""
    return [CodeRow(line, CODE_LABELS.get(line.code, "")) for line in lines]


def block_report(
    procedure: Procedure, evaluated: interpretation.Interpretation | None = None
) -> dict[str, Any]:
    """The block report's context: page one's figures, the diary table and the sign-off.

    `evaluated` is the patient's interpretation when the caller already holds it (the packet's supporting
    blocks share one)."""
    patient = procedure.patient
    result_of = evaluated or interpretation.evaluate(patient)
    result = result_of.for_procedure(procedure)
    assessment = patient.latest_assessment()
    scale = assessment.pain_scale if assessment else DEFAULT_PAIN_SCALE
    scores = list(procedure.diary_scores.all())
    agent = AGENTS.get(procedure.agent_name)
    return {
        "patient": patient,
        "clinic": patient.clinic,
        "procedure": procedure,
        "interpretation": result_of,
        "result": result,
        "assessment": assessment,
        "pain_scale": pain_scale_label(scale),
        "scale_max": pain_scale_top(scale),
        "agent_window": agent.expected_hours if agent is not None else None,
        "threshold": result_of.positive_threshold,
        "curve": _data_url(
            pain_curve_svg(
                [(score.minutes, score.pain) for score in scores],
                procedure.pre_pain,
                pain_scale_top(scale),
                result_of.positive_threshold,
                procedure.agent_name,
                marks={score.minutes: score.mark for score in scores if score.mark},
            )
        )
        if procedure.is_diagnostic_block and scores
        else "",
        "diary": diary_rows(procedure, scores),
        "codes": code_rows(result.codes) if result is not None else [],
        "icd10": icd10_suggestions(result.procedure.joints) if result is not None else [],
        "sign_off": _latest_sign_off(procedure),
        "current_json": result_of.procedure_json(procedure),
        "printed_on": patient.clinic.today(),
    }


def _data_url(svg: str) -> str:
    """The chart as a data: URL for an <img> with its alt text: the PDF's tags then carry a figure with a
    text alternative, and the document still fetches nothing."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def diary_rows(procedure: Procedure, scores: list[DiaryScore]) -> list[DiaryRow]:
    ended = datetime.combine(procedure.date, procedure.end_time) if procedure.end_time is not None else None
    return [
        DiaryRow(
            score.minutes,
            _clock(ended, procedure.date, score.minutes),
            score.pain,
            relief_percent(procedure.pre_pain, score.pain),
            _flag(score.mark),
        )
        for score in scores
    ]


def _flag(mark: str) -> str:
    return next((words for fit, words in FIT_LABELS.items() if fit.value == mark), mark) if mark else ""


def _clock(ended: datetime | None, day: date, minutes: int) -> str:
    if ended is None:
        return ""
    at = ended + timedelta(minutes=minutes)
    return at.strftime("%H:%M") if at.date() == day else f"{at.day} {at:%b %H:%M}"


def _latest_sign_off(procedure: Procedure) -> SignOff | None:
    return procedure.sign_offs.select_related("signed_by").order_by("-signed_at", "-id").first()


# --- the prior-authorization packet -------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class PacketLine:
    """A checklist item with links to the records it read (where to add or correct it)."""

    item: ChecklistItem
    links: list[Link]


@dataclass
class Packet:
    """The packet for the next procedure: its checklist, or why there is none."""

    patient: Patient
    planned: Procedure | None = None  # saved when the procedure is already planned; a draft otherwise
    checklist: Checklist | None = None
    lines: list[PacketLine] = field(default_factory=list)
    blocks: list[Procedure] = field(default_factory=list)  # the supporting diagnostic blocks
    problems: list[str] = field(default_factory=list)
    evaluated: interpretation.Interpretation | None = None

    @property
    def summary(self) -> str:
        return self.checklist.summary() if self.checklist is not None else ""

    @property
    def codes(self) -> list[CodeRow]:
        return code_rows(self.checklist.codes) if self.checklist is not None else []

    @property
    def icd10(self) -> list[tuple[str, str]]:
        if self.checklist is None:
            return []
        return icd10_suggestions(self.checklist.planned.procedure.joints)

    @property
    def open_lines(self) -> list[PacketLine]:
        return [line for line in self.lines if line.item.status is not Status.MET]


def packet(patient: Patient) -> Packet:
    """The MAC checklist for the procedure the pathway calls for next: the earliest planned procedure, or
    (none planned) the one the core's next step asks for, drafted as the "Plan …" button would."""
    found = Packet(patient)
    assessment = _complete_assessment(patient)
    if assessment is None:
        found.problems = ["No complete assessment yet: record one before a prior-authorization packet."]
        return found
    procedures = interpretation.case_procedures(patient)
    planned = next((p for p in procedures if p.status == Procedure.Status.PLANNED), None)
    history = [p for p in procedures if p is not planned]
    found.evaluated = interpretation.evaluate(patient, assessment, history)
    by_case_id = {p.case_id: p for p in history}
    found.planned = planned or _drafted_next(patient, found.evaluated, by_case_id)
    if found.planned is None:
        found.problems = found.evaluated.errors or [
            "No procedure to authorize: none is planned and the pathway's next step is not one to draft "
            f"({found.evaluated.evaluation.next_step}). Plan the procedure to see its checklist."
        ]
        return found
    case = interpretation.build_case(patient, assessment, history)
    assert case is not None  # an assessment exists
    try:
        found.checklist = checklist(case, found.planned.to_case_dict(diary=[], follow_ups=[]))
    except (CaseError, PlanError) as error:
        found.problems = list(getattr(error, "errors", [])) or [str(error)]
        return found
    found.lines = [
        PacketLine(item, _links(item, assessment, found.planned, by_case_id))
        for item in found.checklist.items
    ]
    found.blocks = _supporting_blocks(found.evaluated, found.planned, by_case_id)
    return found


def _supporting_blocks(
    evaluated: interpretation.Interpretation, planned: Procedure, done: dict[str, Procedure]
) -> list[Procedure]:
    """The diagnostic blocks done at any of the planned procedure's joints, oldest first: their reports go
    with the packet."""
    blocks = [
        done.get(result.id)
        for result in evaluated.evaluation.procedures
        if result.role.startswith("diagnostic")
    ]
    return [
        block for block in blocks
        if block is not None and block.status == Procedure.Status.DONE and set(block.joints) & set(planned.joints)
    ]  # fmt: skip


def _complete_assessment(patient: Patient) -> Assessment | None:
    """The latest assessment that is not a draft from an appointment request."""
    return next(
        (a for a in patient.assessments.order_by("-date", "-id") if not a.is_draft),
        None,
    )


def _drafted_next(
    patient: Patient, evaluated: interpretation.Interpretation, done: dict[str, Procedure]
) -> Procedure | None:
    """The procedure form's starting values for the core's next step, as a draft. After a treatment the
    core's step is a follow-up whose `due` is when a repeat may follow: the packet is for that repeat (the
    same procedure again at the same joints), from that day on, which the checklist then judges."""
    if not evaluated.ok:
        return None
    today = patient.clinic.today()
    defaults = plans.plan_defaults(evaluated.evaluation, today)
    if defaults:
        return Procedure(patient=patient, **defaults)
    step, last = evaluated.evaluation.next, plans.latest_result(evaluated.evaluation)
    # Only once the repeat may follow: before that the pathway calls for the follow-up, not a procedure.
    if step is None or step.action is not Action.FOLLOW_UP or step.due is None or step.due > today:
        return None
    treated = done.get(last.id) if last is not None else None
    if treated is None:
        return None
    repeat = Procedure(patient=patient, date=today, status=Procedure.Status.PLANNED)
    for name in REPEATED_FIELDS:
        setattr(repeat, name, getattr(treated, name))
    return repeat


# What a repeat treatment takes over from the last one; dates, times, scores and notes are its own.
REPEATED_FIELDS = (
    "type", "intent", "joints", "side", "guidance", "sedation", "agent_name", "agent_concentration_percent",
    "agent_volume_ml_per_nerve", "steroid_name", "steroid_dose_mg", "rfa_technique", "rfa_temperature_c",
    "rfa_unsuitable_reason", "operator",
)  # fmt: skip


def _links(
    item: ChecklistItem, assessment: Assessment, planned: Procedure, procedures: dict[str, Procedure]
) -> list[Link]:
    links = []
    for ref in item.refs:
        if ref == ASSESSMENT:
            text = f"assessment of {_day(assessment.date)}"
            links.append(Link(text, reverse("assessment-edit", args=[assessment.pk])))
        elif ref == PLANNED_ID:
            links.append(_planned_link(planned))
        elif ref in procedures:
            done = procedures[ref]
            anchor = "#diary-h" if done.is_diagnostic_block else "#fu-h"
            text = f"{done.get_type_display().lower()} of {_day(done.date)}"
            links.append(Link(text, reverse("procedure", args=[done.pk]) + anchor))
    return links


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"  # 3 Dec 2026, as the pages write dates


def _planned_link(planned: Procedure) -> Link:
    if planned.pk is not None:
        return Link(
            f"the planned {planned.get_type_display().lower()}", reverse("procedure-edit", args=[planned.pk])
        )
    url = reverse("procedure-new", args=[planned.patient_id])
    return Link(f"the {planned.get_type_display().lower()} to plan", f"{url}?next=step")


def packet_report(patient: Patient) -> dict[str, Any]:
    """The packet PDF's context: the checklist, then a block report for each supporting block."""
    found = packet(patient)
    return {
        "patient": patient,
        "clinic": patient.clinic,
        "packet": found,
        "block_reports": [block_report(block, found.evaluated) for block in found.blocks],
        "printed_on": patient.clinic.today(),
    }
