"""Behaviour of the `consensus-2020` policy, derived from ../shared/reference/clinical-guidelines.md §1
(lumbar 2020 and cervical 2022 multisociety consensus guidelines) and ../shared/spec/case-format.md.

Every evaluation goes through `checked`, which also asserts that `meets_criteria` is false exactly when a
finding denies, and that warn/info rules never deny.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .builders import (
    NEGATIVE_DIARY,
    POSITIVE_LIDOCAINE_DIARY,
    block,
    bupivacaine_block,
    case,
    case_rules,
    checked,
    follow_ups,
    ia,
    result,
    rfa,
    rules,
    severities,
)

POLICY = "consensus-2020"
CERVICAL_LIDOCAINE = {"name": "lidocaine", "concentration_percent": 2, "volume_ml_per_nerve": 0.25}
CERVICAL = {"joints": ["C5-C6", "C6-C7"], "agent": CERVICAL_LIDOCAINE}
A, B, R = "2025-01-06", "2025-01-21", "2025-02-03"


def ev(*procedures: dict[str, Any], params: dict[str, Any] | None = None, **assessment: Any):  # type: ignore[no-untyped-def]
    return checked(case(*procedures, **assessment), POLICY, **(params or {}))


def flat(score: float, *, hours: float = 2) -> list[dict[str, Any]]:
    """A diary holding `score` from 30 minutes for `hours`, then back to most of the pain."""
    end = 30 + round(hours * 60)
    held = [{"minutes": 30, "pain": score}] + ([{"minutes": end, "pain": score}] if end > 30 else [])
    return [*held, {"minutes": end + 60, "pain": 9}]


def cervical_block(pid: str, day: str, **overrides: Any) -> dict[str, Any]:
    return block(pid, day, **{**copy.deepcopy(CERVICAL), **overrides})


# --- Patient selection -------------------------------------------------------------------------------


def test_a_typical_patient_is_a_candidate_with_no_findings() -> None:
    evaluation = ev(block("a", A))
    assert evaluation.candidate
    assert case_rules(evaluation) == []
    assert result(evaluation, "a").meets_criteria


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"non_facet_cause": True}, "CON-GATE-NONFACET"),
        ({"conservative_care": []}, "CON-GATE-CONSERVATIVE"),
        ({"conservative_care": [{"modality": "physical therapy", "weeks": 12, "failed": False}]},
         "CON-GATE-CONSERVATIVE"),
    ],
)  # fmt: skip
def test_a_non_facet_cause_or_no_conservative_care_makes_the_patient_no_candidate(
    overrides: dict[str, Any], rule: str
) -> None:
    evaluation = ev(**overrides)
    assert not evaluation.candidate
    assert rule in case_rules(evaluation, "deny")


def test_radicular_symptoms_exclude_a_cervical_patient() -> None:
    # §1.26: exclude radicular symptoms (cervical).
    evaluation = ev(region="cervical", untreated_radiculopathy=True)
    assert not evaluation.candidate
    assert "CON-GATE-RADICULAR" in case_rules(evaluation, "deny")


def test_radicular_symptoms_only_warn_for_a_lumbar_patient() -> None:
    # §1.3, §7.2: radicular symptoms weakly predict a negative lumbar block.
    evaluation = ev(untreated_radiculopathy=True)
    assert evaluation.candidate
    assert "CON-GATE-RADICULAR" in case_rules(evaluation, "warn")


def test_pain_that_is_not_mainly_axial_is_warned() -> None:
    evaluation = ev(axial_predominant=False)
    assert evaluation.candidate
    assert case_rules(evaluation) == ["CON-GATE-AXIAL"]
    assert case_rules(evaluation, "warn") == ["CON-GATE-AXIAL"]


@pytest.mark.parametrize(("months", "warned"), [(2.9, True), (1, True), (3, False), (12, False)])
def test_lumbar_blocks_are_preferred_after_three_months(months: float, warned: bool) -> None:
    # §1.5: "preferably 3 months", shorter in special cases: a warning, not a denial.
    evaluation = ev(pain_duration_months=months)
    assert evaluation.candidate
    assert ("CON-GATE-DURATION" in case_rules(evaluation, "warn")) is warned


def test_a_short_lumbar_conservative_trial_is_warned_even_after_long_pain() -> None:
    # §1.5: "a 3-month trial of different conservative treatments before facet interventions" (the rule's own
    # summary: "conservative treatment preferably for 3 months"). Two weeks of care is short of that.
    evaluation = ev(
        pain_duration_months=24, conservative_care=[{"modality": "NSAIDs", "weeks": 2, "failed": True}]
    )
    assert "CON-GATE-DURATION" in case_rules(evaluation, "warn")


@pytest.mark.parametrize(("weeks", "warned"), [(5, True), (6, False), (12, False)])
def test_cervical_conservative_care_of_about_six_weeks_is_advised(weeks: int, warned: bool) -> None:
    # §1.24: about 6 weeks, individualised (configurable).
    care = [{"modality": "physical therapy", "weeks": weeks, "failed": True}]
    evaluation = ev(region="cervical", conservative_care=care)
    assert evaluation.candidate
    assert ("CON-GATE-DURATION" in case_rules(evaluation, "warn")) is warned


def test_a_cervical_block_for_a_patient_with_radicular_symptoms_does_not_meet_criteria() -> None:
    # §1.26 excludes radicular symptoms for cervical blocks; case-format.md §2: meets_criteria is whether the
    # procedure meets the policy's criteria, and `candidate` false means the patient does not.
    evaluation = ev(cervical_block("a", A), region="cervical", untreated_radiculopathy=True)
    assert not evaluation.candidate
    assert not result(evaluation, "a").meets_criteria


def test_an_rfa_for_pain_with_a_non_facet_cause_does_not_meet_criteria() -> None:
    # §6.8: red flags / other causes must be excluded before a facet injection.
    evaluation = ev(block("a", A), rfa("r", R), non_facet_cause=True)
    assert not evaluation.candidate
    assert not result(evaluation, "a").meets_criteria
    assert not result(evaluation, "r").meets_criteria


# --- Positive block: >= 50 % lumbar, > 50 % cervical (§1.11, §1.29) --------------------------------------


@pytest.mark.parametrize(("pre", "score", "response"), [(8, 4, "positive"), (10, 5, "positive"),
                                                        (10, 5.1, "negative"), (10, 6, "negative"),
                                                        (8, 0, "positive")])  # fmt: skip
def test_a_lumbar_block_is_positive_at_50_percent_or_more(pre: int, score: float, response: str) -> None:
    evaluation = ev(block("a", A, pre_pain=pre, diary=flat(score)))
    res = result(evaluation, "a")
    assert res.response == response
    assert res.peak_relief_percent == pytest.approx((pre - score) / pre * 100)
    assert res.meets_criteria


@pytest.mark.parametrize(("score", "response"), [(5, "negative"), (4.9, "positive"), (4, "positive"),
                                                 (5.1, "negative")])  # fmt: skip
def test_a_cervical_block_is_positive_only_above_50_percent(score: float, response: str) -> None:
    evaluation = ev(cervical_block("a", A, pre_pain=10, diary=flat(score)), region="cervical")
    assert result(evaluation, "a").response == response


def test_a_cervical_block_at_exactly_50_percent_has_no_hours_above_the_threshold() -> None:
    # case-format.md §2: relief_hours is how long relief stayed at or above the policy's positive threshold,
    # "0 if never reached"; for a cervical block that threshold is more than 50 % (§1.29), which 10 -> 5 never
    # reaches (the response is negative).
    res = result(ev(cervical_block("a", A, pre_pain=10, diary=flat(5)), region="cervical"), "a")
    assert res.response == "negative"
    assert res.relief_hours == 0


@pytest.mark.parametrize("agent", ["lidocaine", "bupivacaine"])
@pytest.mark.parametrize("hours", [0, 0.25, 6])
def test_there_is_no_duration_requirement(agent: str, hours: float) -> None:
    # The guidelines judge the size of relief (§1.11, §1.29), not how long the anaesthetic lasted.
    agent_doc = {"name": agent, "concentration_percent": 2 if agent == "lidocaine" else 0.5,
                 "volume_ml_per_nerve": 0.5}  # fmt: skip
    evaluation = ev(block("a", A, agent=agent_doc, diary=flat(2, hours=hours)))
    res = result(evaluation, "a")
    assert res.response == "positive"
    assert res.relief_hours == pytest.approx(hours)


def test_relief_hours_are_counted_at_the_50_percent_threshold() -> None:
    # 8 -> 4 is 50 %: at the lumbar threshold from 30 to 150 minutes.
    points = [{"minutes": 15, "pain": 5}, {"minutes": 30, "pain": 4}, {"minutes": 150, "pain": 3},
              {"minutes": 210, "pain": 5}]  # fmt: skip
    res = result(ev(block("a", A, diary=points)), "a")
    assert res.relief_hours == 2
    assert res.peak_relief_percent == 62.5


def test_a_block_below_50_percent_is_negative() -> None:
    res = result(ev(block("a", A, diary=NEGATIVE_DIARY)), "a")
    assert res.response == "negative"
    assert res.relief_hours == 0


def test_a_planned_block_is_pending() -> None:
    assert result(ev(block("a", A, diary=None)), "a").response == "pending"


def test_relief_after_saline_is_not_a_positive_block() -> None:
    saline = {"name": "saline", "concentration_percent": 0.9, "volume_ml_per_nerve": 0.5}
    evaluation = ev(block("a", A, agent=saline), rfa("r", R))
    assert result(evaluation, "a").response == "placebo"
    assert "deny" in severities(evaluation, "r", "CON-RFA-PREREQ")


# --- Sedation, guidance, block type ------------------------------------------------------------------


@pytest.mark.parametrize("sedation", ["moderate", "mac", "general"])
def test_sedation_during_a_diagnostic_block_is_warned_not_denied(sedation: str) -> None:
    # §1.10, §1.18, §1.32: not routinely; sedation inflates relief.
    evaluation = ev(block("a", A, sedation=sedation, sedation_reason="anxiety"))
    assert severities(evaluation, "a", "CON-SEDATION") == ["warn"]
    assert result(evaluation, "a").meets_criteria


def test_no_sedation_raises_no_sedation_finding() -> None:
    assert "CON-SEDATION" not in rules(ev(block("a", A)), "a")


@pytest.mark.parametrize(
    ("kind", "cervical", "guidance", "expected"),
    [
        ("mbb", False, "fluoroscopy", []),
        ("mbb", False, "ct", []),
        ("mbb", False, "ultrasound", ["warn"]),  # §1.6: "may be considered in some contexts"
        ("mbb", False, "none", ["deny"]),
        ("mbb", True, "fluoroscopy", []),
        ("mbb", True, "ultrasound", []),  # §1.25: fluoroscopy or ultrasound, Grade A
        ("mbb", True, "none", ["deny"]),
        ("rfa", False, "fluoroscopy", []),  # §1.6: fluoroscopy for RFA
        ("rfa", False, "ct", ["warn"]),
        ("rfa", False, "none", ["deny"]),
        ("rfa", True, "fluoroscopy", []),  # §1.25
        ("rfa", True, "ultrasound", ["warn"]),
        ("ia", False, "ct", []),  # §1.6: CT for IA, fluoroscopy acceptable
        ("ia", False, "fluoroscopy", []),
        ("ia", True, "fluoroscopy", []),  # §1.25: fluoroscopy rather than CT for cervical IA
        ("ia", True, "ct", ["warn"]),
        ("ia", True, "none", ["deny"]),
    ],
)
def test_image_guidance_follows_the_region_and_procedure(
    kind: str, cervical: bool, guidance: str, expected: list[str]
) -> None:
    where = copy.deepcopy(CERVICAL) if cervical else {}
    assessment = {"region": "cervical"} if cervical else {}
    blocks = [block("a", A, **where)]
    if kind == "mbb":
        target = block("x", B, guidance=guidance, **where)
    elif kind == "ia":
        target = ia("x", B, intent="diagnostic", guidance=guidance, diary=copy.deepcopy(POSITIVE_LIDOCAINE_DIARY),
                    **where)  # fmt: skip
    else:
        target = rfa("x", R, guidance=guidance, **({"joints": where["joints"]} if cervical else {}))
    evaluation = ev(*blocks, target, **assessment)
    assert severities(evaluation, "x", "CON-GUIDANCE") == expected
    assert result(evaluation, "x").meets_criteria is ("deny" not in expected)


def test_an_intra_articular_diagnostic_block_is_warned() -> None:
    # §1.7, §1.8, §1.28: MBB rather than IA as the prognostic block.
    evaluation = ev(ia("a", A, intent="diagnostic", diary=copy.deepcopy(POSITIVE_LIDOCAINE_DIARY)))
    assert severities(evaluation, "a", "CON-BLOCK-TYPE") == ["warn"]
    assert result(evaluation, "a").meets_criteria


def test_a_second_diagnostic_block_is_noted_as_not_routinely_needed() -> None:
    # §1.12: dual blocks are "not routinely" needed in practice.
    evaluation = ev(block("a", A), bupivacaine_block("b", B))
    assert "CON-DUAL" not in rules(evaluation, "a")
    assert severities(evaluation, "b", "CON-DUAL") == ["info"]
    assert result(evaluation, "b").meets_criteria


def test_a_second_block_needs_no_interval() -> None:
    evaluation = ev(block("a", A), bupivacaine_block("b", "2025-01-08"))
    assert result(evaluation, "b").meets_criteria


@pytest.mark.parametrize("kind", ["ia", "mbb"])
def test_a_therapeutic_block_is_warned_as_unsupported(kind: str) -> None:
    # §1.16: facet blocks are not supported as long-term treatment.
    procedure = ia("t", B) if kind == "ia" else block("t", B, intent="therapeutic", diary=None)
    evaluation = ev(block("a", A), procedure)
    assert severities(evaluation, "t", "CON-THERAPEUTIC") == ["warn"]
    assert result(evaluation, "t").meets_criteria


# --- RFA prerequisites (§1.8, §1.11, §1.12, §1.29) -----------------------------------------------------


def test_one_positive_mbb_is_enough_for_rfa() -> None:
    evaluation = ev(block("a", A), rfa("r", R))
    res = result(evaluation, "r")
    assert res.role == "rfa-initial"
    assert res.meets_criteria
    assert rules(evaluation, "r") == []


def test_one_positive_cervical_mbb_above_50_percent_is_enough_for_rfa() -> None:
    evaluation = ev(cervical_block("a", A, pre_pain=10, diary=flat(4)), rfa("r", R, joints=CERVICAL["joints"]),
                    region="cervical")  # fmt: skip
    assert result(evaluation, "r").meets_criteria


def test_a_cervical_mbb_at_exactly_50_percent_does_not_qualify_rfa() -> None:
    evaluation = ev(cervical_block("a", A, pre_pain=10, diary=flat(5)), rfa("r", R, joints=CERVICAL["joints"]),
                    region="cervical")  # fmt: skip
    assert severities(evaluation, "r", "CON-RFA-PREREQ") == ["deny"]


@pytest.mark.parametrize(
    "blocks",
    [
        [],
        [block("a", A, diary=NEGATIVE_DIARY)],
        [block("a", A, diary=None)],
        [block("a", A, joints=["L2-L3", "L3-L4"])],
    ],
    ids=["no block", "negative", "pending", "other joints"],
)
def test_rfa_without_a_positive_block_at_its_joints_is_denied(blocks: list[dict[str, Any]]) -> None:
    evaluation = ev(*blocks, rfa("r", R))
    assert severities(evaluation, "r", "CON-RFA-PREREQ") == ["deny"]
    assert not result(evaluation, "r").meets_criteria


def test_rfa_at_an_unblocked_side_is_denied() -> None:
    evaluation = ev(block("a", A, side="left"), rfa("r", R, side="bilateral"))
    assert severities(evaluation, "r", "CON-RFA-PREREQ") == ["deny"]


def test_rfa_at_a_subset_of_the_blocked_joints_is_covered() -> None:
    evaluation = ev(block("a", A), rfa("r", R, joints=["L5-S1"], side="right"))
    assert result(evaluation, "r").meets_criteria


def test_rfa_after_a_positive_intra_articular_block_is_warned_not_denied() -> None:
    # §1.7/§1.8: IA blocks have prognostic value but MBB is the injection of choice.
    evaluation = ev(
        ia("a", A, intent="diagnostic", diary=copy.deepcopy(POSITIVE_LIDOCAINE_DIARY)), rfa("r", R)
    )
    assert "CON-RFA-PREREQ" not in rules(evaluation, "r")
    assert severities(evaluation, "r", "CON-BLOCK-TYPE") == ["warn"]
    assert result(evaluation, "r").meets_criteria


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ({"technique": "thermal", "temperature_c": 80}, []),
        ({"technique": "thermal", "temperature_c": 90}, []),
        ({"technique": "thermal"}, []),
        ({"technique": "thermal", "temperature_c": 79}, ["warn"]),
        ({"technique": "thermal", "temperature_c": 91}, ["warn"]),
        ({"technique": "pulsed"}, ["warn"]),
        ({"technique": "cryo"}, ["warn"]),
        ({"technique": "chemical"}, ["warn"]),
    ],
)
def test_conventional_thermal_rfa_at_80_to_90_degrees_is_advised(
    detail: dict[str, Any], expected: list[str]
) -> None:
    # §1.14: temperature 80-90 C; a technique advice, never a denial.
    evaluation = ev(block("a", A), rfa("r", R, rfa=detail))
    assert severities(evaluation, "r", "CON-RFA-TECHNIQUE") == expected
    assert result(evaluation, "r").meets_criteria


# --- Repeat RFA (§1.13, §1.17, §1.30) --------------------------------------------------------------------


def repeat(
    follow: list[dict[str, Any]] | None, *, pre: int = 10, second: str = "2025-06-02"
) -> list[dict[str, Any]]:
    return [block("a", A), rfa("r1", R, pre_pain=pre, follow_up=follow), rfa("r2", second)]


@pytest.mark.parametrize(("pain", "covered"), [(7, False), (6.9, True), (5, True), (8, False)])
def test_repeat_rfa_needs_more_than_30_percent_relief(pain: float, covered: bool) -> None:
    # §1.30: "more than 30 %"; pre-procedure pain 10, so 7 is exactly 30 % and 6.9 is 31 %.
    follow = [{"date": entry["date"], "pain": pain} for entry in follow_ups(R, [1, 2, 3])]
    evaluation = ev(*repeat(follow))
    assert result(evaluation, "r2").role == "rfa-repeat"
    assert ("CON-RFA-REPEAT" in rules(evaluation, "r2", "deny")) is not covered


@pytest.mark.parametrize(
    ("months", "covered"), [([1, 2, 3], True), ([3], True), ([1, 2], False), ([1], False)]
)
def test_repeat_rfa_needs_three_months_of_relief(months: list[int], covered: bool) -> None:
    evaluation = ev(*repeat(follow_ups(R, months, pain=5)))
    assert ("CON-RFA-REPEAT" in rules(evaluation, "r2", "deny")) is not covered
    assert result(evaluation, "r2").meets_criteria is covered


def test_repeat_rfa_needs_no_new_diagnostic_block() -> None:
    # §1.13, §1.30: no repeat diagnostic MBB before a repeat RFA.
    evaluation = ev(*repeat(follow_ups(R, [1, 2, 3], pain=5)))
    assert "CON-RFA-PREREQ" not in rules(evaluation, "r2")
    assert result(evaluation, "r2").meets_criteria


def test_repeat_rfa_without_follow_up_is_denied() -> None:
    evaluation = ev(*repeat(None))
    assert severities(evaluation, "r2", "CON-RFA-REPEAT") == ["deny"]


@pytest.mark.parametrize(("odi", "covered"), [(30.8, False), (30, True)])
def test_repeat_rfa_may_qualify_by_function_above_30_percent(odi: float, covered: bool) -> None:
    # §1.29: a pain-plus-function composite may judge RFA effectiveness; ODI 44 -> 30.8 is exactly 30 %.
    evaluation = ev(*repeat(follow_ups(R, [1, 2, 3], pain=None, disability=odi)))
    assert ("CON-RFA-REPEAT" in rules(evaluation, "r2", "deny")) is not covered


def test_repeat_rfa_cannot_rely_on_follow_ups_after_its_own_date() -> None:
    # case-format.md §2: judged "on this date, with everything before it"; two months after r1.
    evaluation = ev(*repeat(follow_ups(R, [1, 2, 3], pain=5), second="2025-04-03"))
    assert "deny" in severities(evaluation, "r2", "CON-RFA-REPEAT")


def test_a_facet_cyst_procedure_is_outside_the_guidelines() -> None:
    cyst = {"id": "c", "date": A, "type": "cyst", "joints": ["L4-L5"], "side": "left", "guidance": "fluoroscopy",
            "sedation": "none", "agent": {"name": "lidocaine", "concentration_percent": 2, "volume_ml_per_nerve": 0.5}}  # fmt: skip
    evaluation = ev(cyst, facet_synovial_cyst=True)
    assert severities(evaluation, "c", "CON-CYST") == ["warn"]


def test_consensus_blocks_carry_no_kx_modifier() -> None:
    # KX is a Medicare billing instruction (medicare-lcd.md R48).
    evaluation = ev(block("a", A))
    assert all("KX" not in line.modifiers for line in result(evaluation, "a").codes)
    assert [line.code for line in result(evaluation, "a").codes] == ["64493", "64494"]
