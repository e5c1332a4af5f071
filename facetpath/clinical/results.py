"""Evaluation results: the `facetpath.evaluation/1` document (case-format.md §2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Final

from .anatomy import nerves_for
from .case import Procedure
from .coding import CodeLine
from .findings import Finding, Severity
from .relief import ReliefRun, SustainedRelief

EVALUATION_FORMAT: Final = "facetpath.evaluation/1"

ROLES: Final = (
    "diagnostic-1", "diagnostic-2", "diagnostic-extra", "therapeutic", "therapeutic-repeat", "rfa-initial",
    "rfa-repeat", "cyst",
)  # fmt: skip
RESPONSES: Final = ("positive", "negative", "discordant", "placebo", "pending", "n/a")


class Action(StrEnum):
    """What follows a procedure, as a stable code for software; `NextStep.text` says it for people."""

    RESOLVE = "resolve"  # a rule denies the procedure: fix the record or the plan
    RECORD_DIARY = "record-diary"
    SECOND_BLOCK = "second-block"  # a confirmatory block at the same joints, from `due`
    COMPARATIVE_BLOCK = "comparative-block"  # SIS: the same joints with an agent of the other duration
    RFA = "rfa"  # meets the policy's criteria for radiofrequency ablation
    THERAPEUTIC_INJECTION = "therapeutic-injection"
    LOOK_ELSEWHERE = "look-elsewhere"  # negative or placebo response
    RECONSIDER = "reconsider"  # discordant response
    FOLLOW_UP = "follow-up"  # after treatment; `due` is when a repeat may follow


@dataclass(frozen=True, slots=True)
class NextStep:
    action: Action
    text: str
    due: date | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True)
class ProcedureResult:
    procedure: Procedure
    role: str
    response: str
    peak_relief_percent: float | None
    relief_hours: float | None
    relief_run: ReliefRun | None = None
    sustained: SustainedRelief | None = None
    codes: list[CodeLine] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    next: NextStep = NextStep(Action.RECORD_DIARY, "")

    @property
    def next_step(self) -> str:
        return self.next.text

    @property
    def id(self) -> str:
        return self.procedure.id

    @property
    def joints(self) -> tuple[str, ...]:
        return self.procedure.joint_names

    @property
    def nerves(self) -> tuple[str, ...]:
        return tuple(nerve.name for nerve in nerves_for(self.procedure.joints))

    @property
    def meets_criteria(self) -> bool:
        return not any(finding.severity is Severity.DENY for finding in self.findings)

    @property
    def positive(self) -> bool:
        return self.response == "positive"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "role": self.role,
            "joints": list(self.joints),
            "nerves": list(self.nerves),
            "peak_relief_percent": self.peak_relief_percent,
            "relief_hours": self.relief_hours,
            "response": self.response,
            "meets_criteria": self.meets_criteria,
            "codes": [line.to_json() for line in self.codes],
            "findings": [finding.to_json() for finding in self.findings],
        }


@dataclass(slots=True)
class Evaluation:
    policy: str
    policy_version: str
    patient_id: str
    findings: list[Finding]
    procedures: list[ProcedureResult]  # in the case's order

    @property
    def candidate(self) -> bool:
        return not any(finding.severity is Severity.DENY for finding in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": EVALUATION_FORMAT,
            "policy": self.policy,
            "patient_id": self.patient_id,
            "candidate": self.candidate,
            "findings": [finding.to_json() for finding in self.findings],
            "procedures": [result.to_json() for result in self.procedures],
        }

    @property
    def next(self) -> NextStep | None:
        """What to do now: the next step of the latest procedure; None before any procedure."""
        if not self.procedures:
            return None
        return max(self.procedures, key=lambda r: (r.procedure.date, r.procedure.position)).next

    @property
    def next_step(self) -> str:
        if self.next is not None:
            return self.next.text
        return "plan the first diagnostic block" if self.candidate else "not a candidate: see the findings"
