"""The engine: order, time, and the contract's invariants over many generated cases."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.evaluate import make_case
from facetpath.clinical import POLICY_NAMES, evaluate_case, parse_case
from facetpath.clinical.anatomy import nerves_for
from facetpath.clinical.results import RESPONSES, ROLES

from .builders import block, case, evaluate, follow_ups, result, rfa


def test_results_keep_the_case_order_but_are_judged_in_date_order() -> None:
    # Listed second-block first: it must still be judged after the block it confirms.
    evaluation = evaluate(case(block("second", "2025-01-20"), block("first", "2025-01-06")))
    assert [r.id for r in evaluation.procedures] == ["second", "first"]
    assert result(evaluation, "first").role == "diagnostic-1"
    assert result(evaluation, "second").role == "diagnostic-2"
    assert result(evaluation, "second").meets_criteria


def test_a_procedure_is_judged_only_on_what_was_known_on_its_date() -> None:
    # The RFA's 6-month follow-up comes after the new block: on 1 May only 1 month of relief was known.
    ablation = rfa("rfa1", "2025-02-03", follow_up=follow_ups("2025-02-03", [1, 3, 6]))
    new_block = block("mbb3", "2025-05-01")
    evaluation = evaluate(case(block("a", "2024-12-20"), block("b", "2025-01-06"), ablation, new_block))
    assert "MCD-DX-AFTER-RFA" not in [f.rule for f in result(evaluation, "mbb3").findings]
    later = evaluate(
        case(block("a", "2024-12-20"), block("b", "2025-01-06"), ablation, block("mbb3", "2025-08-20"))
    )
    assert ("MCD-DX-AFTER-RFA", "deny") in [(f.rule, f.severity) for f in result(later, "mbb3").findings]


def test_a_case_without_procedures_is_judged_on_the_assessment_alone() -> None:
    evaluation = evaluate(case(axial_predominant=False))
    assert evaluation.procedures == [] and not evaluation.candidate
    assert evaluation.to_json()["findings"][0]["rule"] == "MCD-GATE-AXIAL"


@pytest.mark.parametrize("policy", POLICY_NAMES)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_generated_case_keeps_the_contract(policy: str, seed: int) -> None:
    document = make_case(random.Random(seed), seed)
    parsed = parse_case(document)
    evaluation = evaluate_case(parsed, policy)
    out = evaluation.to_json()
    assert json.loads(json.dumps(out)) == out  # plain JSON
    assert out["candidate"] == (not any(f["severity"] == "deny" for f in out["findings"]))
    assert [p["id"] for p in out["procedures"]] == [p["id"] for p in document["procedures"]]
    for procedure, doc in zip(parsed.procedures, out["procedures"], strict=True):
        assert doc["meets_criteria"] == (not any(f["severity"] == "deny" for f in doc["findings"]))
        assert doc["role"] in ROLES and doc["response"] in RESPONSES
        assert doc["nerves"] == [n.name for n in nerves_for(procedure.joints)]
        assert all(f["severity"] in ("deny", "warn", "info") and f["message"] for f in doc["findings"])
        assert all(line["units"] >= 1 for line in doc["codes"])
        assert all(line["units"] == 1 for line in doc["codes"] if line["code"] in ("64492", "64495"))
        if doc["response"] not in ("pending", "n/a"):
            assert doc["peak_relief_percent"] is not None and doc["relief_hours"] is not None
        if procedure.type in ("rfa", "cyst") or procedure.intent == "therapeutic":
            assert doc["response"] == "n/a"


def test_next_steps_carry_a_stable_action_and_due_date() -> None:
    from datetime import date

    from facetpath.clinical import Action

    evaluation = evaluate(case(block("first", "2025-01-06"), block("pending", "2025-01-20", diary=None)))
    first, pending = result(evaluation, "first").next, result(evaluation, "pending").next
    assert (first.action, first.due) == (Action.SECOND_BLOCK, date(2025, 1, 20))
    assert pending.action is Action.RECORD_DIARY and "pending" not in pending.text  # no internal ids
    assert evaluation.next == pending
    ablation = evaluate(case(block("a", "2024-12-20"), block("b", "2025-01-06"), rfa("r", "2025-02-03")))
    assert result(ablation, "b").next.action is Action.RFA
    assert (result(ablation, "r").next.action, result(ablation, "r").next.due) == (
        Action.FOLLOW_UP,
        date(2025, 8, 3),
    )
