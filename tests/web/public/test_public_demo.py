"""The demo content for the public site."""

from __future__ import annotations

from django.test import Client
from webfactories import World

from facetpath.public.demo import load_demo_public
from facetpath.public.models import ContactRequest, EducationPage, Timeliness


def test_demo_loads_a_profile_pages_and_requests_of_every_state_once(world: World) -> None:
    load_demo_public(world.clinic)
    load_demo_public(world.clinic)  # again: nothing doubles
    assert EducationPage.objects.filter(clinic=world.clinic).count() == 10  # 5 topics x 2 languages
    items = list(ContactRequest.objects.filter(clinic=world.clinic))
    assert len(items) == 7
    states = {item.timeliness() for item in items}
    assert states == {Timeliness.ON_TIME, Timeliness.DUE_SOON, Timeliness.OVERDUE, Timeliness.ANSWERED}
    assert {item.status for item in items} == {"new", "contacted", "scheduled", "declined"}
    assert any(item.kind == "question" for item in items)
    page = Client().get("/").content.decode()
    assert "Monday to Friday" in page and world.clinic.name in page
