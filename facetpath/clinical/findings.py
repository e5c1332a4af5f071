"""Rules, parameters and findings: what a policy states and what it says about one case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Severity(StrEnum):
    DENY = "deny"  # the reason it fails
    WARN = "warn"  # allowed, but needs documentation or review
    INFO = "info"


class Confidence(StrEnum):
    """How sure the reference is of a rule (the tags of ../shared/reference/*.md)."""

    CERTAIN = "certain"
    LIKELY = "likely"
    UNCLEAR = "unclear"
    CONVENTION = "facetpath convention"  # a choice of ours where no source decides; documented


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    summary: str
    citation: str
    confidence: Confidence
    severity: Severity  # the severity of a failed check; info and warn rules never deny


ParameterValue = bool | int | float | str | date | None


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named policy setting. Unclear rules become parameters whose effect is reported as `warn`."""

    name: str
    default: ParameterValue
    description: str
    citation: str
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "severity": self.severity.value, "message": self.message}
