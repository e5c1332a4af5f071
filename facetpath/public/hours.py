"""Opening hours in the reader's language.

Admins type the hours in English, one line per day or group of days ("Monday to Friday: 8 am to 5 pm").
For a reader in another language the day names, the joining words and the times are put in that
language (Django's own day names, its time format for the locale); an English reader sees the lines as typed.
"""

from __future__ import annotations

import re
from datetime import time

from django.utils import formats, translation
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import pgettext

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Full names and the usual three-letter short forms ("Mon", "Tues" is rare enough to leave).
_DAY_INDEX = {name: i for i, name in enumerate(_DAYS)} | {name[:3]: i for i, name in enumerate(_DAYS)}
_CLOCK = r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<half>[ap])\.?\s?m\b\.?"
_TOKEN = re.compile(rf"{_CLOCK}|(?P<word>[A-Za-z]+)", re.IGNORECASE)


def _joining_words() -> dict[str, str]:
    return {
        "to": pgettext("opening hours", "to"),
        "through": pgettext("opening hours", "to"),
        "and": pgettext("opening hours", "and"),
        "closed": pgettext("opening hours", "closed"),
        "noon": formats.time_format(time(12, 0)),
        "midnight": formats.time_format(time(0, 0)),
    }


def _clock(match: re.Match[str]) -> str:
    hour = int(match["hour"]) % 12 + (12 if match["half"].lower() == "p" else 0)
    minute = int(match["minute"] or 0)
    if hour > 23 or minute > 59:
        return match[0]  # not a time after all: leave the admin's text alone
    return formats.time_format(time(hour, minute))


def localized_line(line: str) -> str:
    words = _joining_words()

    def one(match: re.Match[str]) -> str:
        if match["hour"] is not None:
            return _clock(match)
        word = match["word"].lower()
        if word in _DAY_INDEX:
            return str(WEEKDAYS[_DAY_INDEX[word]])
        return words.get(word, match[0])

    return capfirst(_TOKEN.sub(one, line)) or ""


def localized_hours(lines: list[str]) -> list[str]:
    """The hour lines for the active language: as typed in English, translated word by word otherwise."""
    if (translation.get_language() or "en").startswith("en"):
        return lines
    return [localized_line(line) for line in lines]
