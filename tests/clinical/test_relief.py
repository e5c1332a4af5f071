"""Derived quantities (case-format.md "Derived quantities"): relief, its duration, function, sustained relief."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facetpath.clinical import parse_case
from facetpath.clinical.case import DiaryPoint, Disability
from facetpath.clinical.dates import add_months, months_between
from facetpath.clinical.relief import (
    function_improvement,
    peak_relief,
    reaches,
    relief_fraction,
    relief_hours,
    relief_percent,
    sustained_relief,
)

from .builders import case, follow_ups, rfa


def diary(*pairs: tuple[float, float]) -> tuple[DiaryPoint, ...]:
    return tuple(DiaryPoint(m, p) for m, p in pairs)


def test_relief_is_exact_not_rounded() -> None:
    assert relief_percent(8, 1) == 87.5
    assert relief_percent(8, 2) == 75.0
    assert relief_percent(3, 1) == float(Fraction(200, 3))
    assert relief_percent(None, 1) is None
    assert relief_percent(0, 0) is None  # nothing to relieve


@pytest.mark.parametrize(
    ("pre", "score", "at_80"),
    [
        (10, 2, True),
        (10, 2.1, False),
        (5, 1, True),
        (8, 1.6, True),
        (8, 1.61, False),
        (7.5, 1.5, True),
        (100, 20, True),
        (100, 21, False),
    ],
)
def test_exactly_80_percent_reaches_80_and_a_hair_less_does_not(
    pre: float, score: float, at_80: bool
) -> None:
    assert reaches(pre, score, 80) is at_80


def test_strict_comparison_excludes_the_boundary() -> None:
    assert reaches(10, 7, 30) and not reaches(10, 7, 30, strict=True)
    assert reaches(10, 6.9, 30, strict=True)


def test_worse_pain_is_negative_relief() -> None:
    assert relief_percent(4, 6) == -50.0


def test_peak_relief_is_relief_at_the_lowest_score() -> None:
    assert peak_relief(8, diary((15, 2), (30, 1), (60, 4))) == 87.5
    assert peak_relief(8, None) is None and peak_relief(None, diary((15, 2))) is None


def test_relief_hours_follow_the_spec_example() -> None:
    points = diary((15, 2), (30, 1), (60, 1), (120, 1), (180, 5), (240, 8))
    assert relief_hours(8, points, 80) == 1.5


def test_relief_hours_count_only_the_first_unbroken_run() -> None:
    points = diary((30, 1), (60, 1), (90, 5), (120, 0), (600, 0))
    assert relief_hours(8, points, 80) == 0.5


def test_a_single_point_at_the_threshold_is_zero_hours_and_never_reaching_is_zero() -> None:
    assert relief_hours(8, diary((30, 4), (60, 1), (90, 6)), 80) == 0.0
    assert relief_hours(8, diary((30, 4), (60, 5)), 80) == 0.0


def test_relief_hours_are_null_without_a_diary_or_pre_pain() -> None:
    assert relief_hours(8, None, 80) is None
    assert relief_hours(8, (), 80) is None
    assert relief_hours(None, diary((30, 1)), 80) is None


@given(
    st.integers(1, 10),
    st.lists(
        st.tuples(st.integers(0, 2880), st.integers(0, 10)), min_size=1, max_size=20, unique_by=lambda t: t[0]
    ),
    st.sampled_from([50, 80, 100]),
)
def test_relief_hours_never_exceed_the_diary_span_and_vanish_when_the_peak_misses(
    pre, pairs, threshold
) -> None:  # type: ignore[no-untyped-def]
    points = tuple(sorted(diary(*pairs), key=lambda p: p.minutes))
    hours = relief_hours(pre, points, threshold)
    assert hours is not None and 0 <= hours <= (points[-1].minutes - points[0].minutes) / 60
    peak = peak_relief(pre, points)
    assert peak is not None
    if relief_fraction(pre, min(p.pain for p in points)) < threshold:  # type: ignore[operator]
        assert hours == 0


@given(st.integers(1, 100), st.integers(0, 100))
def test_relief_is_monotonic_and_bounded(pre: int, score: int) -> None:
    relief = relief_fraction(pre, score)
    assert relief is not None and relief <= 100
    assert (relief == 100) == (score == 0)
    if score < 100:
        bigger = relief_fraction(pre, score + 1)
        assert bigger is not None and bigger < relief


@given(st.integers(1, 100), st.integers(0, 100), st.integers(0, 100))
def test_reaching_a_threshold_agrees_with_the_exact_relief(pre: int, score: int, threshold: int) -> None:
    assert reaches(pre, score, threshold) == (relief_fraction(pre, score) >= threshold)  # type: ignore[operator]


def test_function_improvement_on_the_same_instrument_only() -> None:
    assert function_improvement(Disability("ODI", 40), Disability("ODI", 20)) == 50
    assert function_improvement(Disability("ODI", 40), Disability("NDI", 20)) is None
    assert function_improvement(Disability("ODI", 0), Disability("ODI", 0)) is None
    assert function_improvement(None, Disability("ODI", 20)) is None


def test_promis_improvement_is_measured_above_the_population_mean() -> None:
    assert function_improvement(Disability("PROMIS-PI", 70), Disability("PROMIS-PI", 60)) == 50
    assert function_improvement(Disability("PROMIS-PI", 48), Disability("PROMIS-PI", 40)) is None


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [("2025-01-10", "2025-07-10", 6), ("2025-01-10", "2025-07-09", 5), ("2025-01-31", "2025-02-28", 1),
     ("2024-08-31", "2025-02-28", 6), ("2024-02-29", "2025-02-28", 12), ("2025-03-15", "2025-03-14", -1)],
)  # fmt: skip
def test_calendar_months(start: str, end: str, months: int) -> None:
    assert months_between(date.fromisoformat(start), date.fromisoformat(end)) == months


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)), st.integers(-48, 48))
def test_adding_months_and_counting_them_agree(start: date, months: int) -> None:
    later = add_months(start, months)
    assert months_between(start, later) == months if months >= 0 else True
    if months >= 0:
        assert later >= start


def sustained(procedure_json: dict, threshold: int = 50, **assessment):  # type: ignore[no-untyped-def,type-arg]
    parsed = parse_case(case(procedure_json, **assessment))
    return sustained_relief(parsed.procedures[0], parsed.assessment, threshold)


def test_sustained_relief_runs_to_the_last_follow_up_of_the_unbroken_run() -> None:
    entries = follow_ups("2025-02-10", [1, 3, 6]) + follow_ups("2025-02-10", [9], pain=7)
    result = sustained(rfa("r", "2025-02-10", follow_up=entries))
    assert (result.months, result.by_pain_months, result.follow_ups) == (6, 6, 4)


def test_sustained_relief_is_zero_when_the_first_follow_up_misses() -> None:
    entries = follow_ups("2025-02-10", [1], pain=6) + follow_ups("2025-02-10", [3, 6])
    assert sustained(rfa("r", "2025-02-10", follow_up=entries)).months == 0


def test_function_improvement_alone_keeps_the_run_going() -> None:
    entries = follow_ups("2025-02-10", [1, 3], pain=2) + follow_ups("2025-02-10", [6], pain=6, disability=20)
    result = sustained(rfa("r", "2025-02-10", follow_up=entries))  # ODI 44 → 20 is 54.5 % better
    assert (result.months, result.by_pain_months) == (6, 3)


def test_no_follow_up_means_no_sustained_relief() -> None:
    assert sustained(rfa("r", "2025-02-10")) is None


def test_follow_ups_after_the_date_being_judged_do_not_count() -> None:
    entries = follow_ups("2025-02-10", [1, 3, 6, 9])
    parsed = parse_case(case(rfa("r", "2025-02-10", follow_up=entries)))
    as_of = sustained_relief(parsed.procedures[0], parsed.assessment, 50, as_of=date(2025, 5, 20))
    assert as_of is not None and (as_of.months, as_of.follow_ups) == (3, 2)
    assert sustained_relief(parsed.procedures[0], parsed.assessment, 50, as_of=date(2025, 3, 1)) is None


@given(st.integers(1900, 2200), st.integers(1, 12))
def test_days_in_month_agrees_with_the_calendar(year: int, month: int) -> None:
    import calendar

    from facetpath.clinical.dates import days_in_month

    assert days_in_month(year, month) == calendar.monthrange(year, month)[1]


@given(st.integers(1, 100), st.sampled_from([30, 50, 80, 100]))
def test_the_score_at_a_relief_level_reaches_it_and_one_point_more_does_not(pre: int, percent: int) -> None:
    from facetpath.clinical.relief import score_at_relief

    level = score_at_relief(pre, percent)
    assert reaches(pre, level, percent)
    assert not reaches(pre, level + 1, percent)
