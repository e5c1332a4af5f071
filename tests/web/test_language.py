"""Patient-facing pages speak English or Spanish; the staff workspace stays in English."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from webfactories import World

from facetpath.clinics.language import use_patient_language


def render_patient_frame(request: HttpRequest) -> str:
    template = engines["django"].from_string(
        '{% extends "patient/base.html" %}{% block title %}T{% endblock %}'
    )
    return template.render({"clinic_name": "Clinic A"}, request)


def test_the_language_switch_works_without_signing_in_and_sets_a_cookie(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_the_patient_frame_speaks_the_chosen_language() -> None:
    request = RequestFactory().get("/")
    with translation.override("es"):
        page = render_patient_frame(request)
    assert '<html lang="es">' in page and "Ir al contenido" in page
    assert 'value="en" lang="en">English</button>' in page  # offers the other language


def test_a_patients_preferred_language_applies_unless_the_visitor_chose_one() -> None:
    factory = RequestFactory()
    with translation.override("en"):
        assert use_patient_language(factory.get("/"), "es") == "es"
    chose_english = factory.get("/")
    chose_english.COOKIES[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("es"):
        assert use_patient_language(chose_english, "es") == "en"
    with translation.override("en"):
        assert use_patient_language(factory.get("/"), "fr") == "en"  # unsupported: left as it was


def test_staff_pages_stay_english_for_a_spanish_browser(world: World) -> None:
    client = world.client_for("physician")
    page = client.get(reverse("worklist"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en">' in page and "Worklist" in page
