"""Dates read one way: "3 Dec 2026" on English pages, never "Dec. 3, 2026" beside "2026-12-17"."""

from __future__ import annotations

from datetime import date, datetime

from django.template import Context, Template
from django.utils import translation
from webfactories import World, start_diary

from facetpath.diary.services import slot_label


def test_an_unformatted_date_in_a_template_reads_day_month_year() -> None:
    rendered = Template("{{ day }} · {{ moment }}").render(
        Context({"day": date(2026, 12, 3), "moment": datetime(2026, 12, 17, 14, 30)})
    )
    assert rendered == "3 Dec 2026 · 17 Dec 2026 14:30"


def test_a_morning_time_names_its_day_in_words(world: World) -> None:
    diary, _token = start_diary(world)
    morning = diary.slots.filter(minutes__gte=24 * 60).first()
    assert morning is not None
    local = morning.due_at.astimezone(diary.zone)
    assert slot_label(morning) == f"morning of {local.day} {local:%b}"
    with translation.override("es"):
        assert slot_label(morning).startswith(f"mañana del {local.day} ")
