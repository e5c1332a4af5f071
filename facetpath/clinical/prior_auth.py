"""Medicare hospital-outpatient prior authorization for facet procedures: which codes need it, how long a
Unique Tracking Number (UTN) lasts, and the MAC's documentation checklist read off the record itself.

The checklist does not judge the clinical criteria a second time. It adds the planned procedure to the case,
evaluates it under the Medicare LCD policy, and reads each item off that evaluation: the patient-selection
findings, the planned procedure's role and findings, and the diaries of the blocks before it. Each item has a
stable ID, the MAC or LCD source, and says met, not met or missing, with what to add when it is not met.
Sources: interop-and-prior-auth.md (CGS, Palmetto, Novitas, Noridian pages), medicare-lcd.md.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Final

from .case import Case, parse_case
from .coding import CodeLine
from .evaluate import evaluate_case
from .findings import Confidence, Finding, Parameter, Severity
from .policies import get_policy
from .policies.base import Policy
from .results import Evaluation, ProcedureResult

PA = "interop-and-prior-auth.md"
LCD = "medicare-lcd.md"

# CPT codes on CMS's hospital-outpatient prior-authorization list for facet joint interventions; 64492 and
# 64495 (third and further levels) left it in 2024, when those levels became non-covered.
PRIOR_AUTH_CODES: Final = frozenset({"64490", "64491", "64493", "64494", "64633", "64634", "64635", "64636"})
# Places of service where the hospital-outpatient programme applies: off-campus (19) and on-campus (22).
PRIOR_AUTH_PLACES: Final = frozenset({"19", "22"})
PLANNED_ID: Final = "planned"
# What an item reads (Item.where): the assessment, the diagnostic blocks before the planned procedure, the
# last treatment (its follow-ups), the whole procedure history, or the planned procedure itself.
ASSESSMENT, BLOCKS, TREATED, HISTORY = "assessment", "blocks", "treated", "history"
UTN_VALID_DAYS: Final = 120
DECISION_DAYS: Final = 7
UTN_EXPIRY_WARNING_DAYS: Final = 14

PARAMETERS: Final = (
    Parameter("utn_valid_days", UTN_VALID_DAYS, "days a UTN stays valid after its decision; the decision day is day 0, "
              "so a date of service on day 120 is covered and day 121 is not (the MACs do not say how to count)",
              f"{PA} (CGS, Novitas FAQ)", Confidence.UNCLEAR),
    Parameter("decision_days", DECISION_DAYS, "calendar days a MAC takes to decide a standard request; a request waiting "
              "longer is chased", f"{PA} (CGS)", Confidence.LIKELY),
    Parameter("utn_expiry_warning_days", UTN_EXPIRY_WARNING_DAYS, "days before a UTN expires that the worklist lists it",
              "facetpath convention", Confidence.CONVENTION),
)  # fmt: skip


def needs_prior_authorization(codes: list[CodeLine], place_of_service: str, medicare: bool) -> bool:
    """Whether a procedure's codes, at that place of service and for a Medicare patient, need a UTN."""
    return (
        medicare and place_of_service in PRIOR_AUTH_PLACES and any(c.code in PRIOR_AUTH_CODES for c in codes)
    )


def utn_last_valid_day(decided: date, valid_days: int = UTN_VALID_DAYS) -> date:
    return decided + timedelta(days=valid_days)


def utn_valid_on(decided: date, date_of_service: date, valid_days: int = UTN_VALID_DAYS) -> bool:
    """A UTN covers a date of service from its decision through its last valid day, never before."""
    return decided <= date_of_service <= utn_last_valid_day(decided, valid_days)


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not met"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    label: str
    status: Status
    value: str  # what the record says, in words
    source: str  # where in the record it comes from
    to_add: str  # what would make it met; empty when met
    citation: str
    # The parts of the record it read, by case id: "assessment", a procedure's id, or PLANNED_ID, so an
    # application can link each item to the page where it is added or corrected.
    refs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "status": self.status.value,
            "value": self.value,
            "source": self.source,
            "to_add": self.to_add,
            "citation": self.citation,
            "refs": list(self.refs),
        }


PACKET_NAMES: Final = {
    "diagnostic-1": "first diagnostic block",
    "diagnostic-2": "second diagnostic block",
    "diagnostic-extra": "further diagnostic block",
    "therapeutic": "therapeutic injection",
    "therapeutic-repeat": "repeat therapeutic injection",
    "rfa-initial": "RFA",
    "rfa-repeat": "repeat RFA",
}


