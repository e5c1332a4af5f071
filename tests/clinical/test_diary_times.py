"""When a diary answer counts for a scheduled time (facetpath.clinical.diary_times): both sides of each
window's edges, and the evaluation that does not call a block negative from answers it never got."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from facetpath.clinical import evaluate_case, parse_case
from facetpath.clinical.diary_times import (
    SHORTEST_NEGATIVE_DIARY_MINUTES,
    WINDOWS,
    Fit,
    ScheduledTime,
    bind,
    elapsed_minutes,
    next_open_time,
    window_rule,
)

NEW_YORK = ZoneInfo("America/New_York")
END = datetime(2027, 3, 10, 14, 0, tzinfo=UTC)  # 10:00 in New York
SECOND = timedelta(seconds=1)


def at_minutes(minutes: int) -> ScheduledTime:
    return ScheduledTime(minutes, minutes, END + timedelta(minutes=minutes))


def test_every_window_rule_has_an_id_a_reason_and_a_citation() -> None:
    assert len({rule.id for rule in WINDOWS}) == len(WINDOWS)
    assert all(rule.why and rule.citation and rule.id.startswith("DT-") for rule in WINDOWS)


@pytest.mark.parametrize(
    ("offset", "bound"),
    [
        (timedelta(minutes=-7), True),  # exactly 7 min early: still 15 min's
        (timedelta(minutes=7), True),  # exactly 7 min late
        (timedelta(minutes=-7) - SECOND, False),  # 7 min and 1 s early: an extra point
        (timedelta(minutes=7) + SECOND, False),  # 7 min and 1 s late
    ],
)
def test_the_first_hours_window_is_seven_minutes_either_side(offset: timedelta, bound: bool) -> None:
    fifteen = at_minutes(15)
    binding = bind(fifteen.due + offset, [fifteen], NEW_YORK, follow_up=False)
    assert (binding.time == fifteen) is bound
    assert binding.fit is ((Fit.EARLY if offset < timedelta(0) else Fit.LATE) if bound else Fit.EXTRA)
    assert binding.rule == ("DT-FIRST-HOUR" if bound else "")
    assert binding.minutes_from_time == (round(offset.total_seconds() / 60) if bound else None)


@pytest.mark.parametrize(
    ("offset", "fit"),
    [
        (timedelta(minutes=2), Fit.ON_TIME),
        (timedelta(minutes=2) + SECOND, Fit.LATE),
        (-timedelta(minutes=2), Fit.ON_TIME),
        (-timedelta(minutes=2) - SECOND, Fit.EARLY),
    ],
)
def test_two_minutes_either_side_of_a_first_hour_time_is_on_time(offset: timedelta, fit: Fit) -> None:
    thirty = at_minutes(30)
    assert bind(thirty.due + offset, [thirty], NEW_YORK, follow_up=False).fit is fit


@pytest.mark.parametrize(
    ("offset", "bound"),
    [
        (timedelta(minutes=30), True),
        (-timedelta(minutes=30), True),
        (timedelta(minutes=30) + SECOND, False),
        (-timedelta(minutes=30) - SECOND, False),
    ],
)
def test_times_to_eight_hours_take_thirty_minutes_either_side(offset: timedelta, bound: bool) -> None:
    for minutes in (120, 480):
        time = at_minutes(minutes)
        assert window_rule(time, NEW_YORK, follow_up=False).id == "DT-HOURS"
        assert (bind(time.due + offset, [time], NEW_YORK, follow_up=False).time == time) is bound


def test_sixty_minutes_is_still_the_first_hour_and_sixty_one_is_not() -> None:
    assert window_rule(at_minutes(60), NEW_YORK, False).id == "DT-FIRST-HOUR"
    assert window_rule(at_minutes(61), NEW_YORK, False).id == "DT-HOURS"


def test_the_next_morning_takes_any_answer_from_six_to_noon_local() -> None:
    morning = datetime(2027, 3, 11, 9, 0, tzinfo=NEW_YORK)
    time = ScheduledTime(1, round((morning - END).total_seconds() / 60), morning)
    assert window_rule(time, NEW_YORK, follow_up=False).id == "DT-MORNING"
    six, noon = morning.replace(hour=6), morning.replace(hour=12)
    for moment, bound in ((six, True), (six - SECOND, False), (noon, True), (noon + SECOND, False)):
        binding = bind(moment, [time], NEW_YORK, follow_up=False)
        assert (binding.time == time) is bound
        assert binding.fit is (Fit.ON_TIME if bound else Fit.EXTRA)


def test_the_morning_follows_the_clinics_clock_across_daylight_saving() -> None:
    # 8 March 2026: New York's clocks go forward at 02:00; the morning is still 06:00-12:00 local.
    morning = datetime(2026, 3, 8, 9, 0, tzinfo=NEW_YORK)
    time = ScheduledTime(1, 17 * 60, morning)
    assert bind(datetime(2026, 3, 8, 6, 0, tzinfo=NEW_YORK), [time], NEW_YORK, False).time == time
    assert bind(datetime(2026, 3, 8, 5, 59, 59, tzinfo=NEW_YORK), [time], NEW_YORK, False).time is None


def test_a_follow_up_day_takes_its_whole_local_day() -> None:
    due = datetime(2027, 3, 17, 9, 0, tzinfo=NEW_YORK)
    time = ScheduledTime(1, 7 * 24 * 60, due)
    midnight = datetime(2027, 3, 17, 0, 0, tzinfo=NEW_YORK)
    assert bind(midnight, [time], NEW_YORK, follow_up=True).time == time
    assert bind(midnight - SECOND, [time], NEW_YORK, follow_up=True).time is None
    assert bind(midnight + timedelta(days=1) - SECOND, [time], NEW_YORK, follow_up=True).time == time
    assert bind(midnight + timedelta(days=1), [time], NEW_YORK, follow_up=True).time is None


def test_a_late_evening_time_staff_added_takes_an_hour_either_side() -> None:
    evening = ScheduledTime(1, 10 * 60, END + timedelta(hours=10))  # 20:00 in New York
    assert window_rule(evening, NEW_YORK, False).id == "DT-LATER"
    assert bind(evening.due + timedelta(minutes=60), [evening], NEW_YORK, False).time == evening
    assert bind(evening.due + timedelta(minutes=60) + SECOND, [evening], NEW_YORK, False).time is None


def test_between_two_windows_the_nearer_time_wins_and_outside_both_nothing_binds() -> None:
    times = [at_minutes(m) for m in (15, 30, 45, 60)]
    assert bind(END + timedelta(minutes=22), times, NEW_YORK, False).time == times[0]
    assert bind(END + timedelta(minutes=23), times, NEW_YORK, False).time == times[1]
    assert bind(END + timedelta(minutes=5), times, NEW_YORK, False).fit is Fit.EXTRA


def test_an_answer_before_the_next_window_is_asked_about_and_one_inside_is_not() -> None:
    times = [at_minutes(m) for m in (15, 30)]
    assert next_open_time(END + timedelta(minutes=5), times, NEW_YORK, False) == times[0]
    assert next_open_time(END + timedelta(minutes=8), times, NEW_YORK, False) is None  # inside 15's
    assert next_open_time(END + timedelta(minutes=8) - SECOND, times, NEW_YORK, False) == times[0]
    assert next_open_time(END + timedelta(minutes=40), times, NEW_YORK, False) is None  # nothing later


def test_elapsed_minutes_round_to_the_nearest_minute() -> None:
    assert elapsed_minutes(END, END + timedelta(minutes=7, seconds=29)) == 7
    assert elapsed_minutes(END, END + timedelta(minutes=7, seconds=30)) == 8
    assert elapsed_minutes(END, END - timedelta(minutes=3)) == 0


def _case(diary: list[dict[str, int]]) -> dict[str, object]:
    return {
        "format": "facetpath.case/1",
        "patient": {"id": "P-1"},
        "assessment": {
            "date": "2027-01-10", "region": "lumbar", "pain_duration_months": 8, "axial_predominant": True,
            "pain_scale": "NRS-11", "baseline_pain": 8,
            "conservative_care": [{"modality": "physical therapy", "weeks": 10, "failed": True}],
            "untreated_radiculopathy": False, "neurogenic_claudication": False, "non_facet_cause": False,
            "facet_synovial_cyst": False,
        },
        "procedures": [{
            "id": "mbb1", "date": "2027-03-10", "type": "mbb", "intent": "diagnostic",
            "joints": ["L4-L5", "L5-S1"], "side": "bilateral", "guidance": "fluoroscopy", "sedation": "none",
            "agent": {"name": "lidocaine", "concentration_percent": 2, "volume_ml_per_nerve": 0.5},
            "pre_pain": 8, "diary": diary,
        }],
    }  # fmt: skip


@pytest.mark.parametrize("last", [SHORTEST_NEGATIVE_DIARY_MINUTES - 1, SHORTEST_NEGATIVE_DIARY_MINUTES])
def test_no_relief_in_a_diary_that_stops_too_soon_is_pending_not_negative(last: int) -> None:
    diary = [{"minutes": 5, "pain": 7}, {"minutes": 7, "pain": 7}, {"minutes": last, "pain": 7}]
    result = evaluate_case(parse_case(_case(diary))).procedures[0]
    short = last < SHORTEST_NEGATIVE_DIARY_MINUTES
    assert result.response == ("pending" if short else "negative")
    assert any(f.rule == "GEN-DIARY-SHORT" for f in result.findings) is short
    if short:
        message = next(f.message for f in result.findings if f.rule == "GEN-DIARY-SHORT")
        assert f"{last} min" in message and f"{SHORTEST_NEGATIVE_DIARY_MINUTES} min" in message
