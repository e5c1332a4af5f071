"""One voice on safety: the after-care sheet and the diary's warning form say the same thing, in the same
words, and a sign that sends the patient to emergency services also gives the clinic's number."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from webfactories import World, start_diary

from facetpath.diary import services
from facetpath.diary.models import Diary, WarningReport


def start(world: World, **procedure: object) -> str:
    """The diary link's token; the clinic has a phone number for the sheet to give."""
    world.clinic.phone = "555-0100"
    world.clinic.save()
    return start_diary(world, **procedure)[1]


def items(page: str, heading: str) -> list[str]:
    """The list items of the sheet's section under `heading`."""
    section = page.split(heading, 1)[1]
    return [html.unescape(text) for text in re.findall(r"<li>(.*?)</li>", section.split("</ul>", 1)[0])]


def labels(page: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r'<label for="id_signs_\d+">(.*?)</label>', page)]


@pytest.mark.parametrize(("agent", "hours"), [("lidocaine", 5), ("bupivacaine", 8)])
def test_the_sheet_and_the_warning_form_use_the_same_words_and_window(
    world: World, agent: str, hours: int
) -> None:
    token = start(world, agent_name=agent)
    client = Client()
    sheet = client.get(f"/d/{token}/discharge/").content.decode()
    form = client.get(f"/d/{token}/warning/").content.decode()
    emergency = items(sheet, "Go to emergency care now if you have")
    call_clinic = items(sheet, "Call the clinic if you have")
    assert labels(form) == emergency[:-1] + call_clinic  # the last emergency line is the call to action
    assert f"For up to {hours} hours, while the numbing medicine works, your legs may feel heavy" in sheet
    assert f"new after the first {hours} hours, or getting worse" in emergency[0]
    assert "Chest pain or trouble breathing" in emergency


def test_an_emergency_answer_also_gives_the_clinics_number(world: World) -> None:
    token = start(world)
    page = Client().post(f"/d/{token}/warning/", {"key": "warn-000009", "signs": ["chest"]}).content.decode()
    assert "Call emergency services (911) now" in page and 'href="tel:911"' in page
    assert "Then let the clinic know: 555-0100." in page and 'href="tel:555-0100"' in page
    report = WarningReport.objects.get()
    assert report.red_flag and report.sign_labels() == ["Chest pain or trouble breathing"]


def test_a_call_the_clinic_answer_is_not_sent_to_emergency_services(world: World) -> None:
    token = start(world)
    page = (
        Client().post(f"/d/{token}/warning/", {"key": "warn-000010", "signs": ["sickness"]}).content.decode()
    )
    assert "Call the clinic now." in page and "Call emergency services (911) now" not in page
    assert not WarningReport.objects.get().red_flag


def test_an_unknown_sign_is_refused_and_keeps_nothing(world: World) -> None:
    token = start(world)
    response = Client().post(f"/d/{token}/warning/", {"key": "warn-000011", "signs": ["dizzy"]})
    assert response.status_code == 400 and "Warning signs:" in response.content.decode()
    assert not WarningReport.objects.exists()


def test_the_sheet_is_the_patients_own_without_naming_them_in_full(world: World) -> None:
    token = start(world)
    sheet = Client().get(f"/d/{token}/discharge/").content.decode()
    assert "For Ada" in sheet and world.patient.family_name not in sheet
    diary = Diary.objects.get()
    ended = services.procedure_end(diary.procedure).astimezone(diary.zone)
    assert f"Your procedure ended on {ended:%-d %b %Y} at {ended:%H:%M}." in sheet
    times = items(sheet, "Your diary times")
    first = diary.slots.first()
    assert first is not None and len(times) == diary.slots.count()
    assert times[0].startswith(f"{first.due_at.astimezone(diary.zone):%-d %b, %H:%M}")
    assert "(15 minutes after)" in times[0]
