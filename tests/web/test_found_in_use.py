"""Issue 14, item 7, on the staff side and the diary: wording, search, the clinic's time zone."""

from __future__ import annotations

from datetime import time

from django.test import Client
from webfactories import World, make_block

from facetpath.diary import services
from facetpath.diary.models import DiarySettings
from facetpath.procedures.interpretation import DIARY_SCHEDULE_MINUTES


def _spanish_diary(world: World) -> str:
    world.patient.preferred_language = "es"
    world.patient.save()
    DiarySettings.for_clinic(world.clinic)
    DiarySettings.objects.filter(clinic=world.clinic).update(quiet_start=time(0), quiet_end=time(0))
    block = make_block(world.patient, days_ago=0)
    _diary, token = services.start_diary(block, world.users["nurse"])
    return Client().get(f"/d/{token}/").content.decode()


def test_the_spanish_diary_counts_answered_times_not_hours(world: World) -> None:
    page = _spanish_diary(world)
    total = len(DIARY_SCHEDULE_MINUTES) + 2  # the next morning and day 2
    assert f"0 de {total} horarios respondidos." in page
    assert "horas respondidas" not in page
