"""Policy parameters: unclear rules are settings, and changing one changes exactly what it names."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from facetpath.clinical import Evaluation, evaluate_case, get_policy, parse_case
from facetpath.clinical.dates import add_days, add_months
from facetpath.clinical.text import evaluation_text, policy_text

from .builders import block, bupivacaine_block, case, cyst, evaluate, follow_ups, ia, result, rfa


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


# --- Messages and next steps name the numbers the policy was given ---------------------------------------

A, B = "2025-01-06", "2025-01-21"  # two positive MBBs 15 days apart
R = "2025-02-03"  # the RFA or injection after them


def two_positive_mbbs(**overrides: Any) -> list[dict[str, Any]]:
    return [block("a", A, **overrides), bupivacaine_block("b", B, **overrides)]


def messages(evaluation: Evaluation, pid: str, rule: str) -> list[str]:
    return [f.message for f in result(evaluation, pid).findings if f.rule == rule]


def cyst_case(*procedures: dict[str, Any]) -> dict[str, Any]:
    return case(*procedures, facet_synovial_cyst=True, untreated_radiculopathy=True)


@pytest.mark.parametrize(("months", "threshold", "words"), [
    (None, None, "at least 50 % improvement for 3 months"),
    (1, None, "at least 50 % improvement for 1 month"),
    (4, 60, "at least 60 % improvement for 4 months"),
])  # fmt: skip
def test_the_cyst_follow_up_step_names_the_policy_s_months_and_threshold(
    months: int | None, threshold: int | None, words: str
) -> None:
    params = {k: v for k, v in (("repeat_tx_months", months), ("sustained_threshold", threshold)) if v}
    step = result(evaluate(cyst_case(cyst("c", A)), **params), "c").next
    assert step.text == f"follow up: a repeat needs {words}"
    assert step.due == add_months(date.fromisoformat(A), months or 3)


def test_the_evaluation_text_says_one_month_when_repeat_tx_months_is_one() -> None:
    # The example: `facetpath evaluate CASE --format text --param repeat_tx_months=1`.
    policy = get_policy("medicare-lcd", {"repeat_tx_months": 1})
    text = evaluation_text(evaluate_case(parse_case(cyst_case(cyst("c", A))), policy), policy)
    assert "Next step: follow up: a repeat needs at least 50 % improvement for 1 month\n" in text
    assert "3 months" not in text


def test_the_cyst_repeat_finding_names_the_policy_s_months_and_threshold() -> None:
    first = cyst("c1", A, follow_up=follow_ups(A, [1]))
    evaluation = evaluate(
        cyst_case(first, cyst("c2", "2025-06-02")), repeat_tx_months=2, sustained_threshold=60
    )
    assert messages(evaluation, "c2", "MCD-CYST-REPEAT") == [
        "a repeat needs at least 60 % improvement for 2 months after c1: 1 month"
    ]


def test_a_repeat_injection_finding_names_the_policy_s_months_and_threshold() -> None:
    first = ia("i1", R, follow_up=follow_ups(R, [1, 2, 3]))
    evaluation = evaluate(case(*two_positive_mbbs(), first, ia("i2", "2025-06-02")), repeat_tx_months=4,
                          sustained_threshold=70)  # fmt: skip
    assert messages(evaluation, "i2", "MCD-TX-REPEAT") == [
        "relief of at least 70 % lasted 3 months after i1; 4 months are needed"
    ]


@pytest.mark.parametrize("kind", ["rfa", "ia"])
def test_the_follow_up_step_after_treatment_names_the_sustained_threshold(kind: str) -> None:
    treatment = rfa("r", R) if kind == "rfa" else ia("r", R)
    evaluation = evaluate(case(*two_positive_mbbs(), treatment), sustained_threshold=65, repeat_rfa_months=5,
                          repeat_tx_months=2)  # fmt: skip
    step = result(evaluation, "r").next
    again = add_months(date.fromisoformat(R), 5 if kind == "rfa" else 2)
    assert step.due == again
    assert step.text.endswith(f"may follow from {again} if relief of at least 65 % lasts until then")


def test_a_repeat_rfa_finding_names_the_policy_s_months() -> None:
    first = rfa("r1", R, follow_up=follow_ups(R, [1, 2, 3]))
    evaluation = evaluate(case(*two_positive_mbbs(), first, rfa("r2", "2025-09-01")), repeat_rfa_months=4)
    assert messages(evaluation, "r2", "MCD-RFA-REPEAT") == [
        "relief of at least 50 % lasted 3 months after r1; 4 months are needed"
    ]


@pytest.mark.parametrize(("days", "words"), [(14, "2 weeks"), (10, "10 days"), (21, "3 weeks")])
def test_the_interval_boundary_message_names_the_policy_s_interval(days: int, words: str) -> None:
    second = add_days(date.fromisoformat(A), days).isoformat()
    evaluation = evaluate(case(block("a", A), bupivacaine_block("b", second)), dx_interval_days=days)
    assert messages(evaluation, "b", "MCD-DX2-INTERVAL") == [
        f"exactly {days} days after the first block: read as 'at least {words}' (the boundary is unclear)"
    ]


@pytest.mark.parametrize(("revised_from", "words"), [
    (None, "not covered since the revised LCDs (2024-07-07)"),
    (date(2025, 1, 1), "not covered since the revised LCDs (2025-01-01)"),
    (date(2025, 6, 1), "covered only on appeal"),
])  # fmt: skip
def test_the_third_level_message_names_the_policy_s_revision_date(
    revised_from: date | None, words: str
) -> None:
    params = {"third_level_noncovered_from": revised_from} if revised_from else {}
    evaluation = evaluate(case(block("a", A, joints=["L3-L4", "L4-L5", "L5-S1"])), **params)
    (message,) = messages(evaluation, "a", "MCD-LEVELS")
    assert f"levels beyond 2 are {words};" in message


def test_the_level_limit_message_names_the_policy_s_limit() -> None:
    evaluation = evaluate(case(block("a", A, joints=["L3-L4", "L4-L5", "L5-S1"])), max_levels=3)
    assert messages(evaluation, "a", "MCD-LEVELS") == ["3 joint levels, bilateral: within the 3-level limit"]


def test_the_pain_duration_message_names_the_policy_s_months() -> None:
    evaluation = evaluate(case(pain_duration_months=0.5), min_pain_months=1)
    assert [f.message for f in evaluation.findings if f.rule == "MCD-GATE-DURATION"] == [
        "pain for 0.5 months; at least 1 month are needed"
    ]


def test_the_conservative_care_message_names_the_policy_s_weeks() -> None:
    short = case(conservative_care=[{"modality": "NSAIDs", "weeks": 1, "failed": True}])
    evaluation = evaluate(short, min_conservative_weeks=6.5)
    assert [f.message for f in evaluation.findings if f.rule == "MCD-GATE-CONSERVATIVE-WEEKS"] == [
        "1 week of failed conservative care; this policy asks for 6.5 weeks"
    ]


def test_the_rediagnosis_message_names_the_policy_s_years() -> None:
    first = rfa("r1", R, follow_up=follow_ups(R, [1, 2, 3, 4, 5, 6]))
    evaluation = evaluate(case(*two_positive_mbbs(), first, rfa("r2", "2026-03-02")), rediagnosis_years=1)
    assert messages(evaluation, "r2", "MCD-RFA-REDIAGNOSE") == [
        "the last RFA at L4-L5 both sides, L5-S1 both sides was 1 year or more ago: repeat two diagnostic MBBs first"
    ]


def test_the_rfa_temperature_message_names_the_policy_s_temperature() -> None:
    evaluation = evaluate(case(*two_positive_mbbs(), rfa("r", R)), rfa_min_temperature_c=90)
    assert messages(evaluation, "r", "MCD-RFA-THERMAL") == [
        "85 degrees C is low-grade thermal; 90 or more is covered"
    ]


def test_consensus_repeat_rfa_texts_name_the_policy_s_relief_and_months() -> None:
    first = rfa("r1", R, pre_pain=10, follow_up=follow_ups(R, [1, 2], pain=5))
    document = case(block("a", A), first, rfa("r2", "2025-09-01"))
    evaluation = evaluate(document, "consensus-2020", repeat_rfa_relief=40, repeat_rfa_months=4)
    assert messages(evaluation, "r2", "CON-RFA-REPEAT") == [
        "relief above 40 % lasted 2 months after r1; 4 months are needed"
    ]
    step = result(evaluation, "r1").next
    assert step.text.endswith("if relief above 40 % lasts until then")
    assert step.due == date(2025, 6, 3)


def test_consensus_pain_duration_message_names_the_policy_s_months() -> None:
    evaluation = evaluate(case(pain_duration_months=4), "consensus-2020", lumbar_pain_months=6)
    assert [f.message for f in evaluation.findings if f.rule == "CON-GATE-DURATION"] == [
        "pain for 4 months: blocks are preferred after 6 months"
    ]
    assert "CON-GATE-DURATION" not in severities(evaluate(case(pain_duration_months=4), "consensus-2020"))


def test_consensus_conservative_care_message_names_the_policy_s_weeks() -> None:
    short = case(conservative_care=[{"modality": "NSAIDs", "weeks": 8, "failed": True}])
    evaluation = evaluate(short, "consensus-2020", lumbar_conservative_weeks=10)
    assert [f.message for f in evaluation.findings if f.rule == "CON-GATE-DURATION"] == [
        "the longest course of failed conservative care lasted 8 weeks; about 10 weeks are advised"
    ]


def test_sis_repeat_rfa_texts_name_the_policy_s_threshold_and_months() -> None:
    blocks = [block("a", A), bupivacaine_block("b", B)]
    first = rfa("r1", R, follow_up=follow_ups(R, [1, 2, 3], pain=3))  # pre 8, pain 3: 62.5 % relief
    evaluation = evaluate(case(*blocks, first, rfa("r2", "2025-09-01")), "sis", sustained_threshold=70,
                          repeat_rfa_months=2)  # fmt: skip
    assert messages(evaluation, "r2", "SIS-RFA-REPEAT") == [
        "relief of at least 70 % after r1: 0 months; 2 months are needed"
    ]
    assert result(evaluation, "r1").next.text.endswith("if relief of at least 70 % lasts until then")
    relaxed = evaluate(case(*blocks, first, rfa("r2", "2025-09-01")), "sis", sustained_threshold=60,
                       repeat_rfa_months=2)  # fmt: skip
    assert "SIS-RFA-REPEAT" not in severities(relaxed, "r2")


# --- The policy listing states the numbers in force -------------------------------------------------------


def listing(name: str, **params: Any) -> dict[str, str]:
    policy = get_policy(name, params)
    return {"summary": policy.summary_text, **{rule.id: rule.summary for rule in policy.rules.values()}}


def test_rule_summaries_state_the_defaults() -> None:
    lcd = listing("medicare-lcd")
    assert (
        lcd["MCD-TX-REPEAT"]
        == "a repeat therapeutic IA needs at least 50 % relief for at least 3 months after the last"
    )
    assert lcd["MCD-DX-CAP"] == "at most 4 diagnostic sessions per region per rolling 12 months"
    assert "at least 80 % relief" in lcd["summary"]


def test_rule_summaries_follow_changed_parameters() -> None:
    lcd = listing("medicare-lcd", repeat_tx_months=1, sustained_threshold=60, dx_cap=1, dx_interval_days=21,
                  max_levels=3, rediagnosis_years=1, rfa_min_temperature_c=90)  # fmt: skip
    assert (
        lcd["MCD-TX-REPEAT"]
        == "a repeat therapeutic IA needs at least 60 % relief for at least 1 month after the last"
    )
    assert lcd["MCD-CYST-REPEAT"] == "once more per cyst, after at least 60 % improvement for 1 month"
    assert lcd["MCD-DX-CAP"] == "at most 1 diagnostic session per region per rolling 12 months"
    assert lcd["MCD-DX2-INTERVAL"].startswith("the second diagnostic block at least 21 days after the first")
    assert lcd["MCD-LEVELS"].startswith("at most 3 joint levels per session")
    assert lcd["MCD-RFA-REDIAGNOSE"].startswith("1 year or more after the last RFA")
    assert lcd["MCD-RFA-THERMAL"] == "thermal RFA at 90 degrees C or more only"
    assert "at most 3 levels per session" in lcd["summary"]
    consensus = listing("consensus-2020", repeat_rfa_relief=40, repeat_rfa_months=6)
    assert (
        consensus["CON-RFA-REPEAT"]
        == "repeat RFA after more than 40 % relief for at least 6 months; no new blocks"
    )
    sis = listing("sis", complete_relief_required=True, sustained_threshold=60)
    assert "each with at least 100 % relief" in sis["summary"]
    assert sis["SIS-RFA-REPEAT"].startswith("repeat RFA after at least 60 % relief for at least 6 months")


def test_the_policy_text_lists_the_summaries_in_force() -> None:
    text = policy_text(get_policy("medicare-lcd", {"repeat_tx_months": 1}))
    assert "a repeat therapeutic IA needs at least 50 % relief for at least 1 month after the last" in text


@pytest.mark.parametrize(("scale", "moderate", "words"), [
    ("NRS-11", 5, "below moderate (5 on NRS-11)"),
    ("NRS-11", 4.5, "below moderate (4.5 on NRS-11)"),
    ("VAS-100", 5, "below moderate (50 on VAS-100)"),
])  # fmt: skip
def test_the_moderate_pain_texts_name_the_policy_s_level_on_the_patient_s_scale(
    scale: str, moderate: float, words: str
) -> None:
    top = 10 if scale == "NRS-11" else 100
    low = 4 * top // 10  # 4 on the NRS-11, 40 on the VAS-100: below both 4.5 and 5
    diary = [{"minutes": 30, "pain": 0}, {"minutes": 120, "pain": 0}]
    document = case(block("a", A, pre_pain=low, diary=diary), pain_scale=scale, baseline_pain=low)
    evaluation = evaluate(document, moderate_pain_nrs=moderate)
    (gate,) = [f.message for f in evaluation.findings if f.rule == "MCD-GATE-SEVERITY"]
    assert gate == f"baseline pain {low} is {words}; the LCD sets no number"
    (block_message,) = messages(evaluation, "a", "GEN-LOW-PRE-PAIN")
    assert block_message.startswith(f"pain {low} before the block, {words}: too little to show relief")
