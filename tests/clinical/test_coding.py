"""CPT lines and ICD-10 suggestions (medicare-lcd.md R48-R56 and the worked examples of §4.2)."""

from __future__ import annotations

from typing import Any

import pytest

from facetpath.clinical import parse_joint, plan_procedure
from facetpath.clinical.coding import icd10_suggestions

from .builders import block, case, evaluate, ia, result, rfa


def codes(document: dict[str, Any], pid: str, policy: str = "medicare-lcd", **params: Any) -> list[str]:
    return [str(line) for line in result(evaluate(document, policy, **params), pid).codes]


@pytest.mark.parametrize(
    ("procedure", "expected"),
    [
        (block("p", "2025-01-06"), ["64493-50-KX x1", "64494-50-KX x1"]),
        (
            block("p", "2025-01-06", joints=["L3-L4", "L4-L5"], side="right"),
            ["64493-RT-KX x1", "64494-RT-KX x1"],
        ),
        (rfa("p", "2025-01-06"), ["64635-50 x1", "64636-50 x1"]),
        (ia("p", "2025-01-06", joints=["C5-C6"], side="left"), ["64490-LT x1"]),
        (
            block("p", "2025-01-06", joints=["T12-L1", "L1-L2"], side="left"),
            ["64490-LT-KX x1", "64494-LT-KX x1"],
        ),
    ],
)
def test_the_worked_examples_of_the_billing_articles(procedure: dict[str, Any], expected: list[str]) -> None:
    assert codes(case(procedure), "p") == expected


def test_levels_are_counted_by_joint_never_by_nerve() -> None:
    # Three nerves (L3, L4 medial branches, L5 dorsal ramus) are two joints: no 64495.
    assert "64495" not in " ".join(codes(case(block("p", "2025-01-06")), "p"))


def test_third_and_further_levels_take_one_unit_of_the_third_level_code() -> None:
    four = block("p", "2025-01-06", joints=["L2-L3", "L3-L4", "L4-L5", "L5-S1"])
    assert codes(case(four), "p") == ["64493-50-KX x1", "64494-50-KX x1", "64495-50-KX x1"]


def test_further_ablated_joints_are_units_of_the_add_on() -> None:
    three = rfa("p", "2025-01-06", joints=["C4-C5", "C5-C6", "C6-C7"], side="right")
    assert codes(case(three, region="cervical"), "p") == ["64633-RT x1", "64634-RT x2"]


def test_kx_goes_on_diagnostic_injections_only_and_only_under_medicare() -> None:
    assert codes(case(ia("p", "2025-01-06")), "p") == ["64493-50 x1", "64494-50 x1"]
    assert codes(case(block("p", "2025-01-06")), "p", "consensus-2020") == ["64493-50 x1", "64494-50 x1"]


def test_bilateral_can_be_billed_as_rt_and_lt_lines() -> None:
    lines = codes(case(block("p", "2025-01-06", joints=["L4-L5"])), "p", bilateral_modifier="RT-LT")
    assert lines == ["64493-RT-KX x1", "64493-LT-KX x1"]


def test_a_session_continues_the_level_count_across_procedures() -> None:
    document = case(
        block("a", "2025-01-06", joints=["L4-L5"], side="left"),
        block("b", "2025-01-06", joints=["L5-S1"], side="left"),
    )
    assert codes(document, "a") == ["64493-LT-KX x1"]
    assert codes(document, "b") == ["64494-LT-KX x1"]


def test_an_ia_injection_and_an_mbb_at_one_joint_in_one_session_are_one_level() -> None:
    document = case(
        block("a", "2025-01-06", joints=["L4-L5"], side="left"),
        ia("b", "2025-01-06", joints=["L4-L5"], side="left", intent="diagnostic", rfa_unsuitable_reason=None),
    )
    evaluation = evaluate(document)
    assert [str(c) for c in result(evaluation, "b").codes] == []
    assert "CODE-BUNDLED" in [f.rule for f in result(evaluation, "b").findings]


def test_an_ablation_and_a_block_on_one_day_keep_separate_counts() -> None:
    document = case(block("a", "2025-01-06", joints=["L3-L4"]), rfa("r", "2025-01-06", joints=["L4-L5"]))
    assert codes(document, "r") == ["64635-50 x1"]


def test_ultrasound_guidance_takes_the_category_iii_codes() -> None:
    lines = codes(case(block("p", "2025-01-06", guidance="ultrasound")), "p")
    assert lines == ["0216T-50 x1", "0217T-50 x1"]


@pytest.mark.parametrize(
    "procedure",
    [
        block("p", "2025-01-06", guidance="none"),
        rfa("p", "2025-01-06", rfa={"technique": "pulsed", "temperature_c": 42}),
    ],
)
def test_procedures_no_facet_code_fits_are_unlisted(procedure: dict[str, Any]) -> None:
    evaluation = evaluate(case(procedure))
    assert [line.code for line in result(evaluation, "p").codes] == ["64999"]
    assert "CODE-UNLISTED" in [f.rule for f in result(evaluation, "p").findings]


def test_cyst_procedures_get_no_code_and_a_warning() -> None:
    cyst = block("p", "2025-01-06", type="cyst", intent=None, diary=None, joints=["L4-L5"], side="left")
    evaluation = evaluate(case(cyst, facet_synovial_cyst=True))
    assert result(evaluation, "p").codes == []
    assert "CODE-CYST" in [f.rule for f in result(evaluation, "p").findings]


@pytest.mark.parametrize(
    ("joints", "expected"),
    [
        (["C5-C6"], ["M47.812"]),
        (["C7-T1"], ["M47.813"]),
        (["T6-T7"], ["M47.814"]),
        (["T12-L1"], ["M47.815"]),
        (["L3-L4", "L4-L5"], ["M47.816"]),
        (["L4-L5", "L5-S1"], ["M47.816", "M47.817"]),
    ],
)
def test_icd10_suggestions_follow_the_region(joints: list[str], expected: list[str]) -> None:
    suggestions = [code for code, _ in icd10_suggestions(parse_joint(j) for j in joints)]
    assert suggestions == expected
    assert not any(
        code.startswith("M54") for code in suggestions
    )  # symptom codes are not on the covered list


def test_plan_gives_nerves_volumes_and_codes() -> None:
    plan = plan_procedure(["C3-C4", "C2-C3"], side="right", type="mbb")
    assert [n.name for n in plan.nerves] == ["third occipital nerve", "C3 medial branch", "C4 medial branch"]
    assert all(n.volume_ml is not None and n.volume_ml < 0.3 for n in plan.nerves)
    assert [str(c) for c in plan.codes] == ["64490-RT-KX x1", "64491-RT-KX x1"]
    assert any("third occipital" in note for note in plan.notes)


def test_plan_marks_thoracic_targets_and_gives_no_volume_for_rfa() -> None:
    plan = plan_procedure(["T5-T6"], side="left", type="rfa")
    assert all(n.lower_confidence for n in plan.nerves)
    assert all(n.volume_ml is None for n in plan.nerves)
    assert [str(c) for c in plan.codes] == ["64633-LT x1"]


def test_plan_rejects_unknown_values() -> None:
    with pytest.raises(ValueError, match="side"):
        plan_procedure(["L4-L5"], side="both", type="mbb")
