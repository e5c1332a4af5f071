"""The public site in Debian's Chromium: read in both languages, send a request without JavaScript, and see it
in the front-desk queue, age, and become a patient. axe-core finds no WCAG 2.1 AA violations on any page.
Screenshots (phone 390 px and desktop 1280 px) land in $FACETPATH_SCREENSHOTS if set."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from axe_check import axe_violations
from browsing import shoot
from django.utils import timezone
from webfactories import PASSWORD, Clinic, Role, make_user

from facetpath.public.demo import load_demo_public
from facetpath.public.models import ContactRequest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [
    pytest.mark.browser,
]


def demo_clinic() -> Clinic:
    clinic = Clinic.objects.create(
        name="Riverside Spine Clinic", time_zone="UTC", phone="555-0199", email="desk@riverside.example",
        address="12 River Road\nSpringfield", insurance_networks="Medicare\nBlue Cross Blue Shield",
    )  # fmt: skip
    load_demo_public(clinic)
    return clinic


@pytest.mark.django_db(transaction=True)
def test_reading_the_site_in_both_languages_without_javascript(live_server: object, chromium: object) -> None:
    demo_clinic()
    base = live_server.url  # type: ignore[attr-defined]
    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = chromium.new_context(viewport=viewport, java_script_enabled=False)  # type: ignore[attr-defined]
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{base}/")
        page.get_by_role("heading", name="Help for neck and back pain").wait_for()
        shoot(page, f"public-home-{label}")
        page.get_by_role("link", name="Low back pain").click()
        page.get_by_role("heading", name="Low back (lumbar) medial branch blocks").wait_for()
        assert page.get_by_role("heading", name="When to call us").is_visible()
        shoot(page, f"public-lumbar-{label}")
        page.get_by_role("button", name="Español").click()  # the switch is a plain form post
        page.get_by_role(
            "heading", name="Bloqueos de la rama medial lumbar (parte baja de la espalda)"
        ).wait_for()
        assert page.locator("html").get_attribute("lang") == "es"
        shoot(page, f"public-lumbar-es-{label}")
        page.get_by_role("link", name="Preguntas", exact=True).click()
        page.get_by_role("heading", name="Seguros que aceptamos").wait_for()
        assert page.get_by_text("Blue Cross Blue Shield").is_visible()
        page.get_by_role("button", name="English").click()
        page.get_by_role("heading", name="Insurance we take").wait_for()
        context.close()


@pytest.mark.django_db(transaction=True)
def test_every_public_page_passes_axe_in_both_languages(live_server: object, chromium: object) -> None:
    demo_clinic()
    base = live_server.url  # type: ignore[attr-defined]
    slug = "riverside-spine-clinic"
    paths = ["/", f"/c/{slug}/learn/overview/", f"/c/{slug}/learn/cervical/", f"/c/{slug}/learn/thoracic/",
             f"/c/{slug}/learn/lumbar/", f"/c/{slug}/faq/", f"/c/{slug}/request/", f"/c/{slug}/ask/",
             f"/c/{slug}/sent/appointment/"]  # fmt: skip
    for language in ("en", "es"):
        context = chromium.new_context(viewport=PHONE, locale=language)  # type: ignore[attr-defined]
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda message, errors=errors: errors.append(message.text) if message.type == "error" else None,
        )
        for path in paths:
            page.goto(f"{base}{path}")
            assert page.locator("html").get_attribute("lang") == language, path
            assert axe_violations(page) == [], (language, path)
        # a form with errors must pass too
        page.goto(f"{base}/c/{slug}/request/")
        page.locator("main form button[type=submit]").click()
        page.locator(".alert").wait_for()
        shoot(page, f"public-request-errors-{language}-phone")
        assert axe_violations(page) == [], (language, "request form with errors")
        assert errors == [], errors  # no CSP refusals, e.g. of the JSON-LD script
        context.close()


@pytest.mark.django_db(transaction=True)
def test_a_request_from_the_site_reaches_the_queue_ages_and_becomes_a_patient(
    live_server: object, chromium: object
) -> None:
    clinic = demo_clinic()
    make_user("desk", clinic, Role.FRONTDESK)
    base = live_server.url  # type: ignore[attr-defined]
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/")
    page.get_by_role("link", name="Request an appointment").first.click()
    page.get_by_label("First name").fill("Greta")
    page.get_by_label("Last name").fill("Brandt")
    page.locator("#id_phone").fill("555-0123")
    page.locator("#id_email").fill("not an address")
    page.get_by_label("Low back").check()
    page.get_by_label("More than 1 year").check()
    page.get_by_label("Best times to call you").fill("Weekday mornings")
    page.get_by_label("Your insurance").fill("Medicare")
    page.get_by_role("group", name="Do you have a referral from a doctor?").get_by_label(
        "No", exact=True
    ).check()
    page.locator("#id_message").fill("It hurts when I stand up.")
    page.get_by_role("button", name="Send my request").click()
    page.get_by_text("Please check these fields:").wait_for()  # named field, the rest kept
    assert page.get_by_label("First name").input_value() == "Greta"
    assert page.get_by_label("Low back").is_checked()
    page.locator("#id_email").fill("greta@example.org")
    page.get_by_label("You may contact me by phone or e-mail about this request.").check()
    shoot(page, "public-request-filled-phone")
    page.get_by_role("button", name="Send my request").click()
    page.get_by_role("heading", name="Thank you. We got your message.").wait_for()
    assert page.get_by_text("We will call you within 24 hours").is_visible()
    shoot(page, "public-sent-phone")
    context.close()

    # 23 hours later it is due soon; the worklist and the queue say so.
    item = ContactRequest.objects.get(given_name="Greta")
    ContactRequest.objects.filter(pk=item.pk).update(
        created_at=timezone.now() - timedelta(hours=23, minutes=59)
    )
    staff = chromium.new_context(viewport=DESKTOP).new_page()  # type: ignore[attr-defined]
    staff.set_default_timeout(10_000)
    staff.goto(f"{base}/staff/")
    staff.get_by_label("Username").fill("desk")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Sign in").click()
    section = staff.locator("section", has=staff.get_by_role("heading", name="Appointment requests overdue"))
    section.get_by_role("link", name="Brandt, Greta").wait_for()
    assert section.locator("li", has_text="Brandt").get_by_text("Due soon").is_visible()
    ContactRequest.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(hours=24))
    staff.reload()
    assert section.locator("li", has_text="Brandt").get_by_text("Overdue").is_visible()
    shoot(staff, "staff-worklist-desktop")
    section.get_by_role("link", name="Open the request queue").click()
    staff.get_by_role("heading", name="Appointment requests and questions").wait_for()
    assert axe_violations(staff) == []
    shoot(staff, "staff-queue-desktop")
    staff.get_by_role("link", name="Brandt, Greta").click()
    staff.get_by_text("Weekday mornings").wait_for()
    assert axe_violations(staff) == []
    shoot(staff, "staff-request-desktop")
    staff.get_by_label("MRN").fill("RS-100")
    staff.get_by_role("button", name="Make patient").click()
    staff.get_by_role("heading", name="Greta Brandt").wait_for()
    assert staff.get_by_text("Added Greta Brandt with a draft assessment to complete.").is_visible()
    shoot(staff, "staff-new-patient-desktop")
    staff.context.close()
