"""Joints, regions, nerves and targets against clinical-guidelines.md §3A."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facetpath.clinical.anatomy import (
    JOINTS,
    BillingRegion,
    JointError,
    Region,
    nerves_for,
    parse_joint,
    volume_advice,
)

# The reference table, row by row: joint → nerves to block.
NERVES = {
    "C2-C3": ["third occipital nerve"],
    "C3-C4": ["C3 medial branch", "C4 medial branch"],
    "C4-C5": ["C4 medial branch", "C5 medial branch"],
    "C5-C6": ["C5 medial branch", "C6 medial branch"],
    "C6-C7": ["C6 medial branch", "C7 medial branch"],
    "C7-T1": ["C7 medial branch", "C8 medial branch"],
    "T1-T2": ["C8 medial branch", "T1 medial branch"],
    "T2-T3": ["T1 medial branch", "T2 medial branch"],
    "T3-T4": ["T2 medial branch", "T3 medial branch"],
    "T4-T5": ["T3 medial branch", "T4 medial branch"],
    "T5-T6": ["T4 medial branch", "T5 medial branch"],
    "T6-T7": ["T5 medial branch", "T6 medial branch"],
    "T7-T8": ["T6 medial branch", "T7 medial branch"],
    "T8-T9": ["T7 medial branch", "T8 medial branch"],
    "T9-T10": ["T8 medial branch", "T9 medial branch"],
    "T10-T11": ["T9 medial branch", "T10 medial branch"],
    "T11-T12": ["T10 medial branch", "T11 medial branch"],
    "T12-L1": ["T11 medial branch", "T12 medial branch"],
    "L1-L2": ["T12 medial branch", "L1 medial branch"],
    "L2-L3": ["L1 medial branch", "L2 medial branch"],
    "L3-L4": ["L2 medial branch", "L3 medial branch"],
    "L4-L5": ["L3 medial branch", "L4 medial branch"],
    "L5-S1": ["L4 medial branch", "L5 dorsal ramus"],
}


def test_the_joints_are_exactly_c2_c3_to_l5_s1_in_order() -> None:
    assert [joint.name for joint in JOINTS] == list(NERVES)


@pytest.mark.parametrize(("joint", "nerves"), NERVES.items())
def test_each_joint_needs_the_nerves_of_the_reference_table(joint: str, nerves: list[str]) -> None:
    assert [nerve.name for nerve in parse_joint(joint).nerves] == nerves


def test_nerves_of_several_joints_are_cranial_to_caudal_and_not_repeated() -> None:
    joints = [parse_joint("L5-S1"), parse_joint("L4-L5")]
    assert [n.name for n in nerves_for(joints)] == ["L3 medial branch", "L4 medial branch", "L5 dorsal ramus"]
    cervical = [parse_joint("C3-C4"), parse_joint("C2-C3")]
    assert [n.name for n in nerves_for(cervical)] == [
        "third occipital nerve",
        "C3 medial branch",
        "C4 medial branch",
    ]


@pytest.mark.parametrize(
    "text", ["L4-L5", "L4-5", "L4/5", "l4-l5", "L4/L5", " L4 - L5 ", "L4–L5", "l4-5", "L4L5"]
)
def test_lumbar_joint_spellings_are_read_as_l4_l5(text: str) -> None:
    assert parse_joint(text).name == "L4-L5"


@pytest.mark.parametrize(
    ("text", "name"),
    [("L5-S1", "L5-S1"), ("L5/S1", "L5-S1"), ("l5-s1", "L5-S1"), ("C7-T1", "C7-T1"), ("c7/t1", "C7-T1"),
     ("T12-L1", "T12-L1"), ("C2-3", "C2-C3"), ("T9-10", "T9-T10")],
)  # fmt: skip
def test_junctional_and_short_names_are_read(text: str, name: str) -> None:
    assert parse_joint(text).name == name


@pytest.mark.parametrize(
    "text",
    [
        "L4-L6",
        "L6-S1",
        "C1-C2",
        "L5-L4",
        "C7-C8",
        "T12-T13",
        "L5-1",
        "S1-S2",
        "",
        "L4",
        "knee",
        "L45",
        "C0-C1",
    ],
)
def test_impossible_joints_are_errors(text: str) -> None:
    with pytest.raises(JointError, match="is not a facet joint"):
        parse_joint(text)


@given(st.sampled_from(JOINTS), st.sampled_from(["-", "/", " - ", "–"]), st.booleans(), st.booleans())
def test_any_spelling_of_a_real_joint_reads_back_to_it(joint, separator, lower_case, drop_letter) -> None:  # type: ignore[no-untyped-def]
    lower = joint.lower
    if drop_letter and lower[0] == joint.upper[0]:
        lower = lower[1:]
    text = f"{joint.upper}{separator}{lower}"
    assert parse_joint(text.lower() if lower_case else text) == joint


@given(st.sampled_from("CTLS"), st.integers(0, 20), st.sampled_from("CTLS"), st.integers(0, 20))
def test_a_pair_is_a_joint_exactly_when_it_names_neighbouring_vertebrae(a, m, b, n) -> None:  # type: ignore[no-untyped-def]
    name = f"{a}{m}-{b}{n}"
    real = {joint.name for joint in JOINTS}
    if name in real:
        assert parse_joint(name).name == name
    else:
        with pytest.raises(JointError):
            parse_joint(name)


@pytest.mark.parametrize(
    ("joint", "region", "billing"),
    [
        ("C2-C3", Region.CERVICAL, BillingRegion.CERVICAL_THORACIC),
        ("C7-T1", Region.CERVICAL, BillingRegion.CERVICAL_THORACIC),
        ("T1-T2", Region.THORACIC, BillingRegion.CERVICAL_THORACIC),
        ("T12-L1", Region.THORACIC, BillingRegion.CERVICAL_THORACIC),
        ("L1-L2", Region.LUMBAR, BillingRegion.LUMBAR_SACRAL),
        ("L5-S1", Region.LUMBAR, BillingRegion.LUMBAR_SACRAL),
    ],
)
def test_regions_and_billing_regions(joint: str, region: Region, billing: BillingRegion) -> None:
    assert parse_joint(joint).region is region
    assert parse_joint(joint).billing_region is billing


def test_thoracic_targets_are_marked_lower_confidence_and_others_not() -> None:
    for joint in JOINTS:
        for nerve in joint.nerves:
            assert nerve.lower_confidence == nerve.name.startswith("T"), nerve.name


@pytest.mark.parametrize(
    ("joint", "nerve", "words"),
    [
        ("C2-C3", "third occipital nerve", "three points"),
        ("C4-C5", "C5 medial branch", "at the centre"),
        ("C4-C5", "C4 medial branch", "waist of the C4 articular pillar"),
        ("C7-T1", "C8 medial branch", "T1 transverse process"),
        ("T5-T6", "T5 medial branch", "intertransverse space"),
        ("T2-T3", "T2 medial branch", "superolateral corner of the T3 transverse process"),
        ("L4-L5", "L3 medial branch", "L4 superior articular process"),
        ("L5-S1", "L5 dorsal ramus", "sacral ala"),
    ],
)
def test_targets_follow_the_reference(joint: str, nerve: str, words: str) -> None:
    landmarks = {n.name: n.landmark for n in parse_joint(joint).nerves}
    assert words in landmarks[nerve]


def test_advised_volumes_per_nerve_by_region() -> None:
    assert volume_advice(Region.LUMBAR, "mbb").max_ml == 0.5
    assert volume_advice(Region.CERVICAL, "mbb").max_ml == 0.3
    assert volume_advice(Region.CERVICAL, "mbb").advised_ml < 0.3
    assert volume_advice(Region.THORACIC, "mbb").lower_confidence
    assert volume_advice(Region.LUMBAR, "ia").max_ml == 1.5
