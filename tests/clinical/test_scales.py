"""Pain scales: ranges and conversion, the one definition every form and the diary read."""

from __future__ import annotations

from fractions import Fraction

import pytest

from facetpath.clinical.scales import (
    NRS_11,
    PAIN_SCALES,
    VAS_100,
    UnknownPainScale,
    convert_pain,
    pain_scale_label,
    pain_scale_range,
    pain_scale_top,
    rescale_pain,
)


def test_each_scale_has_its_top() -> None:
    assert pain_scale_top(NRS_11) == 10
    assert pain_scale_top(VAS_100) == 100
    assert set(PAIN_SCALES) == {"NRS-11", "VAS-100"}


def test_the_range_runs_from_no_pain_to_the_top() -> None:
    assert list(pain_scale_range(NRS_11)) == list(range(11))
    assert pain_scale_range(VAS_100)[-1] == 100


def test_the_label_names_the_range() -> None:
    assert pain_scale_label(VAS_100) == "VAS-100 scale (0-100)"


def test_an_unknown_scale_is_named_in_the_error() -> None:
    with pytest.raises(UnknownPainScale, match='"VAS-10" is not a pain scale'):
        pain_scale_top("VAS-10")


@pytest.mark.parametrize(("value", "expected"), [(0, 0), (4, 40), (10, 100)])
def test_an_nrs_score_becomes_the_same_share_of_the_vas(value: int, expected: int) -> None:
    assert convert_pain(value, NRS_11, VAS_100) == expected


@pytest.mark.parametrize(("value", "expected"), [(0, 0), (44, 4), (45, 5), (46, 5), (100, 10)])
def test_a_vas_score_rounds_to_the_nearest_nrs_score_halves_up(value: int, expected: int) -> None:
    assert convert_pain(value, VAS_100, NRS_11) == expected


def test_the_same_scale_is_unchanged() -> None:
    assert all(convert_pain(n, NRS_11, NRS_11) == n for n in pain_scale_range(NRS_11))


def test_rescaling_is_exact() -> None:
    assert rescale_pain(4, NRS_11, VAS_100) == 40
    assert rescale_pain(45, VAS_100, NRS_11) == Fraction(9, 2)
