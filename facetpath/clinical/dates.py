"""Calendar arithmetic in whole days and months, the units payer rules are written in."""

from __future__ import annotations

from datetime import date, timedelta

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return _MONTH_DAYS[month - 1] + leap


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month (31 Jan + 1 = 28 Feb)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, days_in_month(year, month + 1)))


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def days_between(start: date, end: date) -> int:
    return (end - start).days


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end. The last day of a shorter month completes the month
    (31 Aug → 28 Feb is 6 months)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    end_of_month = end.day == days_in_month(end.year, end.month)
    if end.day < start.day and not end_of_month:
        months -= 1
    return months