@dataclass(frozen=True, slots=True)
class Checklist:
    packet: str  # the planned procedure's role (PACKET_NAMES)
    planned: ProcedureResult
    items: tuple[ChecklistItem, ...]

    @property
    def name(self) -> str:
        return PACKET_NAMES.get(self.packet, self.packet)

    @property
    def open_items(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for item in self.items if item.status is not Status.MET)

    @property
    def ready(self) -> bool:
        return not self.open_items

    @property
    def codes(self) -> list[CodeLine]:
        return self.planned.codes

    def summary(self) -> str:
        """One line for the patient page: "RFA packet: 2 items missing: a, b" or "… ready"."""
        missing = [i.label for i in self.items if i.status is Status.MISSING]
        failing = [i.label for i in self.items if i.status is Status.NOT_MET]
        parts = []
        if missing:
            parts.append(f"{_count(len(missing), 'item')} missing: {'; '.join(missing)}")
        if failing:
            parts.append(f"{_count(len(failing), 'item')} not met: {'; '.join(failing)}")
        return f"{self.name} packet: {'; '.join(parts) if parts else 'every item met'}"

    def to_json(self) -> dict[str, Any]:
        return {
            "packet": self.packet,
            "name": self.name,
            "ready": self.ready,
            "codes": [line.to_json() for line in self.codes],
            "items": [item.to_json() for item in self.items],
        }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class Record:
    """What an item reads: the case, its evaluation with the planned procedure, and the policy's settings."""

    case: Case
    evaluation: Evaluation
    planned: ProcedureResult
    policy: Policy

    @property
    def assessed(self) -> str:
        return f"assessment of {self.case.assessment.date.isoformat()}"

    def findings(self, *rules: str) -> list[Finding]:
        found = [*self.evaluation.findings, *self.planned.findings]
        return [finding for finding in found if finding.rule in rules]

    def denied(self, *rules: str) -> list[Finding]:
        return [finding for finding in self.findings(*rules) if finding.severity is Severity.DENY]

    def refs(self, where: str) -> tuple[str, ...]:
        """The case ids an item of this `where` reads (Item.where)."""
        if where == ASSESSMENT:
            return (ASSESSMENT,)
        if where == BLOCKS:
            return tuple(block.id for block in self.earlier_blocks())
        if where == TREATED:
            treatments = [
                r for r in self.evaluation.procedures if r.id != PLANNED_ID and r.role in TREATMENTS
            ]
            return (
                (max(treatments, key=lambda r: (r.procedure.date, r.procedure.position)).id,)
                if treatments
                else ()
            )
        if where == HISTORY:
            return tuple(r.id for r in self.evaluation.procedures if r.id != PLANNED_ID)
        return (PLANNED_ID,)

    def earlier_blocks(self) -> list[ProcedureResult]:
        """Diagnostic blocks before the planned procedure, at any of its joints, in date order."""
        sites = self.planned.procedure.sites
        return sorted(
            (
                result
                for result in self.evaluation.procedures
                if result.role.startswith("diagnostic")
                and result.id != PLANNED_ID
                and result.procedure.sites & sites
            ),
            key=lambda result: (result.procedure.date, result.procedure.position),
        )


