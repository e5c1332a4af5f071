"""When a diary answer counts for one of the diary's scheduled times, and when it stands on its own.

The diagnosis reads the pain curve against the clock since the block ended, so an answer keeps its own
time. It is *bound* to a scheduled time (the time it answers, which stops that time's reminders) only
inside that time's window below; an answer outside every open window is an *extra* point at its own
elapsed time. Nothing here moves an answer: the curve, relief hours and the evaluation always use the
answer's true elapsed time (`elapsed_minutes`), whatever it was bound to.

The windows are this clinic software's convention, not a published rule: the schedules of
clinical-guidelines §2.15 (every 15 min for the first hour, then hourly to 8 h, then daily) say when to
rate, not how far from that an answer may be. Each window is half the spacing of its schedule, so windows
of neighbouring times never overlap and an answer can only count for the time it was near.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

GUIDELINES = "clinical-guidelines.md"

# A block is not called negative from a diary that stops before this many minutes: a local anaesthetic
# needs minutes to work (§2.9, §4A), and the first hour of the schedule (§2.15) is the least a diary must
# cover before "no relief" means the block did not work rather than that the patient has not answered.
SHORTEST_NEGATIVE_DIARY_MINUTES = 60


class Fit(StrEnum):
    """How an answer stands to the scheduled times; staff see every one but ON_TIME marked."""

    ON_TIME = "on time"
    EARLY = "early"  # bound, before its time by more than the window's on-time margin
    LATE = "late"  # bound, after its time by more than that margin
    EXTRA = "extra"  # outside every open window: a point of its own, bound to no time


@dataclass(frozen=True, slots=True)
class WindowRule:
    """Which answers count for a scheduled time: within `half_width` of it, or, when `local_span` is set,
    within that local clock span of its day. An answer within `on_time` of the time is on time."""

    id: str
    applies_to: str
    half_width: timedelta | None
    local_span: tuple[time, time] | None
    on_time: timedelta | None  # None: any answer inside the window is on time
    why: str
    citation: str


MORNING = (time(6, 0), time(12, 0))
WHOLE_DAY = (time(0, 0), time(23, 59, 59))

WINDOWS: tuple[WindowRule, ...] = (
    WindowRule(
        "DT-FIRST-HOUR", "elapsed times up to 60 min", timedelta(minutes=7), None, timedelta(minutes=2),
        "the first hour's times are 15 min apart: ±7 min keeps neighbouring windows apart",
        f"{GUIDELINES} §2.15",
    ),
    WindowRule(
        "DT-HOURS", "elapsed times over 60 min up to 8 h", timedelta(minutes=30), None, timedelta(minutes=10),
        "the times to 8 h are an hour apart: ±30 min keeps neighbouring windows apart",
        f"{GUIDELINES} §2.15",
    ),
    WindowRule(
        "DT-MORNING", "a diagnostic diary's next-morning and later times that fall in the morning",
        None, MORNING, None,
        "the patient is asked for the next morning: any answer that morning is that morning's",
        f"{GUIDELINES} §2.15",
    ),
    WindowRule(
        "DT-DAY", "a follow-up diary's day-N times", None, WHOLE_DAY, None,
        "a follow-up asks how the day is: any answer on that local day is that day's",
        f"{GUIDELINES} §2.15",
    ),
    WindowRule(
        "DT-LATER", "any other elapsed time (one staff added after 8 h, outside a morning)",
        timedelta(minutes=60), None, timedelta(minutes=15),
        "times this far out are hours apart: an hour either side is still near the time",
        f"{GUIDELINES} §2.15",
    ),
)  # fmt: skip

RULES = {rule.id: rule for rule in WINDOWS}
FIRST_HOUR_MINUTES = 60
HOURLY_UNTIL_MINUTES = 8 * 60


@dataclass(frozen=True, slots=True)
class ScheduledTime:
    """One open time of a diary: `key` is the caller's own (a slot id), `minutes` after the end, `due`."""

    key: int
    minutes: int
    due: datetime  # aware


