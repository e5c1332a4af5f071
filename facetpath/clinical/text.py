"""Plain-text renderings for people: an evaluation, a plan, a policy."""

from __future__ import annotations

import json

from .agents import AGENTS
from .coding import CODE_LABELS
from .findings import Finding
from .plan import Plan
from .policies import Policy
from .results import Evaluation, ProcedureResult
from .safety import SAFETY_RULES

PROCEDURE_WORDS = {
    "mbb": "medial branch block",
    "ia": "intra-articular injection",
    "rfa": "radiofrequency ablation",
    "cyst": "facet cyst procedure",
}


def evaluation_json(evaluation: Evaluation) -> str:
    """The facetpath.evaluation/1 document as `facetpath evaluate` prints it, and the JSON API answers it:
    one rendering, so the two are equal byte for byte."""
    return json.dumps(evaluation.to_json(), indent=2, ensure_ascii=False) + "\n"


def evaluation_text(evaluation: Evaluation, policy: Policy) -> str:
    lines = [
        f"Patient {evaluation.patient_id}, policy {policy.name} {policy.version}: {policy.title}",
        f"Candidate: {'yes' if evaluation.candidate else 'no'}",
        *_findings(evaluation.findings, indent="  "),
    ]
    for result in evaluation.procedures:
        lines += ["", *_procedure(result, policy)]
    if evaluation.procedures:
        lines += ["", f"Next: {evaluation.next_step}"]
    return "\n".join(lines) + "\n"


def _procedure(result: ProcedureResult, policy: Policy) -> list[str]:
    p = result.procedure
    what = f"{p.intent} {PROCEDURE_WORDS[p.type]}" if p.type in ("mbb", "ia") else PROCEDURE_WORDS[p.type]
    lines = [
        f"{p.id}  {p.date}  {what}, {', '.join(p.joint_names)} {p.side}  [{result.role}]",
        f"  Nerves: {', '.join(result.nerves)}",
    ]
    if result.peak_relief_percent is not None:
        hours = result.relief_hours or 0.0
        expected = ""
        if p.agent is not None and p.agent.name in AGENTS and policy.agent_min_hours(p.agent.name) > 0:
            expected = (
                f"; {p.agent.name} is expected to give at least {policy.agent_min_hours(p.agent.name):g} h"
            )
        lines.append(
            f"  Relief: peak {result.peak_relief_percent:.4g} %, at or above {policy.threshold_text()} for {hours:g} h{expected}"
        )
    lines += [
        f"  Response: {result.response}",
        f"  Meets criteria: {'yes' if result.meets_criteria else 'no'}",
        f"  Codes: {', '.join(str(line) for line in result.codes) or 'none'}",
        *_findings(result.findings, indent="    ", title="  Findings:"),
        f"  Next step: {result.next_step}",
    ]
    return lines


def _findings(findings: list[Finding], indent: str, title: str = "") -> list[str]:
    if not findings:
        return []
    width = max(len(f.rule) for f in findings)
    rows = [f"{indent}{f.severity.value:<4}  {f.rule:<{width}}  {f.message}" for f in findings]
    return [title, *rows] if title else rows


def plan_text(plan: Plan) -> str:
    joints = ", ".join(joint.name for joint in plan.joints)
    lines = [
        f"{plan.intent.capitalize()} {PROCEDURE_WORDS[plan.type]}: {joints}, {plan.side}",
        "",
        "Nerves and targets:",
    ]
    for nerve in plan.nerves:
        volume = f"  ({nerve.volume_ml:g} mL)" if nerve.volume_ml is not None else ""
        caution = "  [lower confidence]" if nerve.lower_confidence else ""
        lines.append(f"  {nerve.name}{volume}{caution}")
        lines.append(f"      {nerve.landmark}")
    lines += ["", "Codes:"]
    lines += [f"  {line}  {CODE_LABELS.get(line.code, '')}" for line in plan.codes] or ["  none"]
    lines += ["", "Diagnosis codes that support it:"]
    lines += [f"  {code}  {label}" for code, label in plan.icd10]
    if plan.notes:
        lines += ["", "Notes:", *(f"  - {note}" for note in plan.notes)]
    return "\n".join(lines) + "\n"


def policy_text(policy: Policy) -> str:
    lines = [
        f"{policy.name} {policy.version}: {policy.title}",
        f"  {policy.summary_text}",
        f"  Positive block: at least {policy.threshold_text()} relief of the index pain",
        *(f"  Source: {source}" for source in policy.sources),
        "",
        "Rules:",
    ]
    for rule in policy.rules.values():
        lines.append(f"  {rule.id:<24} {rule.severity.value:<4}  {rule.summary}")
        lines.append(f"  {'':<24}       {rule.confidence.value}; {rule.citation}")
    lines += ["", "Parameters:"]
    for param in policy.parameters.values():
        value = policy.values[param.name]
        lines.append(f"  {param.name} = {value}  ({param.confidence.value}; {param.citation})")
        lines.append(f"      {param.description}")
    return "\n".join(lines) + "\n"


def policy_json(policy: Policy) -> dict[str, object]:
    return {
        "name": policy.name,
        "version": policy.version,
        "title": policy.title,
        "summary": policy.summary_text,
        "sources": list(policy.sources),
        "positive_threshold_percent": float(policy.positive_threshold),
        "rules": [
            {"id": r.id, "summary": r.summary, "citation": r.citation, "confidence": r.confidence.value, "severity": r.severity.value}
            for r in policy.rules.values()
        ],
        "parameters": [
            {"name": p.name, "value": _plain(policy.values[p.name]), "default": _plain(p.default), "description": p.description,
             "citation": p.citation, "confidence": p.confidence.value}
            for p in policy.parameters.values()
        ],
    }  # fmt: skip


def safety_text() -> str:
    """The safety screen's rules, listed as a policy's are."""
    lines = [
        "Safety screen: contraindications before a facet procedure (clinical-guidelines §6)",
        "",
        "Rules:",
    ]
    for rule in SAFETY_RULES.values():
        lines.append(f"  {rule.id:<34} {rule.level.value:<4} ({rule.severity.value})  {rule.summary}")
        lines.append(f"  {'':<34} {rule.confidence_text}; {rule.citation}")
    return "\n".join(lines) + "\n"


def safety_json() -> list[dict[str, str]]:
    return [
        {"id": r.id, "summary": r.summary, "citation": r.citation, "confidence": r.confidence.value,
         "confidence_note": r.confidence_note, "severity": r.level.value, "grade": r.severity.value}
        for r in SAFETY_RULES.values()
    ]  # fmt: skip


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)