Outcome = tuple[Status, str, str, str]  # status, value, source, what to add
Check = Callable[[Record], Outcome]


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the MAC's checklist, declared once; `label` may name the policy's parameters in braces."""

    id: str
    label: str
    citation: str
    packets: frozenset[str]
    check: Check
    where: str  # which part of the record it reads: ASSESSMENT, BLOCKS, TREATED, HISTORY or PLANNED_ID


def _rule_outcome(record: Record, rules: tuple[str, ...], value: str, source: str, fix: str) -> Outcome:
    denied = record.denied(*rules)
    if denied:
        return Status.NOT_MET, "; ".join(f.message for f in denied), source, fix
    return Status.MET, value, source, ""


def _duration(record: Record) -> Outcome:
    months = record.case.assessment.pain_duration_months
    return _rule_outcome(
        record, ("MCD-GATE-DURATION",), f"{months:g} months", record.assessed,
        "a note of when the pain began (at least the months the LCD asks)",
    )  # fmt: skip


def _severity(record: Record) -> Outcome:
    assessment = record.case.assessment
    value = f"{assessment.baseline_pain:g} on {assessment.pain_scale}"
    moderate = record.policy.moderate_pain(assessment)
    if assessment.baseline_pain < moderate:
        return (
            Status.NOT_MET,
            value,
            record.assessed,
            f"baseline pain of at least {moderate} on {assessment.pain_scale}",
        )
    return _rule_outcome(
        record, ("MCD-GATE-AXIAL",), value + ", mainly axial", record.assessed, "pain mainly axial"
    )


def _conservative(record: Record) -> Outcome:
    care = record.case.assessment.conservative_care
    if not care:
        return (
            Status.MISSING,
            "none recorded",
            record.assessed,
            "each conservative treatment tried, its weeks and result",
        )
    value = "; ".join(f"{c.modality}, {c.weeks:g} weeks{' (failed)' if c.failed else ''}" for c in care)
    return _rule_outcome(
        record,
        ("MCD-GATE-CONSERVATIVE",),
        value,
        record.assessed,
        "a conservative treatment tried and failed",
    )


def _radiculopathy(record: Record) -> Outcome:
    return _rule_outcome(
        record, ("MCD-GATE-RADICULOPATHY", "MCD-GATE-CLAUDICATION"), "none untreated", record.assessed,
        "treatment of the radiculopathy first, or its facet-cyst cause documented",
    )  # fmt: skip


def _non_facet(record: Record) -> Outcome:
    return _rule_outcome(
        record, ("MCD-GATE-NONFACET",), "excluded", record.assessed, "how non-facet causes were excluded"
    )


def _disability(record: Record) -> Outcome:
    disability = record.case.assessment.disability
    if disability is None:
        return Status.MISSING, "none recorded", record.assessed, "a disability scale (e.g. ODI) at baseline"
    return Status.MET, f"{disability.instrument} {disability.score:g}", record.assessed, ""


def _same_scale(record: Record) -> Outcome:
    """Every earlier block scored before and after on the case's one scale: a block without its pre-block
    score or its diary leaves the payer nothing to compare with the baseline."""
    scale = record.case.assessment.pain_scale
    gaps = []
    for number, block in enumerate(record.earlier_blocks(), start=1):
        name = f"block {number} ({block.procedure.date.isoformat()})"
        if block.procedure.pre_pain is None:
            gaps.append(f"{name} has no pre-block score")
        if not block.procedure.diary:
            gaps.append(f"{name} has no diary")
    source = f"{record.assessed} and the diagnostic blocks' scores"
    if gaps:
        return Status.MISSING, "; ".join(gaps), source, f"the missing scores, on {scale}"
    return Status.MET, f"{scale} at baseline and before and after each block", source, ""


def _blocks(record: Record) -> Outcome:
    blocks = record.earlier_blocks()
    value = "; ".join(_block_text(number, block) for number, block in enumerate(blocks, start=1)) or "none"
    source = "diagnostic blocks and their diaries"
    if any(block.response == "pending" for block in blocks):
        return Status.MISSING, value, source, "the pain diary of each block (its relief is not known yet)"
    rules = ("MCD-RFA-PREREQ", "MCD-DX2-PRIOR", "MCD-TX-PREREQ")
    fix = f"two diagnostic medial branch blocks at these joints, each with {record.policy.threshold_text()}"
    return _rule_outcome(record, rules, value, source, fix)


def _block_text(number: int, block: ProcedureResult) -> str:
    agent = block.procedure.agent.name if block.procedure.agent else "no agent"
    peak = "no relief known" if block.peak_relief_percent is None else f"{block.peak_relief_percent:g} % peak"
    hours = "" if block.relief_hours is None else f", {block.relief_hours:g} h"
    return f"block {number} {block.procedure.date.isoformat()}: {peak}{hours} ({agent}), {block.response}"


def _interval(record: Record) -> Outcome:
    days = int(record.policy.number("dx_interval_days"))
    return _rule_outcome(
        record, ("MCD-DX2-INTERVAL",), f"at least {days} days after the first block", "the planned date",
        f"a date at least {days} days after the first block, or the documented reason for an earlier one",
    )  # fmt: skip


def _repeat(record: Record) -> Outcome:
    threshold = int(record.policy.number("sustained_threshold"))
    months = int(
        record.policy.number(
            "repeat_rfa_months" if record.planned.role == "rfa-repeat" else "repeat_tx_months"
        )
    )
    return _rule_outcome(
        record, ("MCD-RFA-REPEAT", "MCD-TX-REPEAT"), f"at least {threshold} % for at least {months} months",
        "follow-ups after the last treatment",
        f"follow-up scores showing at least {threshold} % relief or function for {months} months",
    )  # fmt: skip


def _rfa_reason(record: Record) -> Outcome:
    reason = record.planned.procedure.rfa_unsuitable_reason
    return _rule_outcome(
        record, ("MCD-TX-RFA-REASON",), reason or "recorded", "the planned procedure",
        "why RFA is not suitable for this patient",
    )  # fmt: skip


def _rediagnosed(record: Record) -> Outcome:
    years = int(record.policy.number("rediagnosis_years"))
    return _rule_outcome(
        record, ("MCD-RFA-REDIAGNOSE", "MCD-DX-AFTER-RFA"), f"within {years} years of the last RFA or newly confirmed",
        "the procedure history", f"new diagnostic blocks: the last RFA is {years} years old or more",
    )  # fmt: skip


def _technique(record: Record) -> Outcome:
    planned = record.planned.procedure
    value = f"{planned.guidance}, {len(planned.joints)} level(s)"
    return _rule_outcome(
        record, ("MCD-GUIDANCE", "MCD-LEVELS", "MCD-MULTI-REGION", "MCD-RFA-THERMAL"), value, "the planned procedure",
        f"fluoroscopy or CT, at most {int(record.policy.number('max_levels'))} levels in one region",
    )  # fmt: skip


def _caps(record: Record) -> Outcome:
    return _rule_outcome(
        record, ("MCD-DX-CAP", "MCD-TX-CAP", "MCD-RFA-CAP"), "within the 12-month limits", "the procedure history",
        "a later date: the rolling 12-month limit for this kind of procedure is reached",
    )  # fmt: skip


ALL: Final = frozenset(PACKET_NAMES)
SECOND: Final = frozenset({"diagnostic-2"})
TREATMENTS: Final = frozenset({"rfa-initial", "rfa-repeat", "therapeutic", "therapeutic-repeat"})
REPEATS: Final = frozenset({"rfa-repeat", "therapeutic-repeat"})
RFA: Final = frozenset({"rfa-initial", "rfa-repeat"})

CHECKLIST: Final = (
    Item("PA-DURATION", "pain for at least {min_pain_months} months", f"{PA}; {LCD} R3", ALL, _duration, ASSESSMENT),
    Item("PA-SEVERITY", "moderate to severe pain at baseline", f"{PA}; {LCD} R1", ALL, _severity, ASSESSMENT),
    Item("PA-CONSERVATIVE", "conservative care tried and failed", f"{PA}; {LCD} R4", ALL, _conservative, ASSESSMENT),
    Item("PA-RADICULOPATHY", "no untreated radiculopathy", f"{PA}; {LCD} R5", ALL, _radiculopathy, ASSESSMENT),
    Item("PA-NON-FACET", "non-facet causes excluded", f"{PA}; {LCD} R6", ALL, _non_facet, ASSESSMENT),
    Item("PA-DISABILITY", "disability scale at baseline", f"{PA}; {LCD} R8", ALL, _disability, ASSESSMENT),
    Item("PA-SAME-SCALE", "the same pain scale at baseline and after each block", PA, SECOND | TREATMENTS, _same_scale, BLOCKS),
    Item("PA-BLOCKS", "diagnostic blocks with the relief the LCD asks", f"{PA}; {LCD} R10-R13, R21-R24",
         SECOND | frozenset({"rfa-initial", "therapeutic"}), _blocks, BLOCKS),
    Item("PA-INTERVAL", "second block after the interval", f"{LCD} R12", SECOND, _interval, PLANNED_ID),
    Item("PA-SUSTAINED", "sustained relief after the last treatment", f"{PA}; {LCD} R19, R27", REPEATS, _repeat, TREATED),
    Item("PA-RFA-UNSUITABLE", "why RFA is not suitable", f"{LCD} R18", frozenset({"therapeutic"}), _rfa_reason, PLANNED_ID),
    Item("PA-REDIAGNOSIS", "diagnosis still current after an earlier RFA", f"{PA}; {LCD} R29", RFA, _rediagnosed, HISTORY),
    Item("PA-TECHNIQUE", "imaging guidance and levels", f"{PA}; {LCD} R37, R42", ALL, _technique, PLANNED_ID),
    Item("PA-FREQUENCY", "within the 12-month frequency limits", f"{LCD} R15, R20, R30", ALL, _caps, HISTORY),
)  # fmt: skip


class PlanError(ValueError):
    """The planned procedure cannot be added to the case; the messages name the fields."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def checklist(
    case_document: Mapping[str, Any], planned: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
) -> Checklist:
    """The MAC checklist for `planned` (a procedure entry of the case format, without diary or follow-up)
    added to the case document. Raises CaseError for a bad case, PlanError for a bad planned procedure."""
    document = copy.deepcopy(dict(case_document))
    parse_case(document)  # the record as it stands must be valid on its own
    entry = {key: value for key, value in planned.items() if key not in ("diary", "follow_up")}
    entry["id"] = PLANNED_ID
    document["procedures"] = [*document.get("procedures", []), entry]
    try:
        case = parse_case(document)
    except ValueError as error:
        raise PlanError(getattr(error, "errors", [str(error)])) from error
    policy = get_policy("medicare-lcd", overrides)
    evaluation = evaluate_case(case, policy)
    result = next(r for r in evaluation.procedures if r.id == PLANNED_ID)
    record = Record(case, evaluation, result, policy)
    items = tuple(_item(record, item) for item in CHECKLIST if result.role in item.packets)
    return Checklist(result.role, result, items)


def _item(record: Record, item: Item) -> ChecklistItem:
    status, value, source, to_add = item.check(record)
    label = item.label.format_map(record.policy.values)  # labels follow the policy's parameters
    return ChecklistItem(
        item.id, label, status, value, source, to_add, item.citation, record.refs(item.where)
    )
