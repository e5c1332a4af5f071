"""Policy parameters: unclear rules are settings, and changing one changes exactly what it names."""

from __future__ import annotations

import pytest

from facetpath.clinical import get_policy

from .builders import block, bupivacaine_block, case, evaluate, result, rfa


def severities(evaluation, pid=None):  # type: ignore[no-untyped-def]
    findings = evaluation.findings if pid is None else result(evaluation, pid).findings
    return {f.rule: f.severity.value for f in findings}


def test_unknown_parameters_are_refused() -> None:
    with pytest.raises(KeyError, match="no parameter"):
        get_policy("medicare-lcd", {"dx_intervall_days": 15})


def test_a_missing_disability_scale_warns_by_default_and_can_be_made_to_deny() -> None:
    document = case(disability=None)
    assert severities(evaluate(document))["MCD-GATE-DISABILITY"] == "warn"
    assert severities(evaluate(document, require_disability_scale=True))["MCD-GATE-DISABILITY"] == "deny"


def test_conservative_care_has_no_minimum_length_unless_set() -> None:
    short = case(conservative_care=[{"modality": "NSAIDs", "weeks": 2, "failed": True}])
    assert "MCD-GATE-CONSERVATIVE-WEEKS" not in severities(evaluate(short))
    assert severities(evaluate(short, min_conservative_weeks=6))["MCD-GATE-CONSERVATIVE-WEEKS"] == "warn"
    assert evaluate(short, min_conservative_weeks=6).candidate


@pytest.mark.parametrize(("minimum", "response"), [(1.5, "positive"), (2.0, "discordant")])
def test_the_lidocaine_window_is_a_parameter(minimum: float, response: str) -> None:
    # The default diary holds 80 % relief for exactly 1.5 h.
    assert (
        result(evaluate(case(block("a", "2025-01-06")), lidocaine_min_hours=minimum), "a").response
        == response
    )


def test_bupivacaine_needs_three_hours_by_default() -> None:
    short = [{"minutes": 30, "pain": 1}, {"minutes": 150, "pain": 1}, {"minutes": 240, "pain": 6}]
    evaluation = evaluate(case(bupivacaine_block("a", "2025-01-06", diary=short)))
    assert result(evaluation, "a").response == "discordant"
    assert severities(evaluation, "a")["MCD-AGENT-DURATION"] == "warn"


def rfa_sessions(*days: str) -> dict:  # type: ignore[type-arg]
    blocks = [block("a", "2023-11-01"), block("b", "2023-11-20")]
    return case(*blocks, *(rfa(f"r{i}", day) for i, day in enumerate(days)))


def test_a_session_exactly_12_months_earlier_counts_by_default_and_says_so() -> None:
    evaluation = evaluate(rfa_sessions("2024-01-10", "2024-06-01", "2025-01-10"))
    found = severities(evaluation, "r2")
    assert found["MCD-RFA-CAP"] == "deny" and found["MCD-WINDOW-BOUNDARY"] == "warn"


def test_an_exclusive_window_leaves_the_boundary_session_out() -> None:
    evaluation = evaluate(
        rfa_sessions("2024-01-10", "2024-06-01", "2025-01-10"), rolling_window_inclusive=False
    )
    found = severities(evaluation, "r2")
    assert "MCD-RFA-CAP" not in found and found["MCD-WINDOW-BOUNDARY"] == "warn"


def test_a_session_one_day_more_than_12_months_earlier_never_counts() -> None:
    found = severities(evaluate(rfa_sessions("2024-01-10", "2024-06-01", "2025-01-11")), "r2")
    assert "MCD-RFA-CAP" not in found and "MCD-WINDOW-BOUNDARY" not in found


def test_prolonged_relief_warns_by_default_and_can_be_discordant() -> None:
    long = [{"minutes": 30, "pain": 1}, {"minutes": 300, "pain": 1}, {"minutes": 360, "pain": 6}]
    document = case(block("a", "2025-01-06", diary=long))  # lidocaine relief for 4.5 h
    assert result(evaluate(document), "a").response == "positive"
    assert severities(evaluate(document), "a")["MCD-AGENT-DURATION"] == "warn"
    assert result(evaluate(document, prolonged_relief_is_discordant=True), "a").response == "discordant"
