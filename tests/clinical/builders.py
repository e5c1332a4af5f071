"""Small builders for case documents in the facetpath.case/1 format, for tests.

`case(...)` returns a valid dict; pass keyword overrides to change fields. `block(...)`, `ia(...)`,
`rfa(...)` return procedure dicts. Everything is plain JSON-like data, exactly what outside tools send.
"""

from __future__ import annotations

import copy
from typing import Any

from facetpath.clinical import Evaluation, evaluate_case, parse_case

POSITIVE_LIDOCAINE_DIARY = [  # pre 8: 87.5 % from 30 to 120 min = 1.5 h at >= 80 %
    {"minutes": 15, "pain": 2}, {"minutes": 30, "pain": 1}, {"minutes": 60, "pain": 1},
    {"minutes": 120, "pain": 1}, {"minutes": 180, "pain": 5}, {"minutes": 240, "pain": 8},
]  # fmt: skip
POSITIVE_BUPIVACAINE_DIARY = [  # pre 8: >= 80 % from 30 min to 5 h
    {"minutes": 15, "pain": 3}, {"minutes": 30, "pain": 1}, {"minutes": 120, "pain": 0},
    {"minutes": 240, "pain": 1}, {"minutes": 300, "pain": 1}, {"minutes": 420, "pain": 6},
]  # fmt: skip
NEGATIVE_DIARY = [{"minutes": 30, "pain": 6}, {"minutes": 60, "pain": 5}, {"minutes": 120, "pain": 7}]


def assessment(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "date": "2024-12-10",
        "region": "lumbar",
        "index_pain": "axial low back pain",
        "pain_duration_months": 8,
        "axial_predominant": True,
        "pain_scale": "NRS-11",
        "baseline_pain": 8,
        "disability": {"instrument": "ODI", "score": 44},
        "conservative_care": [{"modality": "physical therapy", "weeks": 12, "failed": True}],
        "untreated_radiculopathy": False,
        "neurogenic_claudication": False,
        "non_facet_cause": False,
        "facet_synovial_cyst": False,
    }
    base.update(overrides)
    return base


