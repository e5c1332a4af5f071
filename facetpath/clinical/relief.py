"""Relief arithmetic: the spec's derived quantities (case-format.md §1 "Derived quantities").

Comparisons against a threshold are exact (medicare-lcd.md OQ18: no rounding): integer scores stay
integers, and a decimal score is read as the decimal written, so 8 → 1.6 is exactly 80 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from .case import Assessment, DiaryPoint, Disability, Number, Procedure
from .dates import months_between

Exact = int | Fraction


def exact(value: Number) -> Exact:
    if isinstance(value, int):
        return value
    if value.is_integer():
        return int(value)
    return Fraction(repr(value))  # repr is the shortest decimal that reads back as this float


def relief_fraction(pre_pain: Number, score: Number) -> Fraction | None:
    """(pre − score) / pre × 100 as an exact fraction; None when pre_pain is 0 (nothing to relieve)."""
    pre = exact(pre_pain)
    if pre == 0:
        return None
    return Fraction((pre - exact(score)) * 100) / pre


def relief_percent(pre_pain: Number | None, score: Number) -> float | None:
    if pre_pain is None:
        return None
    fraction = relief_fraction(pre_pain, score)
    return None if fraction is None else float(fraction)


def score_at_relief(pre_pain: Number, percent: Number) -> float:
    """The score that gives exactly `percent` relief from `pre_pain`: scores at or below it reach it."""
    return float(exact(pre_pain) * (100 - exact(percent)) / 100)


def reaches(pre_pain: Number, score: Number, threshold: Exact, strict: bool = False) -> bool:
    """Whether relief at `score` is at or above (strict: above) `threshold` percent."""
    pre = exact(pre_pain)
    if pre <= 0:
        return False
    gained = (pre - exact(score)) * 100
    goal = threshold * pre
    return gained > goal if strict else gained >= goal


def peak_relief(pre_pain: Number | None, diary: tuple[DiaryPoint, ...] | None) -> float | None:
    """Best relief of the index pain in the diary: relief at its lowest score."""
    if pre_pain is None or not diary:
        return None
    return relief_percent(pre_pain, min(point.pain for point in diary))


@dataclass(frozen=True, slots=True)
class ReliefRun:
    """The first unbroken run of diary points at or above a threshold."""

    start_minutes: Number
    end_minutes: Number
    lasts_to_end_of_diary: bool  # relief was still there at the last score: the run may be longer

    @property
    def hours(self) -> float:
        return float(exact(self.end_minutes) - exact(self.start_minutes)) / 60


def relief_run(
    pre_pain: Number, diary: tuple[DiaryPoint, ...], threshold: Exact, strict: bool = False
) -> ReliefRun | None:
    """From the first diary point at or above (strict: above) the threshold to the last consecutive one;
    None if never."""
    start: int | None = None
    for i, point in enumerate(diary):
        if reaches(pre_pain, point.pain, threshold, strict):
            if start is None:
                start = i
        elif start is not None:
            return ReliefRun(diary[start].minutes, diary[i - 1].minutes, lasts_to_end_of_diary=False)
    if start is None:
        return None
    return ReliefRun(diary[start].minutes, diary[-1].minutes, lasts_to_end_of_diary=True)


def relief_hours(
    pre_pain: Number | None, diary: tuple[DiaryPoint, ...] | None, threshold: Exact
) -> float | None:
    """Hours relief stayed at or above the threshold; 0 if never reached; None without a diary or pre_pain."""
    if not diary or pre_pain is None:
        return None
    run = relief_run(pre_pain, diary, threshold)
    return 0.0 if run is None else run.hours


# --- Function and sustained relief -----------------------------------------------------------------

PROMIS_MEAN = 50  # PROMIS T-scores: improvement is measured as distance above the population mean


def function_improvement(baseline: Disability | None, follow_up: Disability | None) -> Fraction | None:
    """(a − f) / a × 100 on one instrument; None when not comparable or no room to improve."""
    if baseline is None or follow_up is None or baseline.instrument != follow_up.instrument:
        return None
    a, f = exact(baseline.score), exact(follow_up.score)
    if baseline.instrument == "PROMIS-PI":
        a, f = a - PROMIS_MEAN, f - PROMIS_MEAN
    if a <= 0:
        return None
    return Fraction((a - f) * 100) / a


@dataclass(frozen=True, slots=True)
class SustainedRelief:
    months: int  # from the procedure date to the last follow-up of the unbroken run; 0 if none
    by_pain_months: int  # the same run counting pain relief alone
    follow_ups: int  # follow-ups on record


def sustained_relief(
    procedure: Procedure,
    assessment: Assessment,
    threshold: Exact,
    strict: bool = False,
    as_of: date | None = None,
) -> SustainedRelief | None:
    """How long relief (or function improvement) stayed at or above the threshold after a therapeutic
    procedure or RFA, from its first follow-up on, counting only follow-ups up to `as_of`. None without
    follow-ups."""
    entries = [e for e in procedure.follow_up or () if as_of is None or e.date <= as_of]
    if not entries:
        return None
    run_end: date | None = None
    pain_end: date | None = None
    pain_run_open = True
    for entry in entries:
        by_pain = (
            entry.pain is not None
            and procedure.pre_pain is not None
            and reaches(procedure.pre_pain, entry.pain, threshold, strict)
        )
        improvement = function_improvement(assessment.disability, entry.disability)
        by_function = improvement is not None and (
            improvement > threshold if strict else improvement >= threshold
        )
        if not (by_pain or by_function):
            break
        run_end = entry.date
        if by_pain and pain_run_open:
            pain_end = entry.date
        else:
            pain_run_open = False

    def span(end: date | None) -> int:
        return 0 if end is None else months_between(procedure.date, end)

    return SustainedRelief(span(run_end), span(pain_end), len(entries))
