"""Issue 14, item 7, on the public site: the 404 page, the diary times, the appointment form, the hours."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from publicfactories import publish
from webfactories import World

from facetpath.procedures.interpretation import DIARY_SCHEDULE_MINUTES
from facetpath.public.content import install_defaults
from facetpath.public.models import EducationPage, Topic

# The sentence that lists the diary's times, in each language: the minutes, then the hours.
DIARY_SENTENCE = {
    "en": r"We ask at ([\d, and]+) minutes, and at ([\d, and]+) hours\. We ask again the next morning",
    "es": r"Le pedimos hacerlo a los ([\d, y]+) minutos, y a la ([\d, y]+) horas\. Y otra vez a la mañana",
}


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def _schedule_said(page: str, language: str) -> list[int]:
    found = re.search(DIARY_SENTENCE[language], page)
    assert found, page
    return _numbers(found[1]) + [h * 60 for h in _numbers(found[2])]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("topic", [Topic.CERVICAL, Topic.THORACIC, Topic.LUMBAR])
def test_each_region_page_states_the_diary_times_the_diary_uses(
    world: World, language: str, topic: str
) -> None:
    slug = publish(world.clinic).slug
    client = Client(headers={"accept-language": language})
    page = client.get(f"/c/{slug}/learn/{topic}/").content.decode()
    assert _schedule_said(page, language) == list(DIARY_SCHEDULE_MINUTES)
    assert "{diary_times}" not in page


def test_the_pages_saved_for_editing_carry_the_same_times(world: World) -> None:
    install_defaults(world.clinic)
    saved = EducationPage.objects.get(clinic=world.clinic, topic=Topic.LUMBAR, language="en")
    assert _schedule_said(saved.body, "en") == list(DIARY_SCHEDULE_MINUTES)
