"""Issue 14, item 7, on the public site: the 404 page, the diary times, the appointment form, the hours."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from publicfactories import good_request, make_request, publish
from webfactories import World

from facetpath.clinical.schedule import DIARY_SCHEDULE_MINUTES
from facetpath.patients.models import Patient
from facetpath.public.content import install_defaults
from facetpath.public.models import ContactRequest, EducationPage, Topic

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


# --- The appointment form: a phone or an e-mail, and the date of birth ---------------------------------


def _send(world: World, language: str = "en", **fields: str) -> tuple[int, str]:
    slug = publish(world.clinic).slug
    client = Client(headers={"accept-language": language})
    response = client.post(reverse("public:request", args=[slug]), good_request(**fields))
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("kept", [{"email": ""}, {"phone": ""}])
def test_a_phone_or_an_email_is_enough(world: World, kept: dict[str, str]) -> None:
    status, _page = _send(world, **kept)
    assert status == 302
    assert ContactRequest.objects.get().kind == "appointment"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Please give a phone number or an e-mail address (or both)"),
        ("es", "Escriba un número de teléfono o un correo electrónico (o los dos)"),
    ],
)
def test_neither_phone_nor_email_names_both_and_keeps_the_rest(
    world: World, language: str, message: str
) -> None:
    status, page = _send(world, language, phone="", email="", birth_date="1960-04-23")
    assert status == 200 and message in page
    assert 'value="Rosa"' in page and 'value="1960-04-23"' in page and "It hurts when I stand." in page
    assert not ContactRequest.objects.exists()


def test_the_form_asks_the_date_of_birth_without_demanding_it(world: World) -> None:
    slug = publish(world.clinic).slug
    page = Client().get(reverse("public:request", args=[slug])).content.decode()
    assert 'name="birth_date"' in page and 'type="date"' in page and "Date of birth</label>" in page
    assert _send(world, birth_date="")[0] == 302
    assert ContactRequest.objects.get().birth_date is None


@pytest.mark.parametrize(
    ("born", "accepted"),
    [("1900-01-01", True), ("1899-12-31", False), ("today", True), ("tomorrow", False)],
)
def test_the_date_of_birth_lies_between_1900_and_today(world: World, born: str, accepted: bool) -> None:
    today = world.clinic.today()
    value = {"today": today, "tomorrow": today + timedelta(days=1)}.get(born, born)
    status, page = _send(world, birth_date=str(value))
    assert (status == 302) is accepted
    if not accepted:
        assert "Date of birth:" in page and "The date of birth cannot be" in page


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Date of birth: The date of birth cannot be in the future."),
        ("es", "Fecha de nacimiento: La fecha de nacimiento no puede estar en el futuro."),
    ],
)
def test_a_wrong_date_of_birth_is_named_in_the_readers_language(
    world: World, language: str, message: str
) -> None:
    tomorrow = world.clinic.today() + timedelta(days=1)
    assert message in _send(world, language, birth_date=tomorrow.isoformat())[1]
    assert "Date of birth:" in _send(world, "en", birth_date="not a date")[1]


def test_the_patient_made_from_a_request_carries_the_date_of_birth(world: World) -> None:
    item = make_request(world.clinic, birth_date=date(1958, 7, 2))
    client = world.client_for("frontdesk")
    assert "2 Jul 1958" in client.get(reverse("request-detail", args=[item.pk])).content.decode()
    client.post(reverse("request-make-patient", args=[item.pk]), {"mrn": "A-58"})
    assert Patient.objects.get(mrn="A-58").birth_date == date(1958, 7, 2)


# --- Opening hours in the reader's language ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        (
            "es",
            ["Lunes a viernes: 08:00 a 17:00", "Sábado: 09:00 a 12:30", "Domingo: cerrado"],
            ["Monday", "pm"],
        ),
        ("en", ["Monday to Friday: 8 am to 5 pm", "Saturday: 9 am to 12:30 pm", "Sunday: closed"], ["Lunes"]),
    ],
)
def test_opening_hours_read_in_the_readers_language(
    world: World, language: str, shown: list[str], not_shown: list[str]
) -> None:
    profile = publish(world.clinic)
    profile.hours = "Monday to Friday: 8 am to 5 pm\nSaturday: 9 am to 12:30 pm\nSunday: closed"
    profile.save()
    client = Client(headers={"accept-language": language})
    for path in (f"/c/{profile.slug}/", f"/c/{profile.slug}/request/", f"/c/{profile.slug}/faq/"):
        footer = client.get(path).content.decode().split('<footer class="site">')[1]
        assert all(line in footer for line in shown), (path, footer)
        assert not any(word in footer for word in not_shown), path
