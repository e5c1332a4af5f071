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


# --- The 404 page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "home"),
    [("en", "Page not found", "Go to the home page of"), ("es", "Página no encontrada", "Ir a la página")],
)
@pytest.mark.parametrize("path", ["/no-such-page/", "/c/{slug}/learn/no-such-topic/", "/c/nobody/"])
def test_a_public_address_that_does_not_exist_gets_the_public_404(
    world: World, language: str, heading: str, home: str, path: str
) -> None:
    slug = publish(world.clinic).slug
    response = Client(headers={"accept-language": language}).get(path.format(slug=slug))
    page = response.content.decode()
    assert response.status_code == 404
    assert f'lang="{language}"' in page and heading in page and home in page
    assert f'href="/c/{slug}/"' in page  # the clinic's home
    assert "worklist" not in page.lower() and "/staff/" not in page


def test_a_staff_address_that_does_not_exist_keeps_the_staff_404(world: World) -> None:
    publish(world.clinic)
    client = Client()
    client.force_login(world.users["nurse"])
    page = client.get("/staff/no-such-page/", headers={"accept-language": "es"}).content.decode()
    assert "Back to the worklist" in page and "Page not found" not in page


def test_without_any_clinic_the_404_still_answers(db: None) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
