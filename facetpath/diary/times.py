"""The diary's times as the core's window rules read them (facetpath.clinical.diary_times): which time an
answer counts for, whether it comes early enough to ask first, and how each answer is marked for staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from facetpath.clinical import diary_times
from facetpath.clinical.diary_times import Fit
from facetpath.diary.models import Diary, Entry, Slot


def scheduled_times(slots: list[Slot] | list[dict[str, Any]]) -> list[diary_times.ScheduledTime]:
    """Open times as the core reads them, from slots or their rows."""
    return [
        diary_times.ScheduledTime(s["id"], s["minutes"], s["due_at"])
        if isinstance(s, dict)
        else diary_times.ScheduledTime(s.pk, s.minutes, s.due_at)
        for s in slots
    ]


def is_follow_up(diary: Diary) -> bool:
    return diary.kind != Diary.Kind.DIAGNOSTIC


def early_for(diary: Diary, at: datetime, candidates: list[Slot] | None = None) -> Slot | None:
    """The next open time, when an answer at `at` comes well before it (outside every open window, so it
    would be an extra point): the patient is asked to confirm first. None when the answer counts for a
    time, or no later time is left."""
    chosen = (
        list(diary.slots.filter(cancelled=False, entry__isnull=True)) if candidates is None else candidates
    )
    found = diary_times.next_open_time(at, scheduled_times(chosen), diary.zone, is_follow_up(diary))
    return next((slot for slot in chosen if found and slot.pk == found.key), None)


def early_message(diary: Diary, slot: Slot, at: datetime) -> str:
    """ "Your next time is 14:30. Answer now anyway?" (with the date when it is not today)."""
    due = slot.due_at.astimezone(diary.zone)
    if due.date() == at.astimezone(diary.zone).date():
        when = due.strftime("%H:%M")
    else:
        when = _("%(time)s on %(date)s") % {"time": due.strftime("%H:%M"), "date": date_format(due, "j M")}
    return _("Your next time is %(when)s. Answer now anyway?") % {"when": when}


# How staff read each fit, in words (never colour alone) and as the curve's marker.
FIT_LABELS = {
    Fit.ON_TIME: "on time",
    Fit.EARLY: "early",
    Fit.LATE: "late",
    Fit.EXTRA: "extra (no diary time)",
}


@dataclass(frozen=True)
class MarkedAnswer:
    """One answer as the staff sheet lists it: its true time, what it counted for, and its mark."""

    entry: Entry
    elapsed_minutes: int
    fit: str
    label: str

    @property
    def elapsed(self) -> str:
        """ "7 min", "2 h 5 min" after the procedure ended."""
        hours, minutes = divmod(self.elapsed_minutes, 60)
        if not hours:
            return f"{minutes} min"
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"

    @property
    def marked(self) -> bool:
        return self.fit != Fit.ON_TIME


def marked_answers(diary: Diary) -> list[MarkedAnswer]:
    """Every answer of the diary, in the order given, each at its true time and marked."""
    entries = list(diary.entries.select_related("slot").order_by("entered_at", "id"))
    marked = []
    for entry in entries:
        entry.diary = diary
        if entry.slot is not None:
            entry.slot.diary = diary
        fit = Fit(entry.fit)
        marked.append(MarkedAnswer(entry, entry.elapsed_minutes, str(fit), FIT_LABELS[fit]))
    return marked


@dataclass(frozen=True)
class SheetRow:
    """A row of the staff's "Times and answers": a diary time with its answer, or an extra answer."""

    slot: Slot | None
    answer: MarkedAnswer | None
    at: datetime  # the time's due time, or the extra answer's own


def sheet_rows(diary: Diary, slots: list[Slot]) -> list[SheetRow]:
    """Every diary time and every answer, in time order: an extra answer stands on its own row, at its
    own time, between the times it fell between."""
    answers = marked_answers(diary)
    by_slot = {answer.entry.slot_id: answer for answer in answers if answer.entry.slot_id is not None}
    rows = [SheetRow(slot, by_slot.get(slot.pk), slot.due_at) for slot in slots]
    rows += [
        SheetRow(None, answer, answer.entry.entered_at) for answer in answers if answer.entry.slot_id is None
    ]
    return sorted(rows, key=lambda row: row.at)


def curve_marks(diary: Diary | None) -> dict[int, str]:
    """The curve's marks by true elapsed minute: early, late or extra (on-time points are not marked).
    When two answers fall in one minute, the later one's score is the curve's point, and so is its mark."""
    if diary is None:
        return {}
    marks: dict[int, str] = {}
    for answer in marked_answers(diary):
        if answer.fit == Fit.ON_TIME:
            marks.pop(answer.elapsed_minutes, None)
        else:
            marks[answer.elapsed_minutes] = answer.fit
    return marks
