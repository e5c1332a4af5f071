"""Behaviour of the `medicare-lcd` policy, derived from ../shared/reference/medicare-lcd.md (R1-R61, OQ1-OQ20,
§4 limits and worked coding examples) and the evaluation contract in ../shared/spec/case-format.md.

Every evaluation goes through `checked`, which also asserts that `meets_criteria` is false exactly when a
finding denies, and that warn/info rules never deny.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest

from facetpath.clinical.dates import add_months

from .builders import (
    NEGATIVE_DIARY,
    block,
    bupivacaine_block,
    case,
    case_rules,
    checked,
    code_lines,
    cyst,
    follow_ups,
    ia,
    result,
    rfa,
    rules,
    severities,
)

LIDOCAINE = {"name": "lidocaine", "concentration_percent": 2, "volume_ml_per_nerve": 0.5}
BUPIVACAINE = {"name": "bupivacaine", "concentration_percent": 0.5, "volume_ml_per_nerve": 0.5}
ROPIVACAINE = {"name": "ropivacaine", "concentration_percent": 0.5, "volume_ml_per_nerve": 0.5}
SALINE = {"name": "saline", "concentration_percent": 0.9, "volume_ml_per_nerve": 0.5}
CERVICAL_LIDOCAINE = {"name": "lidocaine", "concentration_percent": 2, "volume_ml_per_nerve": 0.25}


def ev(*procedures: dict[str, Any], params: dict[str, Any] | None = None, **assessment: Any):  # type: ignore[no-untyped-def]
    return checked(case(*procedures, **assessment), "medicare-lcd", **(params or {}))


def shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def months_after(day: str, months: int) -> str:
    return add_months(date.fromisoformat(day), months).isoformat()


def diary(hours: float, *, pre: int = 8, low: float = 1, open_end: bool = False) -> list[dict[str, Any]]:
    """Relief at `low` (>= 80 % of `pre` 8) from 30 minutes for `hours`, then back to 6 unless `open_end`."""
    start = 30
    end = start + round(hours * 60)
    points: list[dict[str, Any]] = [{"minutes": 15, "pain": 5}, {"minutes": start, "pain": low}]
    if end > start:
        points.append({"minutes": end, "pain": low})
    if not open_end:
        points.append({"minutes": end + 60, "pain": 6})
    return points


# Two positive MBBs at L4-L5 and L5-S1, both sides, 15 days apart: the standard pathway to RFA.
A, B = "2025-01-06", "2025-01-21"


def two_positive_mbbs(**overrides: Any) -> list[dict[str, Any]]:
    return [block("a", A, **overrides), bupivacaine_block("b", B, **overrides)]


# --- A. Patient selection (R1-R8) --------------------------------------------------------------------


def test_a_patient_meeting_every_selection_criterion_is_a_candidate() -> None:
    evaluation = ev(block("a", A))
    assert evaluation.candidate
    assert case_rules(evaluation) == []
    assert result(evaluation, "a").meets_criteria


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"axial_predominant": False}, "MCD-GATE-AXIAL"),
        ({"pain_duration_months": 2.9}, "MCD-GATE-DURATION"),
        ({"pain_duration_months": 2}, "MCD-GATE-DURATION"),
        ({"conservative_care": []}, "MCD-GATE-CONSERVATIVE"),
        ({"conservative_care": [{"modality": "physical therapy", "weeks": 10, "failed": False}]},
         "MCD-GATE-CONSERVATIVE"),
        ({"untreated_radiculopathy": True}, "MCD-GATE-RADICULOPATHY"),
        ({"neurogenic_claudication": True}, "MCD-GATE-CLAUDICATION"),
        ({"non_facet_cause": True}, "MCD-GATE-NONFACET"),
    ],
)  # fmt: skip
def test_a_failed_selection_criterion_makes_the_patient_no_candidate(
    overrides: dict[str, Any], rule: str
) -> None:
    evaluation = ev(block("a", A), **overrides)
    assert not evaluation.candidate
    assert rule in case_rules(evaluation, "deny")


@pytest.mark.parametrize(
    "overrides",
    [
        {"axial_predominant": True},
        {"pain_duration_months": 3},
        {"pain_duration_months": 3.0},
        {"conservative_care": [{"modality": "NSAIDs", "weeks": 2, "failed": True}]},
        {"conservative_care": [
            {"modality": "NSAIDs", "weeks": 2, "failed": False},
            {"modality": "physical therapy", "weeks": 1, "failed": True},
        ]},
        {"untreated_radiculopathy": False, "neurogenic_claudication": False},
        {"non_facet_cause": False},
    ],
)  # fmt: skip
def test_the_passing_side_of_each_selection_criterion_keeps_the_patient_a_candidate(
    overrides: dict[str, Any],
) -> None:
    evaluation = ev(block("a", A), **overrides)
    assert evaluation.candidate
    assert case_rules(evaluation, "deny") == []
    assert result(evaluation, "a").meets_criteria


def test_three_months_of_pain_passes_and_two_point_nine_fails() -> None:
    assert ev(pain_duration_months=3).candidate
    assert not ev(pain_duration_months=2.9).candidate


def test_conservative_care_has_no_minimum_length() -> None:
    # R4: the LCD sets no minimum length and no required modalities.
    evaluation = ev(
        block("a", A), conservative_care=[{"modality": "home exercise", "weeks": 1, "failed": True}]
    )
    assert evaluation.candidate


def test_radiculopathy_from_a_facet_synovial_cyst_is_the_exception() -> None:
    evaluation = ev(block("a", A), untreated_radiculopathy=True, facet_synovial_cyst=True)
    assert evaluation.candidate
    assert "MCD-GATE-RADICULOPATHY" not in case_rules(evaluation, "deny")
    assert result(evaluation, "a").meets_criteria


def test_the_facet_cyst_exception_does_not_cover_neurogenic_claudication() -> None:
    evaluation = ev(block("a", A), neurogenic_claudication=True, facet_synovial_cyst=True)
    assert not evaluation.candidate
    assert "MCD-GATE-CLAUDICATION" in case_rules(evaluation, "deny")


def test_a_missing_baseline_disability_scale_is_only_a_warning() -> None:
    # R8 / OQ4: sources disagree; warn, do not deny.
    evaluation = ev(block("a", A), disability=None)
    assert evaluation.candidate
    assert "MCD-GATE-DISABILITY" in case_rules(evaluation, "warn")
    assert "MCD-GATE-DISABILITY" not in case_rules(evaluation, "deny")
    assert result(evaluation, "a").meets_criteria


def test_a_recorded_disability_scale_raises_no_finding() -> None:
    assert "MCD-GATE-DISABILITY" not in case_rules(ev(block("a", A)))


@pytest.mark.parametrize(
    ("scale", "baseline", "warned"),
    [
        ("NRS-11", 3, True),
        ("NRS-11", 4, False),
        ("NRS-11", 8, False),
        ("VAS-100", 39, True),
        ("VAS-100", 40, False),
    ],
)
def test_mild_baseline_pain_is_warned_never_denied(scale: str, baseline: int, warned: bool) -> None:
    # R1 "moderate to severe" has no number (OQ2): a warning, the patient stays a candidate.
    evaluation = ev(pain_scale=scale, baseline_pain=baseline)
    assert evaluation.candidate
    assert ("MCD-GATE-SEVERITY" in case_rules(evaluation, "warn")) is warned
    assert "MCD-GATE-SEVERITY" not in case_rules(evaluation, "deny")


@pytest.mark.parametrize(
    "overrides",
    [{"axial_predominant": False}, {"pain_duration_months": 1}, {"conservative_care": []},
     {"untreated_radiculopathy": True}, {"neurogenic_claudication": True}, {"non_facet_cause": True}],
)  # fmt: skip
def test_no_candidate_means_every_facet_procedure_is_denied_by_the_gate(overrides: dict[str, Any]) -> None:
    evaluation = ev(
        *two_positive_mbbs(),
        rfa("r", "2025-02-03"),
        ia("i", "2025-03-03", joints=["L2-L3"], side="left", intent="diagnostic", diary=NEGATIVE_DIARY),
        **overrides,
    )
    for pid in ("a", "b", "r", "i"):
        assert "deny" in severities(evaluation, pid, "MCD-GATE"), pid
        assert not result(evaluation, pid).meets_criteria


def test_a_cyst_procedure_is_excepted_from_the_patient_gate() -> None:
    # §9 step 1: if the gate fails, deny any facet procedure, except the cyst path (R5/R31): radicular,
    # not mainly axial pain from a facet cyst is what the cyst procedure treats.
    evaluation = ev(block("a", A), cyst("c", A), axial_predominant=False, untreated_radiculopathy=True,
                    facet_synovial_cyst=True)  # fmt: skip
    assert not evaluation.candidate
    assert "MCD-GATE" in rules(evaluation, "a", "deny")
    assert "MCD-GATE" not in rules(evaluation, "c")
    assert result(evaluation, "c").meets_criteria


@pytest.mark.parametrize("overrides", [{"pain_duration_months": 1}, {"non_facet_cause": True}])
def test_the_cyst_exception_does_not_waive_pain_duration_or_a_non_facet_cause(
    overrides: dict[str, Any],
) -> None:
    # §4.1: 3 months of pain "before any facet procedure" (R3, certain); R6: no non-facet cause. The cyst
    # exception of §9 is the R5 one (radiculopathy from the cyst).
    evaluation = ev(cyst("c", A), untreated_radiculopathy=True, facet_synovial_cyst=True, **overrides)
    assert not result(evaluation, "c").meets_criteria


# --- Guidance (R37) ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("guidance", "covered"), [("fluoroscopy", True), ("ct", True), ("ultrasound", False),
                                                   ("none", False)])  # fmt: skip
@pytest.mark.parametrize("kind", ["mbb", "ia", "rfa"])
def test_only_fluoroscopy_or_ct_guidance_is_covered(guidance: str, covered: bool, kind: str) -> None:
    if kind == "mbb":
        procedures = [block("x", A, guidance=guidance)]
    elif kind == "ia":
        procedures = [*two_positive_mbbs(), ia("x", "2025-02-03", guidance=guidance)]
    else:
        procedures = [*two_positive_mbbs(), rfa("x", "2025-02-03", guidance=guidance)]
    evaluation = ev(*procedures)
    assert ("MCD-GUIDANCE" in rules(evaluation, "x", "deny")) is not covered
    assert result(evaluation, "x").meets_criteria is covered


def test_an_ultrasound_guided_block_takes_the_category_iii_codes() -> None:
    evaluation = ev(block("a", A, guidance="ultrasound"))
    assert [line.split("-")[0] for line in code_lines(evaluation, "a")] == ["0216T", "0217T"]
    assert "CODE-ULTRASOUND" in rules(evaluation, "a")


# --- Levels per session (R42-R44, R56) --------------------------------------------------------------


@pytest.mark.parametrize("side", ["left", "right", "bilateral"])
def test_two_levels_in_a_session_are_within_the_limit(side: str) -> None:
    evaluation = ev(block("a", A, side=side))
    assert severities(evaluation, "a", "MCD-LEVELS") == ["info"]
    assert result(evaluation, "a").meets_criteria


def test_one_level_is_within_the_limit() -> None:
    evaluation = ev(block("a", A, joints=["L4-L5"]))
    assert severities(evaluation, "a", "MCD-LEVELS") == ["info"]


def test_a_third_level_in_one_block_is_denied() -> None:
    evaluation = ev(block("a", A, joints=["L3-L4", "L4-L5", "L5-S1"]))
    assert "deny" in severities(evaluation, "a", "MCD-LEVELS")
    assert not result(evaluation, "a").meets_criteria


def test_a_third_level_split_over_two_procedures_of_one_session_is_denied() -> None:
    # D3/R42: levels are counted per session (date of service) and region, not per procedure.
    evaluation = ev(block("a", A, joints=["L4-L5", "L5-S1"]), block("c", A, joints=["L3-L4"]))
    assert "deny" in severities(evaluation, "a", "MCD-LEVELS") + severities(evaluation, "c", "MCD-LEVELS")
    assert "deny" in severities(evaluation, "c", "MCD-LEVELS")


def test_a_third_rfa_joint_is_denied() -> None:
    evaluation = ev(
        *two_positive_mbbs(joints=["L3-L4", "L4-L5"]),
        block("c", A, joints=["L5-S1"]), bupivacaine_block("d", B, joints=["L5-S1"]),
        rfa("r", "2025-02-03", joints=["L3-L4", "L4-L5", "L5-S1"]),
    )  # fmt: skip
    assert "deny" in severities(evaluation, "r", "MCD-LEVELS")
    assert code_lines(evaluation, "r") == ["64635-50 x1", "64636-50 x2"]  # R53: units = additional joints


@pytest.mark.parametrize(("day", "word"), [("2024-07-06", "appeal"), ("2024-07-07", "not covered")])
def test_the_third_level_message_follows_the_2024_revision(day: str, word: str) -> None:
    # R43: before the revision a third level was appeal-only; after it, non-covered. Both fail as billed.
    evaluation = ev(block("a", day, joints=["L3-L4", "L4-L5", "L5-S1"]), date="2024-05-01")
    levels = [f for f in result(evaluation, "a").findings if f.rule == "MCD-LEVELS"]
    assert [str(f.severity) for f in levels] == ["deny"]
    assert word in levels[0].message


def test_two_levels_in_each_of_two_regions_are_within_the_limit() -> None:
    # R42: the limit is per session per region.
    evaluation = ev(block("a", A), block("c", A, joints=["C4-C5", "C5-C6"], agent=CERVICAL_LIDOCAINE))
    for pid in ("a", "c"):
        assert severities(evaluation, pid, "MCD-LEVELS") == ["info"]
    assert "MCD-MULTI-REGION" in rules(evaluation, "a", "warn")


def test_an_ia_injection_and_an_mbb_at_one_joint_in_one_session_are_one_level() -> None:
    # R56: coded as one level; two joints in the session stay within the limit.
    evaluation = ev(block("a", A), ia("i", A, joints=["L5-S1"], intent="diagnostic", diary=NEGATIVE_DIARY))
    assert "deny" not in severities(evaluation, "a", "MCD-LEVELS") + severities(evaluation, "i", "MCD-LEVELS")
    assert code_lines(evaluation, "i") == []
    assert "CODE-BUNDLED" in rules(evaluation, "i")


# --- Frequency caps (R15, R20, R30, D8, OQ6, OQ15) ---------------------------------------------------

FIVE_LUMBAR_JOINTS = ["L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"]


def dx_sessions(days: list[str], joints: list[str] | None = None) -> list[dict[str, Any]]:
    joints = joints or FIVE_LUMBAR_JOINTS
    return [
        block(f"d{i + 1}", day, joints=[joints[i]], side="left", diary=NEGATIVE_DIARY)
        for i, day in enumerate(days)
    ]


MONTHLY = ["2025-01-06", "2025-02-06", "2025-03-06", "2025-04-06", "2025-05-06"]


def test_the_fourth_diagnostic_session_in_12_months_is_allowed() -> None:
    evaluation = ev(*dx_sessions(MONTHLY[:4]))
    for pid in ("d1", "d2", "d3", "d4"):
        assert "MCD-DX-CAP" not in rules(evaluation, pid), pid
        assert result(evaluation, pid).meets_criteria


def test_the_fifth_diagnostic_session_in_12_months_is_denied() -> None:
    evaluation = ev(*dx_sessions(MONTHLY))
    assert severities(evaluation, "d5", "MCD-DX-CAP") == ["deny"]
    assert not result(evaluation, "d5").meets_criteria


def test_caps_count_sessions_not_procedures() -> None:
    # D3: all procedures on one date are one session; five procedures on four dates are four sessions.
    procedures = [*dx_sessions(MONTHLY[:4]), block("d5", MONTHLY[3], joints=["L5-S1"], side="left",
                                                   diary=NEGATIVE_DIARY)]  # fmt: skip
    evaluation = ev(*procedures)
    for pid in ("d4", "d5"):
        assert "MCD-DX-CAP" not in rules(evaluation, pid), pid


def test_a_session_exactly_12_months_earlier_is_counted_and_warned() -> None:
    # D8/OQ6: inclusive lookback from the same calendar day 12 months earlier.
    days = ["2025-01-06", "2025-03-06", "2025-05-06", "2025-07-06", "2026-01-06"]
    evaluation = ev(*dx_sessions(days))
    assert severities(evaluation, "d5", "MCD-DX-CAP") == ["deny"]
    assert severities(evaluation, "d5", "MCD-WINDOW-BOUNDARY") == ["warn"]


def test_a_session_12_months_and_one_day_earlier_is_not_counted() -> None:
    days = ["2025-01-05", "2025-03-06", "2025-05-06", "2025-07-06", "2026-01-06"]
    evaluation = ev(*dx_sessions(days))
    assert "MCD-DX-CAP" not in rules(evaluation, "d5")
    assert "MCD-WINDOW-BOUNDARY" not in rules(evaluation, "d5")
    assert result(evaluation, "d5").meets_criteria


def test_an_excess_not_decided_by_the_boundary_gets_no_boundary_warning() -> None:
    days = ["2025-01-06", "2025-02-06", "2025-03-06", "2025-04-06", "2025-05-06", "2026-01-06"]
    joints = [*FIVE_LUMBAR_JOINTS, "L4-L5"]
    procedures = [block(f"d{i + 1}", day, joints=[joints[i]], side="right" if i == 5 else "left",
                        diary=NEGATIVE_DIARY) for i, day in enumerate(days)]  # fmt: skip
    evaluation = ev(*procedures)
    assert "deny" in severities(evaluation, "d5", "MCD-DX-CAP")
    assert "MCD-WINDOW-BOUNDARY" not in rules(evaluation, "d5")


def test_caps_are_counted_per_billing_region() -> None:
    # D1: cervical/thoracic and lumbar/sacral are separate regions.
    procedures = [*dx_sessions(MONTHLY[:4]),
                  block("c", MONTHLY[4], joints=["C5-C6"], side="left", agent=CERVICAL_LIDOCAINE)]  # fmt: skip
    evaluation = ev(*procedures)
    assert "MCD-DX-CAP" not in rules(evaluation, "c")


def test_cervical_and_thoracic_sessions_share_one_region() -> None:
    procedures = [
        block(
            "c1", MONTHLY[0], joints=["C5-C6"], side="left", agent=CERVICAL_LIDOCAINE, diary=NEGATIVE_DIARY
        ),
        block(
            "c2", MONTHLY[1], joints=["C6-C7"], side="left", agent=CERVICAL_LIDOCAINE, diary=NEGATIVE_DIARY
        ),
        block("t1", MONTHLY[2], joints=["T4-T5"], side="left", diary=NEGATIVE_DIARY),
        block("t2", MONTHLY[3], joints=["T5-T6"], side="left", diary=NEGATIVE_DIARY),
        block("t3", MONTHLY[4], joints=["T6-T7"], side="left", diary=NEGATIVE_DIARY),
    ]
    evaluation = ev(*procedures, region="thoracic")
    assert "deny" in severities(evaluation, "t3", "MCD-DX-CAP")


def test_t12_l1_is_counted_in_the_cervical_thoracic_region_with_a_warning() -> None:
    thoracic = [block(f"t{i + 1}", day, joints=[joint], side="left", diary=NEGATIVE_DIARY)
                for i, (day, joint) in enumerate(zip(MONTHLY[:4], ["T8-T9", "T9-T10", "T10-T11", "T11-T12"],
                                                     strict=True))]  # fmt: skip
    evaluation = ev(*thoracic, block("x", MONTHLY[4], joints=["T12-L1"], side="left"), region="thoracic")
    assert "deny" in severities(evaluation, "x", "MCD-DX-CAP")
    assert "warn" in severities(evaluation, "x", "MCD-T12L1")


def test_t12_l1_does_not_count_against_the_lumbar_cap() -> None:
    evaluation = ev(*dx_sessions(MONTHLY[:4]), block("x", MONTHLY[4], joints=["T12-L1"], side="left"))
    assert "MCD-DX-CAP" not in rules(evaluation, "x")
    assert severities(evaluation, "x", "MCD-T12L1") == ["warn"]
    assert result(evaluation, "x").meets_criteria


def rfa_sessions(count: int) -> list[dict[str, Any]]:
    """Two positive bilateral MBBs, then RFA sessions on different dates at sites not yet ablated."""
    sites = [("L4-L5", "left"), ("L4-L5", "right"), ("L5-S1", "left")]
    days = ["2025-02-03", "2025-03-03", "2025-04-03"]
    return [*two_positive_mbbs(), *(rfa(f"r{i + 1}", days[i], joints=[sites[i][0]], side=sites[i][1])
                                    for i in range(count))]  # fmt: skip


def test_the_second_rfa_session_in_12_months_is_allowed() -> None:
    # R30: right and left sides on different dates are two sessions.
    evaluation = ev(*rfa_sessions(2))
    assert "MCD-RFA-CAP" not in rules(evaluation, "r2")
    assert result(evaluation, "r2").meets_criteria


def test_the_third_rfa_session_in_12_months_is_denied() -> None:
    evaluation = ev(*rfa_sessions(3))
    assert severities(evaluation, "r3", "MCD-RFA-CAP") == ["deny"]
    assert not result(evaluation, "r3").meets_criteria


def therapeutic_ia_sessions(count: int) -> list[dict[str, Any]]:
    sites = [("L4-L5", "left"), ("L4-L5", "right"), ("L5-S1", "left"), ("L5-S1", "right")]
    days = ["2025-02-03", "2025-02-10", "2025-02-17", "2025-02-24"]
    first = [ia(f"i{i + 1}", days[i], joints=[sites[i][0]], side=sites[i][1],
                follow_up=follow_ups(days[i], [1, 2, 3])) for i in range(min(count, 4))]  # fmt: skip
    repeat = [ia("i5", "2025-05-05", joints=["L4-L5"], side="left")] if count == 5 else []
    return [*two_positive_mbbs(), *first, *repeat]


def test_the_fourth_therapeutic_session_in_12_months_is_allowed() -> None:
    evaluation = ev(*therapeutic_ia_sessions(4))
    assert "MCD-TX-CAP" not in rules(evaluation, "i4")
    assert result(evaluation, "i4").meets_criteria


def test_the_fifth_therapeutic_session_in_12_months_is_denied() -> None:
    evaluation = ev(*therapeutic_ia_sessions(5))
    assert result(evaluation, "i5").role == "therapeutic-repeat"
    assert "MCD-TX-REPEAT" not in rules(evaluation, "i5", "deny")
    assert severities(evaluation, "i5", "MCD-TX-CAP") == ["deny"]


def test_diagnostic_and_rfa_sessions_do_not_count_against_each_other() -> None:
    evaluation = ev(*dx_sessions(MONTHLY[:4]), *two_positive_mbbs(joints=["L5-S1"], side="right"),
                    rfa("r", "2025-06-02", joints=["L5-S1"], side="right"))  # fmt: skip
    assert "MCD-RFA-CAP" not in rules(evaluation, "r")


# --- Sedation (R45-R47) --------------------------------------------------------------------------------


@pytest.mark.parametrize("sedation", ["general", "moderate", "mac"])
@pytest.mark.parametrize("reason", [None, "severe claustrophobia and movement disorder"])
@pytest.mark.parametrize("kind", ["mbb", "rfa"])
def test_sedation_is_warned_or_documented_and_never_denied(
    sedation: str, reason: str | None, kind: str
) -> None:
    if kind == "mbb":
        evaluation = ev(block("x", A, sedation=sedation, sedation_reason=reason))
    else:
        evaluation = ev(
            *two_positive_mbbs(), rfa("x", "2025-02-03", sedation=sedation, sedation_reason=reason)
        )
    found = severities(evaluation, "x", "MCD-SEDATION")
    assert "deny" not in found
    assert result(evaluation, "x").meets_criteria
    # GA: never reasonable (R45). Sedation/MAC for blocks: not routine even with a reason (R46).
    # For RFA, moderate sedation or MAC with a documented need is acceptable (R47).
    expected_warning = sedation == "general" or kind == "mbb" or reason is None
    assert found == (["warn"] if expected_warning else [])


@pytest.mark.parametrize("kind", ["mbb", "rfa"])
def test_no_sedation_raises_no_sedation_finding(kind: str) -> None:
    procedures = [block("x", A)] if kind == "mbb" else [*two_positive_mbbs(), rfa("x", "2025-02-03")]
    assert "MCD-SEDATION" not in rules(ev(*procedures), "x")


# --- Responses of a diagnostic block (R10, R13, R61, OQ3, OQ18) --------------------------------------


@pytest.mark.parametrize(
    ("agent", "hours", "response"),
    [
        (LIDOCAINE, 1.5, "positive"),
        (LIDOCAINE, 1, "positive"),
        (LIDOCAINE, 0.5, "discordant"),
        (BUPIVACAINE, 4, "positive"),
        (BUPIVACAINE, 3, "positive"),
        (BUPIVACAINE, 2.5, "discordant"),
        (BUPIVACAINE, 1, "discordant"),
        (ROPIVACAINE, 3, "positive"),
        (ROPIVACAINE, 2, "discordant"),
    ],
)
def test_relief_must_last_as_long_as_the_agent_predicts(
    agent: dict[str, Any], hours: float, response: str
) -> None:
    evaluation = ev(block("a", A, agent=agent, diary=diary(hours)))
    res = result(evaluation, "a")
    assert res.response == response
    assert res.relief_hours == pytest.approx(hours)
    assert res.peak_relief_percent == 87.5
    if response == "discordant":
        assert severities(evaluation, "a", "MCD-AGENT-DURATION") == ["warn"]
    else:
        assert "MCD-AGENT-DURATION" not in rules(evaluation, "a")
    assert res.meets_criteria  # a first block is covered whatever its result


def test_a_diary_that_ends_while_short_relief_continues_is_pending() -> None:
    evaluation = ev(block("a", A, agent=BUPIVACAINE, diary=diary(1, open_end=True)))
    res = result(evaluation, "a")
    assert res.response == "pending"
    assert severities(evaluation, "a", "GEN-DIARY-OPEN") == ["warn"]
    assert "MCD-AGENT-DURATION" not in rules(evaluation, "a")


def test_a_diary_that_ends_while_relief_continues_past_the_minimum_is_positive() -> None:
    evaluation = ev(block("a", A, diary=diary(2, open_end=True)))
    assert result(evaluation, "a").response == "positive"
    assert "GEN-DIARY-OPEN" not in rules(evaluation, "a")


@pytest.mark.parametrize(("score", "response"), [(2, "positive"), (1.6, "positive"), (2.1, "negative"),
                                                 (2.01, "negative"), (0, "positive")])  # fmt: skip
def test_exactly_80_percent_relief_is_positive_and_less_is_negative(score: float, response: str) -> None:
    # R13 / §4.1: 80.0 % passes; OQ18: exact ratios, no rounding.
    points = [{"minutes": 30, "pain": score}, {"minutes": 150, "pain": score}, {"minutes": 210, "pain": 7}]
    evaluation = ev(block("a", A, pre_pain=10, diary=points))
    res = result(evaluation, "a")
    assert res.response == response
    assert res.peak_relief_percent == pytest.approx((10 - score) * 10)
    assert res.relief_hours == (2.0 if response == "positive" else 0)


def test_relief_is_measured_against_the_same_day_pre_procedure_score() -> None:
    # OQ19: pre_pain 5 and a low of 1 is 80 %, although the assessment's baseline was 8.
    points = [{"minutes": 30, "pain": 1}, {"minutes": 120, "pain": 1}, {"minutes": 180, "pain": 4}]
    evaluation = ev(block("a", A, pre_pain=5, diary=points))
    assert result(evaluation, "a").peak_relief_percent == 80
    assert result(evaluation, "a").response == "positive"


def test_a_planned_block_is_pending_and_may_be_done() -> None:
    evaluation = ev(block("a", A, diary=None))
    res = result(evaluation, "a")
    assert res.response == "pending"
    assert res.peak_relief_percent is None
    assert res.relief_hours is None
    assert res.meets_criteria


@pytest.mark.parametrize(("pre", "warned"), [(3, True), (4, False)])
def test_too_little_pain_on_the_day_of_a_block_is_warned(pre: int, warned: bool) -> None:
    points = [{"minutes": 30, "pain": 0}, {"minutes": 120, "pain": 0}, {"minutes": 180, "pain": pre}]
    evaluation = ev(block("a", A, pre_pain=pre, diary=points))
    assert (severities(evaluation, "a", "GEN-LOW-PRE-PAIN") == ["warn"]) is warned
    assert result(evaluation, "a").meets_criteria


def test_a_block_that_never_reaches_80_percent_is_negative_with_zero_hours() -> None:
    res = result(ev(block("a", A, diary=NEGATIVE_DIARY)), "a")
    assert res.response == "negative"
    assert res.relief_hours == 0


def test_a_saline_block_is_warned_and_relief_after_it_is_placebo() -> None:
    evaluation = ev(
        block("a", A, agent=SALINE), block("n", A, joints=["L2-L3"], agent=SALINE, diary=NEGATIVE_DIARY)
    )
    assert result(evaluation, "a").response == "placebo"
    assert result(evaluation, "n").response == "negative"
    assert severities(evaluation, "a", "MCD-AGENT-SALINE") == ["warn"]


# --- Second diagnostic block (R10-R12) -----------------------------------------------------------------


def test_a_second_block_after_a_positive_first_is_a_covered_confirmation() -> None:
    evaluation = ev(*two_positive_mbbs())
    res = result(evaluation, "b")
    assert res.role == "diagnostic-2"
    assert res.meets_criteria
    assert "MCD-DX2-INTERVAL" not in rules(evaluation, "b")


@pytest.mark.parametrize(
    ("first", "label"),
    [
        ({"diary": NEGATIVE_DIARY}, "negative"),
        ({"diary": None}, "pending"),
        ({"diary": diary(0.5)}, "discordant"),
        ({"agent": SALINE}, "placebo"),
    ],
)
def test_a_second_block_needs_a_positive_first_block(first: dict[str, Any], label: str) -> None:
    evaluation = ev(block("a", A, **first), bupivacaine_block("b", B))
    assert result(evaluation, "a").response == label
    assert result(evaluation, "b").role == "diagnostic-2"
    assert severities(evaluation, "b", "MCD-DX2-PRIOR") == ["deny"]


@pytest.mark.parametrize(
    ("days", "reason", "expected"),
    [(13, None, ["deny"]), (13, "travels abroad next week", ["warn"]), (1, "travels abroad next week", ["warn"]),
     (14, None, ["warn"]), (15, None, []), (60, None, [])],
)  # fmt: skip
def test_the_second_block_comes_at_least_14_days_after_the_first(
    days: int, reason: str | None, expected: list[str]
) -> None:
    # R12 / OQ5: at least 2 weeks; day 14 passes (warned); documented exceptions are allowed.
    evaluation = ev(block("a", A), bupivacaine_block("b", shift(A, days), early_repeat_reason=reason))
    assert severities(evaluation, "b", "MCD-DX2-INTERVAL") == expected
    assert result(evaluation, "b").meets_criteria is ("deny" not in expected)


def test_second_block_on_day_14_passes_with_a_warning() -> None:
    evaluation = ev(block("a", A), bupivacaine_block("b", shift(A, 14)))
    assert result(evaluation, "b").meets_criteria
    assert severities(evaluation, "b", "MCD-DX2-INTERVAL") == ["warn"]


def test_a_block_at_different_joints_is_a_new_first_block() -> None:
    # R11: a block at a different level is a new first diagnostic, not a confirmation.
    evaluation = ev(block("a", A), block("b", shift(A, 3), joints=["L2-L3", "L3-L4"], diary=NEGATIVE_DIARY))
    assert result(evaluation, "b").role == "diagnostic-1"
    assert "MCD-DX2-INTERVAL" not in rules(evaluation, "b")
    assert "MCD-DX2-PRIOR" not in rules(evaluation, "b")
    assert result(evaluation, "b").meets_criteria


def test_a_block_on_the_other_side_is_a_new_first_block() -> None:
    evaluation = ev(block("a", A, side="left", diary=NEGATIVE_DIARY), block("b", shift(A, 3), side="right"))
    assert result(evaluation, "b").role == "diagnostic-1"
    assert result(evaluation, "b").meets_criteria


def test_a_partly_overlapping_block_confirms_the_shared_joints_and_warns_about_the_new_ones() -> None:
    evaluation = ev(block("a", A), bupivacaine_block("b", B, joints=["L3-L4", "L4-L5"]))
    res = result(evaluation, "b")
    assert res.role == "diagnostic-2"
    assert severities(evaluation, "b", "MCD-DX2-SITE") == ["warn"]
    assert res.meets_criteria


def test_a_partly_overlapping_block_too_early_is_still_denied_for_the_interval() -> None:
    evaluation = ev(block("a", A), bupivacaine_block("b", shift(A, 7), joints=["L3-L4", "L4-L5"]))
    assert "deny" in severities(evaluation, "b", "MCD-DX2-INTERVAL")


def test_a_third_block_at_the_same_joints_is_an_extra_diagnostic_block() -> None:
    evaluation = ev(*two_positive_mbbs(), block("c", "2025-02-10"))
    res = result(evaluation, "c")
    assert res.role == "diagnostic-extra"
    assert severities(evaluation, "c", "MCD-DX-EXTRA") == ["warn"]
    assert res.meets_criteria


# --- Therapeutic procedures (R16-R20) ------------------------------------------------------------------


def test_a_therapeutic_medial_branch_block_is_denied() -> None:
    evaluation = ev(*two_positive_mbbs(), block("t", "2025-02-03", intent="therapeutic", diary=None))
    assert severities(evaluation, "t", "MCD-TX-MBB") == ["deny"]
    assert not result(evaluation, "t").meets_criteria


def test_a_therapeutic_ia_after_two_positive_blocks_with_a_reason_is_covered() -> None:
    evaluation = ev(*two_positive_mbbs(), ia("i", "2025-02-03"))
    res = result(evaluation, "i")
    assert res.role == "therapeutic"
    assert res.response == "n/a"
    assert res.meets_criteria


def test_a_therapeutic_ia_without_a_reason_rfa_is_unsuitable_is_denied() -> None:
    evaluation = ev(*two_positive_mbbs(), ia("i", "2025-02-03", rfa_unsuitable_reason=None))
    assert severities(evaluation, "i", "MCD-TX-RFA-REASON") == ["deny"]


@pytest.mark.parametrize(
    ("blocks", "covered"),
    [
        ([block("a", A)], False),
        ([block("a", A), bupivacaine_block("b", B, diary=NEGATIVE_DIARY)], False),
        ([block("a", A, diary=NEGATIVE_DIARY), bupivacaine_block("b", B)], False),
        ([ia("a", A, intent="diagnostic", diary=copy.deepcopy(block("x", A)["diary"])), bupivacaine_block("b", B)],
         True),
        ([ia("a", A, intent="diagnostic", diary=copy.deepcopy(block("x", A)["diary"])),
          ia("b", B, intent="diagnostic", agent=BUPIVACAINE, diary=copy.deepcopy(bupivacaine_block("x", B)["diary"]))],
         True),
        ([], False),
    ],
)  # fmt: skip
def test_a_first_therapeutic_ia_needs_two_positive_diagnostic_blocks_ia_or_mbb(
    blocks: list[dict[str, Any]], covered: bool
) -> None:
    evaluation = ev(*blocks, ia("i", "2025-02-03"))
    assert ("MCD-TX-PREREQ" in rules(evaluation, "i", "deny")) is not covered
    assert result(evaluation, "i").meets_criteria is covered


def test_a_therapeutic_ia_at_joints_not_blocked_is_denied() -> None:
    evaluation = ev(*two_positive_mbbs(), ia("i", "2025-02-03", joints=["L3-L4"]))
    assert "deny" in severities(evaluation, "i", "MCD-TX-PREREQ")


@pytest.mark.parametrize(("months", "covered"), [([1, 2, 3], True), ([1, 2, 3, 4], True), ([1, 2], False),
                                                 ([1], False)])  # fmt: skip
def test_a_repeat_therapeutic_ia_needs_three_months_of_relief(months: list[int], covered: bool) -> None:
    # R19: >= 50 % relief for >= 3 months after the previous IA at the same site.
    evaluation = ev(*two_positive_mbbs(), ia("i1", "2025-02-03", follow_up=follow_ups("2025-02-03", months)),
                    ia("i2", "2025-06-02"))  # fmt: skip
    assert result(evaluation, "i2").role == "therapeutic-repeat"
    assert ("MCD-TX-REPEAT" in rules(evaluation, "i2", "deny")) is not covered
    assert result(evaluation, "i2").meets_criteria is covered


def test_a_repeat_ia_that_also_covers_a_new_side_passes_after_three_months_of_relief() -> None:
    evaluation = ev(*two_positive_mbbs(), ia("i1", "2025-02-03", side="left",
                                             follow_up=follow_ups("2025-02-03", [1, 2, 3])),
                    ia("i2", "2025-05-05"))  # fmt: skip
    assert "MCD-TX-REPEAT" not in rules(evaluation, "i2")
    assert result(evaluation, "i2").meets_criteria


def test_a_repeat_ia_that_also_covers_a_new_side_is_still_checked_at_the_repeated_side() -> None:
    # R19: a repeat IA at the same site needs >= 50 % relief for >= 3 months after the previous one. A
    # bilateral IA one month after a left IA with no follow-up repeats the left side too early.
    evaluation = ev(*two_positive_mbbs(), ia("i1", "2025-02-03", side="left"), ia("i2", "2025-03-03"))
    assert "deny" in severities(evaluation, "i2", "MCD-TX-REPEAT")


def test_a_repeat_therapeutic_ia_without_follow_up_is_denied() -> None:
    evaluation = ev(*two_positive_mbbs(), ia("i1", "2025-02-03"), ia("i2", "2025-06-02"))
    assert severities(evaluation, "i2", "MCD-TX-REPEAT") == ["deny"]


def test_a_repeat_therapeutic_ia_still_needs_the_reason_rfa_is_unsuitable() -> None:
    evaluation = ev(*two_positive_mbbs(), ia("i1", "2025-02-03", follow_up=follow_ups("2025-02-03", [1, 2, 3])),
                    ia("i2", "2025-06-02", rfa_unsuitable_reason=None))  # fmt: skip
    assert "deny" in severities(evaluation, "i2", "MCD-TX-RFA-REASON")


def test_a_repeat_therapeutic_ia_by_function_alone_is_warned() -> None:
    # R19 second branch (>= 50 % ADL improvement on the same scale); OQ8 leaves its duration unclear.
    prior = follow_ups("2025-02-03", [1, 2, 3], pain=None, disability=20)  # ODI 44 -> 20: 54.5 %
    evaluation = ev(*two_positive_mbbs(), ia("i1", "2025-02-03", follow_up=prior), ia("i2", "2025-06-02"))
    assert severities(evaluation, "i2", "MCD-TX-REPEAT") == ["warn"]
    assert result(evaluation, "i2").meets_criteria


def test_a_repeat_therapeutic_ia_cannot_rely_on_follow_ups_after_its_own_date() -> None:
    # case-format.md §2: meets_criteria judges the procedure "on this date, with everything before it".
    # Two months after i1 the relief cannot yet have lasted three months.
    evaluation = ev(*two_positive_mbbs(), ia("i1", "2025-02-03", follow_up=follow_ups("2025-02-03", [1, 2, 3, 4])),
                    ia("i2", "2025-04-03"))  # fmt: skip
    assert "deny" in severities(evaluation, "i2", "MCD-TX-REPEAT")


# --- Initial RFA (R21-R26, R34) ------------------------------------------------------------------------


def test_rfa_after_two_positive_mbbs_is_covered() -> None:
    evaluation = ev(*two_positive_mbbs(), rfa("r", "2025-02-03"))
    res = result(evaluation, "r")
    assert res.role == "rfa-initial"
    assert res.response == "n/a"
    assert res.meets_criteria


def test_rfa_needs_no_gap_after_the_second_mbb() -> None:
    # R25: the LCD sets no minimum gap between the 2nd MBB and the RFA.
    evaluation = ev(*two_positive_mbbs(), rfa("r", shift(B, 1)))
    assert result(evaluation, "r").meets_criteria


@pytest.mark.parametrize(
    ("blocks", "label"),
    [
        ([], "no blocks"),
        ([block("a", A)], "one positive MBB"),
        ([block("a", A), bupivacaine_block("b", B, diary=NEGATIVE_DIARY)], "second MBB negative"),
        ([block("a", A, diary=NEGATIVE_DIARY), bupivacaine_block("b", B)], "first MBB negative"),
        ([block("a", A), bupivacaine_block("b", B, diary=None)], "second MBB pending"),
        ([block("a", A), bupivacaine_block("b", B, diary=diary(1))], "second MBB discordant"),
        ([ia("a", A, intent="diagnostic", diary=copy.deepcopy(block("x", A)["diary"])), bupivacaine_block("b", B)],
         "one IA and one MBB"),
        ([block("a", A), ia("b", B, intent="diagnostic", agent=BUPIVACAINE,
                            diary=copy.deepcopy(bupivacaine_block("x", B)["diary"]))], "one MBB and one IA"),
        ([*two_positive_mbbs(), block("c", "2025-01-28", diary=NEGATIVE_DIARY)], "latest of three negative"),
    ],
)  # fmt: skip
def test_rfa_without_two_consecutive_positive_mbbs_is_denied(
    blocks: list[dict[str, Any]], label: str
) -> None:
    evaluation = ev(*blocks, rfa("r", "2025-02-03"))
    assert severities(evaluation, "r", "MCD-RFA-PREREQ") == ["deny"], label
    assert not result(evaluation, "r").meets_criteria


def test_a_positive_block_confirming_a_negative_one_cannot_qualify_rfa() -> None:
    # R10/R23: a confirmatory block after a negative first block is not medically necessary, so it
    # cannot be one of the two qualifying MBBs.
    evaluation = ev(
        block("z", "2024-12-16", diary=NEGATIVE_DIARY), *two_positive_mbbs(), rfa("r", "2025-02-03")
    )
    assert "deny" in severities(evaluation, "a", "MCD-DX2-PRIOR")
    assert result(evaluation, "b").role == "diagnostic-extra"
    assert severities(evaluation, "r", "MCD-RFA-PREREQ") == ["deny"]


def test_rfa_after_three_positive_mbbs_is_covered() -> None:
    # R21 "two consecutive": the two latest blocks decide; an extra block only warns.
    evaluation = ev(*two_positive_mbbs(), block("c", "2025-02-04"), rfa("r", "2025-02-10"))
    assert result(evaluation, "c").role == "diagnostic-extra"
    assert result(evaluation, "r").meets_criteria


def test_rfa_after_a_second_mbb_denied_for_its_interval_is_denied() -> None:
    # R23: a second MBB <2 weeks after the first with no documented exception cannot qualify the RFA.
    evaluation = ev(block("a", A), bupivacaine_block("b", shift(A, 10)), rfa("r", "2025-02-03"))
    assert not result(evaluation, "b").meets_criteria
    assert severities(evaluation, "r", "MCD-RFA-PREREQ") == ["deny"]


def test_rfa_after_an_early_second_mbb_with_a_documented_reason_is_covered() -> None:
    evaluation = ev(block("a", A), bupivacaine_block("b", shift(A, 10), early_repeat_reason="surgery date moved"),
                    rfa("r", "2025-02-03"))  # fmt: skip
    assert result(evaluation, "b").meets_criteria
    assert result(evaluation, "r").meets_criteria


@pytest.mark.parametrize(("joints", "side"), [(["L4-L5"], "left"), (["L5-S1"], "bilateral"),
                                              (["L4-L5", "L5-S1"], "right")])  # fmt: skip
def test_rfa_at_a_subset_of_the_blocked_joints_and_sides_is_covered(joints: list[str], side: str) -> None:
    # R24: the RFA treats levels the MBBs confirmed.
    evaluation = ev(*two_positive_mbbs(), rfa("r", "2025-02-03", joints=joints, side=side))
    assert result(evaluation, "r").meets_criteria


@pytest.mark.parametrize(("joints", "side"), [(["L4-L5", "L5-S1"], "bilateral"), (["L4-L5"], "right")])
def test_rfa_at_an_unblocked_side_is_denied(joints: list[str], side: str) -> None:
    evaluation = ev(*two_positive_mbbs(side="left"), rfa("r", "2025-02-03", joints=joints, side=side))
    assert severities(evaluation, "r", "MCD-RFA-PREREQ") == ["deny"]


def test_rfa_at_an_unblocked_joint_is_denied() -> None:
    evaluation = ev(*two_positive_mbbs(), rfa("r", "2025-02-03", joints=["L3-L4", "L4-L5"]))
    assert severities(evaluation, "r", "MCD-RFA-PREREQ") == ["deny"]


def test_rfa_needs_both_mbbs_at_each_site_not_two_blocks_anywhere() -> None:
    evaluation = ev(
        block("a", A, side="left"), bupivacaine_block("b", B, side="right"), rfa("r", "2025-02-03")
    )
    assert result(evaluation, "b").role == "diagnostic-1"
    assert severities(evaluation, "r", "MCD-RFA-PREREQ") == ["deny"]


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ({"technique": "thermal", "temperature_c": 80}, []),
        ({"technique": "thermal", "temperature_c": 90}, []),
        ({"technique": "thermal"}, []),
        ({"technique": "thermal", "temperature_c": 79}, ["deny"]),
        ({"technique": "thermal", "temperature_c": 79.9}, ["deny"]),
        ({"technique": "pulsed", "temperature_c": 42}, ["deny"]),
        ({"technique": "pulsed"}, ["deny"]),
        ({"technique": "cryo"}, ["deny"]),
        ({"technique": "chemical"}, ["deny"]),
        (None, ["warn"]),
    ],
)
def test_only_thermal_rfa_at_80_degrees_or_more_is_covered(
    detail: dict[str, Any] | None, expected: list[str]
) -> None:
    # R26, R34: non-thermal and low-grade thermal (<80 C) denervation is not covered.
    evaluation = ev(*two_positive_mbbs(), rfa("r", "2025-02-03", rfa=detail))
    assert severities(evaluation, "r", "MCD-RFA-THERMAL") == expected
    assert result(evaluation, "r").meets_criteria is ("deny" not in expected)


# --- Repeat RFA (R27-R29) ------------------------------------------------------------------------------

R1 = "2025-02-03"


def repeat_case(months: list[int], *, second: str = "2025-09-08", pain: int | None = 2,
                disability: float | None = None, **second_overrides: Any) -> list[dict[str, Any]]:  # fmt: skip
    return [*two_positive_mbbs(), rfa("r1", R1, follow_up=follow_ups(R1, months, pain=pain, disability=disability)),
            rfa("r2", second, **second_overrides)]  # fmt: skip


def test_repeat_rfa_after_six_months_of_relief_is_covered_without_new_blocks() -> None:
    # R27, R28: >= 50 % for >= 6 months; no new diagnostic MBBs needed.
    evaluation = ev(*repeat_case([1, 2, 3, 4, 5, 6]))
    res = result(evaluation, "r2")
    assert res.role == "rfa-repeat"
    assert "MCD-RFA-PREREQ" not in rules(evaluation, "r2")
    assert res.meets_criteria


def test_repeat_rfa_after_five_months_of_relief_is_denied() -> None:
    evaluation = ev(*repeat_case([1, 2, 3, 4, 5]))
    assert severities(evaluation, "r2", "MCD-RFA-REPEAT") == ["deny"]


def test_exactly_six_calendar_months_passes() -> None:
    evaluation = ev(*repeat_case([6]))
    assert "MCD-RFA-REPEAT" not in rules(evaluation, "r2")


def test_one_day_short_of_six_months_fails() -> None:
    follow = [*follow_ups(R1, [1, 2, 3, 4, 5]), {"date": shift(months_after(R1, 6), -1), "pain": 2}]
    evaluation = ev(*two_positive_mbbs(), rfa("r1", R1, follow_up=follow), rfa("r2", "2025-09-08"))
    assert severities(evaluation, "r2", "MCD-RFA-REPEAT") == ["deny"]


def test_exactly_50_percent_relief_counts_as_sustained() -> None:
    evaluation = ev(*repeat_case([1, 2, 3, 4, 5, 6], pain=4))  # 8 -> 4 = 50 %
    assert "MCD-RFA-REPEAT" not in rules(evaluation, "r2")


def test_less_than_50_percent_relief_is_not_sustained() -> None:
    follow = [{"date": e["date"], "pain": 4.1} for e in follow_ups(R1, [1, 2, 3, 4, 5, 6])]
    evaluation = ev(*two_positive_mbbs(), rfa("r1", R1, follow_up=follow), rfa("r2", "2025-09-08"))
    assert severities(evaluation, "r2", "MCD-RFA-REPEAT") == ["deny"]


def test_a_broken_run_of_relief_counts_only_up_to_the_break() -> None:
    follow = follow_ups(R1, [1, 2, 3, 4, 5, 6, 7])
    follow[2]["pain"] = 7  # month 3 below 50 %
    evaluation = ev(*two_positive_mbbs(), rfa("r1", R1, follow_up=follow), rfa("r2", "2025-09-08"))
    assert severities(evaluation, "r2", "MCD-RFA-REPEAT") == ["deny"]


def test_a_repeat_rfa_without_follow_up_of_the_last_rfa_is_denied() -> None:
    evaluation = ev(*two_positive_mbbs(), rfa("r1", R1), rfa("r2", "2025-09-08"))
    assert severities(evaluation, "r2", "MCD-RFA-REPEAT") == ["deny"]


def test_a_repeat_rfa_qualified_by_function_alone_is_warned() -> None:
    # R27 second branch; OQ7: whether it needs 6 months too is unclear -> allowed with a warning.
    evaluation = ev(*repeat_case([1, 2, 3, 4, 5, 6], pain=None, disability=20))
    assert severities(evaluation, "r2", "MCD-RFA-REPEAT") == ["warn"]
    assert result(evaluation, "r2").meets_criteria


def test_function_on_another_instrument_is_not_comparable() -> None:
    follow = [
        {"date": e["date"], "disability": {"instrument": "NDI", "score": 10}} for e in follow_ups(R1, [6])
    ]
    evaluation = ev(*two_positive_mbbs(), rfa("r1", R1, follow_up=follow), rfa("r2", "2025-09-08"))
    assert severities(evaluation, "r2", "MCD-RFA-REPEAT") == ["deny"]


def test_a_repeat_rfa_cannot_rely_on_follow_ups_after_its_own_date() -> None:
    # case-format.md §2 ("with everything before it"); R27: four months after r1 there cannot have been
    # six months of relief yet.
    evaluation = ev(*repeat_case([1, 2, 3, 4, 5, 6], second="2025-06-03"))
    assert "deny" in severities(evaluation, "r2", "MCD-RFA-REPEAT")


def test_rfa_two_years_after_the_last_needs_new_diagnostic_blocks() -> None:
    # R29: two years or more since the last RFA -> repeat the diagnostic procedures.
    evaluation = ev(*repeat_case([1, 2, 3, 4, 5, 6], second=months_after(R1, 24)))
    assert severities(evaluation, "r2", "MCD-RFA-REDIAGNOSE") == ["deny"]


def test_rfa_a_day_short_of_two_years_is_a_plain_repeat() -> None:
    evaluation = ev(*repeat_case([1, 2, 3, 4, 5, 6], second=shift(months_after(R1, 24), -1)))
    assert "MCD-RFA-REDIAGNOSE" not in rules(evaluation, "r2")
    assert result(evaluation, "r2").meets_criteria


def test_rfa_two_years_later_after_two_new_positive_mbbs_is_covered() -> None:
    later = months_after(R1, 24)
    evaluation = ev(*two_positive_mbbs(), rfa("r1", R1, follow_up=follow_ups(R1, [1, 2, 3, 4, 5, 6])),
                    block("c", later), bupivacaine_block("d", shift(later, 15)), rfa("r2", shift(later, 30)))  # fmt: skip
    assert result(evaluation, "c").meets_criteria
    assert result(evaluation, "d").role == "diagnostic-2"
    assert "MCD-RFA-REDIAGNOSE" not in rules(evaluation, "r2")
    assert result(evaluation, "r2").meets_criteria


def test_a_diagnostic_block_after_a_successful_rfa_is_denied() -> None:
    # R28/R41: a diagnostic block at a level with a successful RFA is not covered; repeat the RFA instead.
    evaluation = ev(*two_positive_mbbs(), rfa("r1", R1, follow_up=follow_ups(R1, [1, 2, 3, 4, 5, 6])),
                    block("c", "2025-10-06"))  # fmt: skip
    assert severities(evaluation, "c", "MCD-DX-AFTER-RFA") == ["deny"]


def test_a_diagnostic_block_after_an_unsuccessful_rfa_is_a_new_first_block() -> None:
    evaluation = ev(*two_positive_mbbs(), rfa("r1", R1, follow_up=follow_ups(R1, [1, 2], pain=7)),
                    block("c", "2025-10-06"))  # fmt: skip
    assert "MCD-DX-AFTER-RFA" not in rules(evaluation, "c", "deny")
    assert result(evaluation, "c").role == "diagnostic-1"
    assert result(evaluation, "c").meets_criteria


def test_a_diagnostic_block_at_other_joints_after_a_successful_rfa_is_allowed() -> None:
    evaluation = ev(*two_positive_mbbs(), rfa("r1", R1, follow_up=follow_ups(R1, [1, 2, 3, 4, 5, 6])),
                    block("c", "2025-10-06", joints=["L2-L3", "L3-L4"]))  # fmt: skip
    assert "MCD-DX-AFTER-RFA" not in rules(evaluation, "c")
    assert result(evaluation, "c").meets_criteria


# --- Facet cyst (R31-R33) ------------------------------------------------------------------------------


def test_cyst_aspiration_with_a_cyst_on_imaging_is_covered_without_a_settled_code() -> None:
    evaluation = ev(cyst("c", A), untreated_radiculopathy=True, facet_synovial_cyst=True)
    res = result(evaluation, "c")
    assert res.role == "cyst"
    assert res.meets_criteria
    assert res.codes == []
    assert severities(evaluation, "c", "CODE-CYST") == ["warn"]


def test_cyst_aspiration_without_a_cyst_on_imaging_is_denied() -> None:
    evaluation = ev(cyst("c", A))
    assert severities(evaluation, "c", "MCD-CYST") == ["deny"]


@pytest.mark.parametrize(("months", "covered"), [([1, 2, 3], True), ([1, 2], False), (None, False)])
def test_a_cyst_may_be_treated_once_more_after_three_months_of_improvement(
    months: list[int] | None, covered: bool
) -> None:
    # R32: repeated once per cyst, only after >= 50 % improvement for >= 3 months.
    first = cyst("c1", A, follow_up=None if months is None else follow_ups(A, months))
    evaluation = ev(first, cyst("c2", "2025-06-02"), facet_synovial_cyst=True)
    assert ("MCD-CYST-REPEAT" in rules(evaluation, "c2", "deny")) is not covered


def test_a_cyst_is_not_treated_a_third_time() -> None:
    evaluation = ev(cyst("c1", A, follow_up=follow_ups(A, [1, 2, 3])),
                    cyst("c2", "2025-05-05", follow_up=follow_ups("2025-05-05", [1, 2, 3, 4])),
                    cyst("c3", "2025-10-06"), facet_synovial_cyst=True)  # fmt: skip
    assert result(evaluation, "c2").meets_criteria
    assert severities(evaluation, "c3", "MCD-CYST-REPEAT") == ["deny"]


# --- Codes (R48-R56, §4.2 worked examples) ---------------------------------------------------------


def test_worked_example_bilateral_l4_l5_and_l5_s1_diagnostic_mbb() -> None:
    evaluation = ev(block("a", A, joints=["L4-5", "L5-S1"], side="bilateral"))
    assert code_lines(evaluation, "a") == ["64493-50-KX x1", "64494-50-KX x1"]
    assert result(evaluation, "a").nerves == ("L3 medial branch", "L4 medial branch", "L5 dorsal ramus")


def test_worked_example_unilateral_right_l3_l4_and_l4_l5_diagnostic_mbb() -> None:
    evaluation = ev(block("a", A, joints=["L3-4", "L4-5"], side="right"))
    assert code_lines(evaluation, "a") == ["64493-RT-KX x1", "64494-RT-KX x1"]


def test_worked_example_bilateral_l4_l5_and_l5_s1_rfa() -> None:
    evaluation = ev(*two_positive_mbbs(), rfa("r", "2025-02-03"))
    assert code_lines(evaluation, "r") == ["64635-50 x1", "64636-50 x1"]


def test_worked_example_unilateral_left_c5_c6_therapeutic_ia() -> None:
    cervical = {"joints": ["C5-C6"], "side": "left", "agent": CERVICAL_LIDOCAINE}
    evaluation = ev(*two_positive_mbbs(**cervical), ia("i", "2025-02-03", **cervical), region="cervical")
    assert code_lines(evaluation, "i") == ["64490-LT x1"]
    assert result(evaluation, "i").meets_criteria


@pytest.mark.parametrize(("intent", "kx"), [("diagnostic", ["KX"]), ("therapeutic", [])])
def test_worked_example_unilateral_t12_l1_plus_l1_l2(intent: str, kx: list[str]) -> None:
    procedure = ia("a", A, intent=intent, joints=["T12-L1", "L1-L2"], side="left")
    if intent == "diagnostic":
        procedure = block("a", A, joints=["T12-L1", "L1-L2"], side="left")
    evaluation = ev(procedure)
    assert [line.code for line in result(evaluation, "a").codes] == ["64490", "64494"]
    assert [list(line.modifiers) for line in result(evaluation, "a").codes] == [["LT", *kx], ["LT", *kx]]
    assert [line.units for line in result(evaluation, "a").codes] == [1, 1]


def test_kx_goes_on_diagnostic_lines_only() -> None:
    evaluation = ev(*two_positive_mbbs(), ia("i", "2025-02-03"), rfa("r", "2025-03-03"))
    for pid in ("a", "b"):
        assert all(line.modifiers[-1] == "KX" for line in result(evaluation, pid).codes)
    for pid in ("i", "r"):
        assert result(evaluation, pid).codes
        assert all("KX" not in line.modifiers for line in result(evaluation, pid).codes)


def test_a_bilateral_block_may_be_billed_as_rt_and_lt_lines() -> None:
    # R52 / OQ11: some MACs want RT and LT on two lines; side modifier first, then KX.
    evaluation = ev(block("a", A), params={"bilateral_modifier": "RT-LT"})
    assert sorted(code_lines(evaluation, "a")) == sorted(
        ["64493-RT-KX x1", "64494-RT-KX x1", "64493-LT-KX x1", "64494-LT-KX x1"]
    )


def test_three_levels_are_billed_with_one_unit_of_the_third_level_add_on() -> None:
    # R51: 64495 covers the third and further levels, never more than one unit.
    evaluation = ev(block("a", A, joints=["L2-L3", "L3-L4", "L4-L5", "L5-S1"]))
    assert code_lines(evaluation, "a") == ["64493-50-KX x1", "64494-50-KX x1", "64495-50-KX x1"]


def test_levels_are_counted_by_joint_never_by_nerve() -> None:
    # R50: one joint is one level however many nerves supply it.
    evaluation = ev(block("a", A, joints=["L5-S1"], side="left"))
    assert code_lines(evaluation, "a") == ["64493-LT-KX x1"]


def test_a_unilateral_two_joint_rfa_uses_the_add_on_once() -> None:
    evaluation = ev(*two_positive_mbbs(), rfa("r", "2025-02-03", side="left"))
    assert code_lines(evaluation, "r") == ["64635-LT x1", "64636-LT x1"]


def test_a_cervical_rfa_takes_the_cervical_thoracic_codes() -> None:
    cervical = {"joints": ["C5-C6", "C6-C7"], "agent": CERVICAL_LIDOCAINE}
    evaluation = ev(block("a", A, **cervical), bupivacaine_block("b", B, **{**cervical, "agent": {
        **BUPIVACAINE, "volume_ml_per_nerve": 0.25}}), rfa("r", "2025-02-03", joints=cervical["joints"]),
        region="cervical")  # fmt: skip
    assert code_lines(evaluation, "r") == ["64633-50 x1", "64634-50 x1"]
    assert result(evaluation, "r").meets_criteria


def test_each_region_of_a_session_takes_its_own_primary_code() -> None:
    evaluation = ev(block("a", A, joints=["L4-L5"], side="left"),
                    block("c", A, joints=["C5-C6"], side="left", agent=CERVICAL_LIDOCAINE))  # fmt: skip
    assert code_lines(evaluation, "a") == ["64493-LT-KX x1"]
    assert code_lines(evaluation, "c") == ["64490-LT-KX x1"]


def test_a_session_continues_the_level_count_across_procedures() -> None:
    evaluation = ev(block("a", A, joints=["L4-L5"]), block("c", A, joints=["L5-S1"]))
    assert code_lines(evaluation, "a") == ["64493-50-KX x1"]
    assert code_lines(evaluation, "c") == ["64494-50-KX x1"]


# --- Prolonged relief (R61, OQ3) and the spec's worked evaluation --------------------------------------


def test_relief_far_beyond_what_lidocaine_does_is_positive_with_a_warning() -> None:
    # R61: relief lasting far longer than the anaesthetic "may be read" as inconsistent (unclear: warn).
    evaluation = ev(block("a", A, diary=diary(5)))
    assert result(evaluation, "a").response == "positive"
    assert severities(evaluation, "a", "MCD-AGENT-DURATION") == ["warn"]
    assert result(evaluation, "a").meets_criteria


def test_prolonged_relief_can_be_configured_as_discordant() -> None:
    evaluation = ev(block("a", A, diary=diary(5)), params={"prolonged_relief_is_discordant": True})
    assert result(evaluation, "a").response == "discordant"
    assert severities(evaluation, "a", "MCD-AGENT-DURATION") == ["warn"]


def test_the_spec_example_case_evaluates_to_the_spec_example_result() -> None:
    # case-format.md §1 and §2: the example case and its evaluation.
    document = case(
        block("mbb1", "2025-01-06"),
        index_pain="axial low back pain, worse on extension and twisting",
        conservative_care=[
            {"modality": "physical therapy", "weeks": 10, "failed": True},
            {"modality": "NSAIDs", "weeks": 12, "failed": True},
        ],
    )
    document["patient"] = {"id": "P-0001", "birth_date": "1958-03-01", "sex": "female"}
    output = checked(document).to_json()
    assert output == {
        "format": "facetpath.evaluation/1",
        "policy": "medicare-lcd",
        "patient_id": "P-0001",
        "candidate": True,
        "findings": [],
        "procedures": [
            {
                "id": "mbb1",
                "role": "diagnostic-1",
                "joints": ["L4-L5", "L5-S1"],
                "nerves": ["L3 medial branch", "L4 medial branch", "L5 dorsal ramus"],
                "peak_relief_percent": 87.5,
                "relief_hours": 1.5,
                "response": "positive",
                "meets_criteria": True,
                "codes": [
                    {"code": "64493", "modifiers": ["50", "KX"], "units": 1},
                    {"code": "64494", "modifiers": ["50", "KX"], "units": 1},
                ],
                "findings": [
                    {
                        "rule": "MCD-LEVELS",
                        "severity": "info",
                        "message": "2 joint levels, bilateral: within the 2-level limit",
                    }
                ],
            }
        ],
    }


# --- Scales and calendar months (case-format.md derived quantities) --------------------------------------


@pytest.mark.parametrize(("score", "response"), [(16, "positive"), (17, "negative")])
def test_vas_100_scores_use_the_same_80_percent_threshold(score: int, response: str) -> None:
    points = [{"minutes": 30, "pain": score}, {"minutes": 120, "pain": score}, {"minutes": 180, "pain": 70}]
    evaluation = ev(block("a", A, pre_pain=80, diary=points), pain_scale="VAS-100", baseline_pain=80)
    assert result(evaluation, "a").response == response


@pytest.mark.parametrize(("t_score", "expected"), [(60, ["warn"]), (61, ["deny"])])
def test_promis_function_improvement_is_measured_above_the_mean_of_50(
    t_score: int, expected: list[str]
) -> None:
    # PROMIS-PI baseline 70 -> 60 is (20 - 10) / 20 = 50 %; 61 is 45 %.
    follow = [{"date": months_after(R1, m), "disability": {"instrument": "PROMIS-PI", "score": t_score}}
              for m in range(1, 7)]  # fmt: skip
    evaluation = ev(*two_positive_mbbs(), rfa("r1", R1, follow_up=follow), rfa("r2", "2025-09-08"),
                    disability={"instrument": "PROMIS-PI", "score": 70})  # fmt: skip
    assert severities(evaluation, "r2", "MCD-RFA-REPEAT") == expected


def test_the_last_day_of_a_shorter_month_completes_the_month() -> None:
    # 31 Aug -> 28 Feb is six calendar months.
    first = "2025-08-31"
    follow = [{"date": months_after(first, m), "pain": 2} for m in range(1, 7)]
    assert follow[-1]["date"] == "2026-02-28"
    evaluation = ev(*two_positive_mbbs(), rfa("r1", first, follow_up=follow), rfa("r2", "2026-03-02"))
    assert "MCD-RFA-REPEAT" not in rules(evaluation, "r2")
    assert result(evaluation, "r2").meets_criteria


def test_a_diagnostic_ia_injection_carries_kx() -> None:
    # R48: KX on every diagnostic facet injection line, IA or MBB.
    evaluation = ev(ia("a", A, intent="diagnostic", joints=["L5-S1"], side="right", diary=NEGATIVE_DIARY))
    assert code_lines(evaluation, "a") == ["64493-RT-KX x1"]


def test_a_bilateral_rfa_may_be_billed_as_rt_and_lt_lines() -> None:
    evaluation = ev(*two_positive_mbbs(), rfa("r", "2025-02-03"), params={"bilateral_modifier": "RT-LT"})
    assert sorted(code_lines(evaluation, "r")) == sorted(
        ["64635-RT x1", "64636-RT x1", "64635-LT x1", "64636-LT x1"]
    )
