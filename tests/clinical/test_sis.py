"""Behaviour of the `sis` policy (Spine Intervention Society / Bogduk comparative blocks), derived from
../shared/reference/clinical-guidelines.md §2 (and §1.18, §1.30 where it is cited) and
../shared/spec/case-format.md.

Every evaluation goes through `checked`, which also asserts that `meets_criteria` is false exactly when a
finding denies, and that warn/info rules never deny.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .builders import (
    NEGATIVE_DIARY,
    POSITIVE_BUPIVACAINE_DIARY,
    POSITIVE_LIDOCAINE_DIARY,
    block,
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

POLICY = "sis"
A, B, C, R = "2025-01-06", "2025-01-21", "2025-02-05", "2025-02-20"


def agent(name: str) -> dict[str, Any]:
    concentration = {"lidocaine": 2, "bupivacaine": 0.5, "ropivacaine": 0.5, "saline": 0.9}[name]
    return {"name": name, "concentration_percent": concentration, "volume_ml_per_nerve": 0.5}


def hours_diary(hours: float, *, pain: float = 1) -> list[dict[str, Any]]:
    """Relief of `pain` from 8 (>= 80 % for pain <= 1.6) from 30 minutes for `hours`, then back to 7."""
    end = 30 + round(hours * 60)
    held = [{"minutes": 30, "pain": pain}] + ([{"minutes": end, "pain": pain}] if end > 30 else [])
    return [{"minutes": 15, "pain": 5}, *held, {"minutes": end + 60, "pain": 7}]


def blk(pid: str, day: str, name: str, hours: float | None = None, **overrides: Any) -> dict[str, Any]:
    """A diagnostic MBB with `name` and, unless `hours` is None, relief lasting `hours`."""
    diary = NEGATIVE_DIARY if hours is None else hours_diary(hours)
    return block(pid, day, agent=agent(name), diary=copy.deepcopy(diary), **overrides)


def ev(*procedures: dict[str, Any], params: dict[str, Any] | None = None, **assessment: Any):  # type: ignore[no-untyped-def]
    return checked(case(*procedures, **assessment), POLICY, **(params or {}))


# --- Patient selection -------------------------------------------------------------------------------


def test_a_typical_patient_is_a_candidate_with_no_findings() -> None:
    evaluation = ev(blk("a", A, "lidocaine", 1.5))
    assert evaluation.candidate
    assert case_rules(evaluation) == []
    assert result(evaluation, "a").meets_criteria


def test_a_non_facet_cause_makes_the_patient_no_candidate() -> None:
    evaluation = ev(non_facet_cause=True)
    assert not evaluation.candidate
    assert case_rules(evaluation, "deny") == ["SIS-GATE-NONFACET"]


@pytest.mark.parametrize("overrides", [{"axial_predominant": False}, {"untreated_radiculopathy": True}])
def test_radiating_or_radicular_pain_is_warned(overrides: dict[str, Any]) -> None:
    evaluation = ev(**overrides)
    assert evaluation.candidate
    assert case_rules(evaluation, "warn") == ["SIS-GATE-AXIAL"]


def test_an_rfa_for_pain_with_a_non_facet_cause_does_not_meet_criteria() -> None:
    # §6.8: other causes must be excluded; case-format.md §2: meets_criteria means meeting the policy's
    # criteria, and `candidate` false says the patient does not.
    evaluation = ev(blk("a", A, "lidocaine", 1.5), blk("b", B, "bupivacaine", 4.5), rfa("r", R),
                    non_facet_cause=True)  # fmt: skip
    assert not evaluation.candidate
    assert not result(evaluation, "r").meets_criteria


# --- Positive threshold (§2.8) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pre", "score", "response"),
    [(10, 2, "positive"), (8, 1.6, "positive"), (10, 2.1, "negative"), (10, 2.01, "negative"), (10, 0, "positive"),
     (10, 5, "negative")],
)  # fmt: skip
def test_a_block_is_positive_at_80_percent_relief_or_more(pre: int, score: float, response: str) -> None:
    points = [
        {"minutes": 30, "pain": score},
        {"minutes": 120, "pain": score},
        {"minutes": 180, "pain": pre - 1},
    ]
    res = result(ev(block("a", A, pre_pain=pre, diary=points)), "a")
    assert res.response == response
    assert res.peak_relief_percent == pytest.approx((pre - score) / pre * 100)
    assert res.relief_hours == (1.5 if response == "positive" else 0)


@pytest.mark.parametrize(("score", "response"), [(0, "positive"), (1, "negative")])
def test_complete_relief_can_be_required(score: float, response: str) -> None:
    # §2.8: the strict SIS standard is 100 % relief (a documented parameter).
    points = [{"minutes": 30, "pain": score}, {"minutes": 120, "pain": score}, {"minutes": 180, "pain": 7}]
    evaluation = ev(block("a", A, pre_pain=10, diary=points), params={"complete_relief_required": True})
    assert result(evaluation, "a").response == response


def test_a_single_block_has_no_fixed_duration_window() -> None:
    # Duration is judged by comparing two blocks (§2.3), not against a fixed window.
    assert result(ev(blk("a", A, "bupivacaine", 0.5)), "a").response == "positive"


def test_a_planned_block_is_pending() -> None:
    assert result(ev(block("a", A, diary=None)), "a").response == "pending"


# --- Comparative blocks (§2.3, §2.5, §2.7) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("lidocaine", 1.5), ("bupivacaine", 4.5)),
        (("bupivacaine", 4.5), ("lidocaine", 1.5)),
        (("lidocaine", 1), ("ropivacaine", 3)),
        (("ropivacaine", 5), ("lidocaine", 0.5)),
        (("lidocaine", 1.5), ("bupivacaine", 1.75)),
    ],
)
def test_concordant_comparative_blocks_are_positive_and_qualify_rfa(
    first: tuple[str, float], second: tuple[str, float]
) -> None:
    evaluation = ev(blk("a", A, *first), blk("b", B, *second), rfa("r", R))
    assert result(evaluation, "b").response == "positive"
    assert "SIS-CONCORDANCE" not in rules(evaluation, "b")
    assert "SIS-COMPARATIVE" not in rules(evaluation, "b")
    assert result(evaluation, "r").meets_criteria
    assert "SIS-RFA-PREREQ" not in rules(evaluation, "r")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("lidocaine", 1.5), ("bupivacaine", 1.5)),  # equal: long-acting must outlast
        (("lidocaine", 3), ("bupivacaine", 2)),
        (("bupivacaine", 1), ("lidocaine", 2)),
        (("bupivacaine", 2), ("lidocaine", 2)),
        (("lidocaine", 4), ("ropivacaine", 3.5)),
    ],
)
def test_discordant_comparative_blocks_do_not_qualify_rfa(
    first: tuple[str, float], second: tuple[str, float]
) -> None:
    # §2.7: lidocaine relief as long as or longer than bupivacaine is not a concordant positive.
    evaluation = ev(blk("a", A, *first), blk("b", B, *second), rfa("r", R))
    assert result(evaluation, "b").response == "discordant"
    assert severities(evaluation, "b", "SIS-CONCORDANCE") == ["warn"]
    assert result(evaluation, "b").meets_criteria
    assert severities(evaluation, "r", "SIS-RFA-PREREQ") == ["deny"]


@pytest.mark.parametrize(("first", "second"), [("lidocaine", "lidocaine"), ("bupivacaine", "bupivacaine"),
                                               ("bupivacaine", "ropivacaine")])  # fmt: skip
def test_a_second_block_with_the_same_duration_class_is_not_a_comparison(first: str, second: str) -> None:
    evaluation = ev(blk("a", A, first, 2), blk("b", B, second, 4), rfa("r", R))
    assert result(evaluation, "b").response == "positive"
    assert severities(evaluation, "b", "SIS-COMPARATIVE") == ["warn"]
    assert severities(evaluation, "r", "SIS-RFA-PREREQ") == ["deny"]


def test_a_single_positive_block_does_not_qualify_rfa() -> None:
    # §2.4: a single block is not a valid diagnosis.
    evaluation = ev(blk("a", A, "lidocaine", 1.5), rfa("r", R))
    assert severities(evaluation, "r", "SIS-RFA-PREREQ") == ["deny"]


@pytest.mark.parametrize(
    "blocks",
    [
        [],
        [blk("a", A, "lidocaine"), blk("b", B, "bupivacaine", 4.5)],
        [blk("a", A, "lidocaine", 1.5), blk("b", B, "bupivacaine")],
        [blk("a", A, "lidocaine", 1.5), block("b", B, agent=agent("bupivacaine"), diary=None)],
    ],
    ids=["no blocks", "first negative", "second negative", "second pending"],
)
def test_rfa_without_two_positive_comparative_blocks_is_denied(blocks: list[dict[str, Any]]) -> None:
    evaluation = ev(*blocks, rfa("r", R))
    assert severities(evaluation, "r", "SIS-RFA-PREREQ") == ["deny"]
    assert not result(evaluation, "r").meets_criteria


def test_comparative_blocks_are_judged_per_site() -> None:
    evaluation = ev(blk("a", A, "lidocaine", 1.5, side="left"), blk("b", B, "bupivacaine", 4.5, side="right"),
                    rfa("r", R, side="left"))  # fmt: skip
    assert severities(evaluation, "r", "SIS-RFA-PREREQ") == ["deny"]


def test_rfa_at_a_side_without_comparative_blocks_is_denied() -> None:
    evaluation = ev(blk("a", A, "lidocaine", 1.5, side="left"), blk("b", B, "bupivacaine", 4.5, side="left"),
                    rfa("r", R, side="bilateral"))  # fmt: skip
    assert severities(evaluation, "r", "SIS-RFA-PREREQ") == ["deny"]


def test_rfa_at_a_subset_of_the_confirmed_joints_is_allowed() -> None:
    evaluation = ev(blk("a", A, "lidocaine", 1.5), blk("b", B, "bupivacaine", 4.5),
                    rfa("r", R, joints=["L5-S1"], side="left"))  # fmt: skip
    assert result(evaluation, "r").meets_criteria


# --- Placebo-controlled blocks (§2.2, §2.4) ----------------------------------------------------------


def test_relief_after_saline_is_a_placebo_response() -> None:
    evaluation = ev(blk("s", A, "saline", 2))
    res = result(evaluation, "s")
    assert res.response == "placebo"
    assert severities(evaluation, "s", "SIS-PLACEBO") == ["warn"]
    assert res.meets_criteria


def test_no_relief_after_saline_is_negative() -> None:
    evaluation = ev(blk("s", A, "saline"))
    assert result(evaluation, "s").response == "negative"
    assert "SIS-PLACEBO" not in rules(evaluation, "s")


@pytest.mark.parametrize(
    ("second", "third"),
    [("lidocaine", "bupivacaine"), ("lidocaine", "lidocaine"), ("bupivacaine", "bupivacaine")],
)
def test_two_positive_anaesthetic_blocks_and_a_negative_saline_block_qualify_rfa(
    second: str, third: str
) -> None:
    # §2.2: relief every time anaesthetic is given and none with saline.
    hours = {"lidocaine": 1.5, "bupivacaine": 4.5}
    evaluation = ev(blk("a", A, second, hours[second]), blk("s", B, "saline"), blk("c", C, third, hours[third]),
                    rfa("r", R))  # fmt: skip
    assert result(evaluation, "s").response == "negative"
    assert "SIS-RFA-PREREQ" not in rules(evaluation, "r")
    assert result(evaluation, "r").meets_criteria


def test_a_negative_saline_block_after_two_positive_lidocaine_blocks_qualifies_rfa() -> None:
    # §2.2 step 3 may be the saline block when step 2 was the anaesthetic.
    evaluation = ev(blk("a", A, "lidocaine", 1.5), blk("b", B, "lidocaine", 1.5), blk("s", C, "saline"),
                    rfa("r", R))  # fmt: skip
    assert result(evaluation, "r").meets_criteria


def test_a_placebo_response_to_saline_blocks_rfa() -> None:
    evaluation = ev(blk("a", A, "lidocaine", 1.5), blk("s", B, "saline", 2), blk("c", C, "bupivacaine", 4.5),
                    rfa("r", R))  # fmt: skip
    assert result(evaluation, "s").response == "placebo"
    assert severities(evaluation, "r", "SIS-RFA-PREREQ") == ["deny"]


def test_one_anaesthetic_block_and_a_negative_saline_block_do_not_qualify_rfa() -> None:
    evaluation = ev(blk("a", A, "lidocaine", 1.5), blk("s", B, "saline"), rfa("r", R))
    assert severities(evaluation, "r", "SIS-RFA-PREREQ") == ["deny"]


# --- Guidance and sedation ---------------------------------------------------------------------------


@pytest.mark.parametrize("guidance", ["fluoroscopy", "ct"])
def test_fluoroscopy_or_ct_guidance_is_accepted(guidance: str) -> None:
    evaluation = ev(blk("a", A, "lidocaine", 1.5, guidance=guidance))
    assert "SIS-GUIDANCE" not in rules(evaluation, "a")


def test_a_block_without_image_guidance_is_denied() -> None:
    # §2.1: blocks must be target-specific.
    evaluation = ev(blk("a", A, "lidocaine", 1.5, guidance="none"))
    assert severities(evaluation, "a", "SIS-GUIDANCE") == ["deny"]


def test_an_ultrasound_guided_block_is_flagged() -> None:
    evaluation = ev(blk("a", A, "lidocaine", 1.5, guidance="ultrasound"))
    assert severities(evaluation, "a", "SIS-GUIDANCE") in (["warn"], ["deny"])


def test_an_rfa_without_image_guidance_is_denied() -> None:
    evaluation = ev(
        blk("a", A, "lidocaine", 1.5), blk("b", B, "bupivacaine", 4.5), rfa("r", R, guidance="none")
    )
    assert severities(evaluation, "r", "SIS-GUIDANCE") == ["deny"]


@pytest.mark.parametrize("sedation", ["moderate", "mac", "general"])
def test_sedation_during_a_diagnostic_block_is_warned_not_denied(sedation: str) -> None:
    # §1.18, §1.32: sedation inflates relief.
    evaluation = ev(blk("a", A, "lidocaine", 1.5, sedation=sedation, sedation_reason="anxiety"))
    assert severities(evaluation, "a", "SIS-SEDATION") == ["warn"]
    assert result(evaluation, "a").meets_criteria


def test_no_sedation_raises_no_sedation_finding() -> None:
    assert "SIS-SEDATION" not in rules(ev(blk("a", A, "lidocaine", 1.5)), "a")


def test_rfa_after_comparative_intra_articular_blocks_is_at_least_warned() -> None:
    # §2 is the doctrine of diagnostic *medial branch* blocks and §1.8 makes the MBB the prognostic block of
    # choice before RFA; an IA-based RFA should at least be flagged, as the consensus policy does.
    lido = ia(
        "a", A, intent="diagnostic", agent=agent("lidocaine"), diary=copy.deepcopy(POSITIVE_LIDOCAINE_DIARY)
    )
    bupi = ia(
        "b",
        B,
        intent="diagnostic",
        agent=agent("bupivacaine"),
        diary=copy.deepcopy(POSITIVE_BUPIVACAINE_DIARY),
    )
    evaluation = ev(lido, bupi, rfa("r", R))
    assert rules(evaluation, "r", "warn") or rules(evaluation, "r", "deny")


# --- Repeat RFA (facetpath default: >= 50 % for >= 6 months) ---------------------------------------------


def repeat(months: list[int] | None, *, pain: float = 4, second: str = "2025-09-22") -> list[dict[str, Any]]:
    follow = None if months is None else follow_ups(R, months, pain=None)
    if follow is not None:
        for entry in follow:
            entry["pain"] = pain
    return [blk("a", A, "lidocaine", 1.5), blk("b", B, "bupivacaine", 4.5), rfa("r1", R, follow_up=follow),
            rfa("r2", second)]  # fmt: skip


@pytest.mark.parametrize(("months", "covered"), [([1, 2, 3, 4, 5, 6], True), ([6], True), ([1, 2, 3, 4, 5], False),
                                                 (None, False)])  # fmt: skip
def test_repeat_rfa_needs_six_months_of_relief(months: list[int] | None, covered: bool) -> None:
    evaluation = ev(*repeat(months))
    assert result(evaluation, "r2").role == "rfa-repeat"
    assert ("SIS-RFA-REPEAT" in rules(evaluation, "r2", "deny")) is not covered
    assert "SIS-RFA-PREREQ" not in rules(evaluation, "r2")


@pytest.mark.parametrize(("pain", "covered"), [(4, True), (4.1, False)])
def test_repeat_rfa_needs_at_least_50_percent_relief(pain: float, covered: bool) -> None:
    evaluation = ev(*repeat([1, 2, 3, 4, 5, 6], pain=pain))
    assert ("SIS-RFA-REPEAT" in rules(evaluation, "r2", "deny")) is not covered


def test_repeat_rfa_cannot_rely_on_follow_ups_after_its_own_date() -> None:
    # case-format.md §2: judged on its date with everything before it.
    evaluation = ev(*repeat([1, 2, 3, 4, 5, 6], second="2025-06-20"))
    assert "deny" in severities(evaluation, "r2", "SIS-RFA-REPEAT")


def test_sis_blocks_carry_no_kx_modifier() -> None:
    evaluation = ev(blk("a", A, "lidocaine", 1.5))
    assert [str(line) for line in result(evaluation, "a").codes] == ["64493-50 x1", "64494-50 x1"]


# --- Open-ended diaries in a comparison (§2.3, §2.7; case-format.md "pending", GEN-DIARY-OPEN) ----------

OPEN_90_MINUTES = [
    {"minutes": 30, "pain": 1},
    {"minutes": 120, "pain": 1},
]  # still relieved at the last score


def test_a_short_acting_block_whose_diary_ended_during_relief_cannot_establish_concordance() -> None:
    # Lidocaine relief lasted at least 1.5 h (the diary stopped while it held); bupivacaine gave 3 h. Whether the
    # long-acting relief outlasted the short-acting one is unknown, so RFA is not yet justified.
    evaluation = ev(
        block("a", A, diary=copy.deepcopy(OPEN_90_MINUTES)), blk("b", B, "bupivacaine", 3), rfa("r", R)
    )
    assert not result(evaluation, "r").meets_criteria


def test_a_long_acting_block_whose_diary_ended_during_relief_is_not_called_discordant() -> None:
    # Bupivacaine relief was still holding at 1.5 h when the diary stopped; lidocaine gave 2 h. The long-acting
    # relief may well have outlasted it: the comparison is pending (add later scores), not discordant.
    evaluation = ev(
        blk("a", A, "lidocaine", 2),
        block("b", B, agent=agent("bupivacaine"), diary=copy.deepcopy(OPEN_90_MINUTES)),
    )
    assert result(evaluation, "b").response == "pending"
    assert severities(evaluation, "b", "GEN-DIARY-OPEN") == ["warn"]