def block(pid: str, day: str, **overrides: Any) -> dict[str, Any]:
    """A diagnostic lumbar MBB (L4-L5, L5-S1 bilateral, lidocaine) with a positive diary by default."""
    base: dict[str, Any] = {
        "id": pid,
        "date": day,
        "type": "mbb",
        "intent": "diagnostic",
        "joints": ["L4-L5", "L5-S1"],
        "side": "bilateral",
        "guidance": "fluoroscopy",
        "sedation": "none",
        "agent": {"name": "lidocaine", "concentration_percent": 2, "volume_ml_per_nerve": 0.5},
        "pre_pain": 8,
        "diary": copy.deepcopy(POSITIVE_LIDOCAINE_DIARY),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def bupivacaine_block(pid: str, day: str, **overrides: Any) -> dict[str, Any]:
    base = block(pid, day, agent={"name": "bupivacaine", "concentration_percent": 0.5, "volume_ml_per_nerve": 0.5},
                 diary=copy.deepcopy(POSITIVE_BUPIVACAINE_DIARY))  # fmt: skip
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def ia(pid: str, day: str, **overrides: Any) -> dict[str, Any]:
    """An intra-articular injection, therapeutic by default, at the same joints."""
    base = block(pid, day, type="ia", intent="therapeutic", diary=None, pre_pain=8,
                 rfa_unsuitable_reason="implanted spinal cord stimulator")  # fmt: skip
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def rfa(pid: str, day: str, **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": pid,
        "date": day,
        "type": "rfa",
        "joints": ["L4-L5", "L5-S1"],
        "side": "bilateral",
        "guidance": "fluoroscopy",
        "sedation": "none",
        "rfa": {"technique": "thermal", "temperature_c": 85},
        "pre_pain": 8,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def cyst(pid: str, day: str, **overrides: Any) -> dict[str, Any]:
    """Aspiration of a facet synovial cyst at L4-L5 on the left."""
    base: dict[str, Any] = {
        "id": pid,
        "date": day,
        "type": "cyst",
        "joints": ["L4-L5"],
        "side": "left",
        "guidance": "fluoroscopy",
        "sedation": "none",
        "agent": {"name": "lidocaine", "concentration_percent": 2, "volume_ml_per_nerve": 0.5},
        "pre_pain": 8,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def follow_ups(
    start: str, months: list[int], pain: int | None = 2, disability: float | None = None
) -> list[dict[str, Any]]:
    """Follow-ups `months` after `start` (YYYY-MM-DD), each with the same pain (and ODI) score."""
    from datetime import date

    from facetpath.clinical.dates import add_months

    base = date.fromisoformat(start)
    entries = []
    for m in months:
        entry: dict[str, Any] = {"date": add_months(base, m).isoformat()}
        if pain is not None:
            entry["pain"] = pain
        if disability is not None:
            entry["disability"] = {"instrument": "ODI", "score": disability}
        entries.append(entry)
    return entries


def case(*procedures: dict[str, Any], **assessment_overrides: Any) -> dict[str, Any]:
    return {
        "format": "facetpath.case/1",
        "patient": {"id": "P-TEST", "birth_date": "1958-03-01", "sex": "female"},
        "assessment": assessment(**assessment_overrides),
        "procedures": list(procedures),
    }


def evaluate(document: dict[str, Any], policy: str = "medicare-lcd", **params: Any) -> Evaluation:
    from facetpath.clinical import get_policy

    return evaluate_case(parse_case(document), get_policy(policy, params) if params else policy)


def rules(evaluation: Evaluation, procedure_id: str, severity: str | None = None) -> list[str]:
    """Rule IDs of one procedure's findings, optionally only those of one severity."""
    result = next(r for r in evaluation.procedures if r.id == procedure_id)
    return [f.rule for f in result.findings if severity is None or f.severity == severity]


def result(evaluation: Evaluation, procedure_id: str):  # type: ignore[no-untyped-def]
    return next(r for r in evaluation.procedures if r.id == procedure_id)


# --- Helpers for the policy behaviour tests ---------------------------------------------------------


def check_invariants(evaluation: Evaluation) -> Evaluation:
    """Assert the evaluation contract on every result (case-format.md §2): `meets_criteria` is false exactly
    when a finding has severity `deny`, `candidate` likewise for the case findings, and a rule the policy
    declares as `warn` or `info` never denies."""
    from facetpath.clinical import get_policy

    declared = get_policy(evaluation.policy).rules
    for finding in evaluation.findings:
        assert finding.rule in declared, finding
    assert evaluation.candidate is (not any(f.severity == "deny" for f in evaluation.findings))
    document = evaluation.to_json()
    assert document["candidate"] is evaluation.candidate
    for res, doc in zip(evaluation.procedures, document["procedures"], strict=True):
        has_deny = any(f.severity == "deny" for f in res.findings)
        assert res.meets_criteria is (not has_deny), (res.id, res.findings)
        assert doc["meets_criteria"] is (not any(f["severity"] == "deny" for f in doc["findings"]))
        for finding in res.findings:
            assert finding.rule in declared, finding
            if declared[finding.rule].severity != "deny":
                assert finding.severity != "deny", finding
    return evaluation


def checked(document: dict[str, Any], policy: str = "medicare-lcd", **params: Any) -> Evaluation:
    """`evaluate` plus `check_invariants` on the result."""
    return check_invariants(evaluate(document, policy, **params))


def findings(evaluation: Evaluation, procedure_id: str, rule: str) -> list[Any]:
    """The findings of one rule on one procedure."""
    return [f for f in result(evaluation, procedure_id).findings if f.rule == rule]


def severities(evaluation: Evaluation, procedure_id: str, rule: str) -> list[str]:
    return [str(f.severity) for f in findings(evaluation, procedure_id, rule)]


def code_lines(evaluation: Evaluation, procedure_id: str) -> list[str]:
    """Code lines as `64493-50-KX x1` strings, in billing order."""
    return [str(line) for line in result(evaluation, procedure_id).codes]


def case_rules(evaluation: Evaluation, severity: str | None = None) -> list[str]:
    """Rule IDs of the patient-selection (case-level) findings."""
    return [f.rule for f in evaluation.findings if severity is None or f.severity == severity]