@dataclass(frozen=True, slots=True)
class Binding:
    """Where an answer goes: the time it counts for (None: an extra point), and how it fits."""

    time: ScheduledTime | None
    fit: Fit
    rule: str  # the window rule that bound it ("" for an extra point)
    minutes_from_time: int | None  # negative: early; None for an extra point


def elapsed_minutes(start: datetime, at: datetime) -> int:
    """Whole minutes from the procedure's end to `at`, to the nearest minute (half a minute rounds up);
    never below 0."""
    seconds = (at - start).total_seconds()
    return max(0, int((seconds + 30) // 60))


def window_rule(scheduled: ScheduledTime, zone: ZoneInfo, follow_up: bool) -> WindowRule:
    """The rule that gives this time its window."""
    if follow_up:
        return RULES["DT-DAY"]
    if scheduled.minutes <= FIRST_HOUR_MINUTES:
        return RULES["DT-FIRST-HOUR"]
    if scheduled.minutes <= HOURLY_UNTIL_MINUTES:
        return RULES["DT-HOURS"]
    local = scheduled.due.astimezone(zone).time()
    if MORNING[0] <= local <= MORNING[1]:
        return RULES["DT-MORNING"]
    return RULES["DT-LATER"]


def window(scheduled: ScheduledTime, zone: ZoneInfo, follow_up: bool) -> tuple[datetime, datetime]:
    """The first and last moment (both included) at which an answer counts for this time."""
    rule = window_rule(scheduled, zone, follow_up)
    if rule.local_span is not None:
        day = scheduled.due.astimezone(zone).date()
        opens, closes = (datetime.combine(day, clock, tzinfo=zone) for clock in rule.local_span)
        return opens, closes
    assert rule.half_width is not None
    return scheduled.due - rule.half_width, scheduled.due + rule.half_width


def bind(at: datetime, open_times: list[ScheduledTime], zone: ZoneInfo, follow_up: bool) -> Binding:
    """The open time whose window holds `at` (the nearest, if two do), or an extra point."""
    inside = [t for t in open_times if _holds(window(t, zone, follow_up), at)]
    if not inside:
        return Binding(None, Fit.EXTRA, "", None)
    chosen = min(inside, key=lambda t: (abs(t.due - at), t.due))
    rule = window_rule(chosen, zone, follow_up)
    off = at - chosen.due
    return Binding(chosen, _fit(off, rule), rule.id, _whole_minutes(off))


def next_open_time(
    at: datetime, open_times: list[ScheduledTime], zone: ZoneInfo, follow_up: bool
) -> ScheduledTime | None:
    """The first open time whose window has not opened yet at `at`: what an early answer is asked to wait
    for. None when `at` is inside an open window or no later time is left."""
    if any(_holds(window(t, zone, follow_up), at) for t in open_times):
        return None
    later = [t for t in open_times if window(t, zone, follow_up)[0] > at]
    return min(later, key=lambda t: t.due, default=None)


def fit_of(at: datetime, scheduled: ScheduledTime | None, zone: ZoneInfo, follow_up: bool) -> Fit:
    """How an answer made at `at` fits the time it is bound to (None: an extra point)."""
    if scheduled is None:
        return Fit.EXTRA
    return _fit(at - scheduled.due, window_rule(scheduled, zone, follow_up))


def _fit(off: timedelta, rule: WindowRule) -> Fit:
    if rule.on_time is None or abs(off) <= rule.on_time:
        return Fit.ON_TIME
    return Fit.EARLY if off < timedelta(0) else Fit.LATE


def _holds(span: tuple[datetime, datetime], at: datetime) -> bool:
    return span[0] <= at <= span[1]


def _whole_minutes(off: timedelta) -> int:
    seconds = off.total_seconds()
    return int(seconds / 60) if seconds >= 0 else -int(-seconds / 60)
