"""The diary in Debian's Chromium at phone size: offline queue, axe-core, both languages, screenshots.

Screenshots land in $FACETPATH_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import os
import time as clock
from typing import Any

import pytest
from axe_check import axe_violations
from browsing import shoot
from webfactories import PASSWORD, Clinic, World, start_diary

from facetpath.diary import actions
from facetpath.diary.models import Diary, Entry
from facetpath.patients.models import Patient

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
]


def make_diary(world: World, language: str = "en") -> tuple[Diary, str]:
    """The world's patient's diary, its block ended 14 minutes ago: the 15-minute slot is the next one."""
    Clinic.objects.filter(pk=world.clinic.pk).update(name="Riverside Spine Clinic", phone="555-0100")
    Patient.objects.filter(pk=world.patient.pk).update(preferred_language=language)
    world.patient.refresh_from_db()
    return start_diary(
        world,
        ended_minutes_ago=14,
        sedation="moderate",
        painful_movements=["standing-up", "bending-back"],
    )


def wait_for(condition: Any, seconds: float = 10.0) -> bool:
    deadline = clock.monotonic() + seconds
    while clock.monotonic() < deadline:
        if condition():
            return True
        clock.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_an_entry_made_offline_is_sent_once_when_back_online(
    live_server: Any, chromium: Any, world: World
) -> None:
    _diary, token = make_diary(world)
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/d/{token}/")
    page.get_by_role("heading", name="Your pain diary").wait_for()
    shoot(page, "diary-phone-en")
    assert axe_violations(page) == []

    context.set_offline(True)
    page.locator("label[for=pain-0]").click()  # 0 is a real answer
    page.get_by_role("radio", name="Easier").first.check()
    page.get_by_role("button", name="Save my answer").click()
    page.get_by_text("No connection: your answer is kept on this phone").wait_for()
    shoot(page, "diary-phone-offline")
    assert Entry.objects.count() == 0
    assert page.evaluate("Object.keys(localStorage).length") == 1

    context.set_offline(False)  # the page's "online" handler sends the queued answer
    assert wait_for(lambda: Entry.objects.count() == 1)
    page.get_by_text("Saved for").wait_for()
    shoot(page, "diary-phone-saved")
    entry = Entry.objects.get()
    assert entry.pain == 0 and entry.movements == {"standing-up": "easier"}
    # a reload or a second flush never makes a second entry
    page.reload()
    clock.sleep(1)
    assert Entry.objects.count() == 1
    assert page.evaluate("localStorage.getItem(Object.keys(localStorage)[0])") == "[]"
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_diary_works_without_javascript(live_server: Any, chromium: Any, world: World) -> None:
    _diary, token = make_diary(world)
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/d/{token}/")
    page.get_by_role("button", name="Save my answer").click()  # nothing chosen
    page.get_by_text("Pain: Choose a number from 0 to 10").wait_for()
    page.locator("label[for=pain-7]").click()
    page.get_by_role("button", name="Save my answer").click()
    page.get_by_text("Saved for 15 minutes after").wait_for()
    assert Entry.objects.get().pain == 7
    context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "es"])
def test_patient_pages_pass_axe_in_both_languages(
    live_server: Any, chromium: Any, world: World, language: str
) -> None:
    diary, token = make_diary(world, language)
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    base = f"{live_server.url}/d/{token}"
    for name, path in [("diary", "/"), ("discharge", "/discharge/"), ("warning", "/warning/")]:
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == language
        shoot(page, f"{name}-phone-{language}")
        assert axe_violations(page) == [], (name, language)
    page.locator("input[value=weakness]").check()
    page.locator("form button[type=submit]").last.click()
    page.locator(".alert").first.wait_for()
    shoot(page, f"warning-advice-phone-{language}")
    assert axe_violations(page) == []
    actions.revoke_link(diary)
    page.goto(base + "/")
    shoot(page, f"no-link-phone-{language}")
    assert axe_violations(page) == []
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_nurse_starts_the_diary_and_sees_a_warning_on_the_worklist(
    live_server: Any, chromium: Any, world: World
) -> None:
    diary, _token = make_diary(world)
    nurse = world.users["nurse"]
    diary.delete()
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/staff/procedures/{diary.procedure.pk}/")
    page.get_by_label("Username").fill(nurse.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Patient diary").click()
    page.get_by_role("button", name="Start diary").click()
    page.get_by_text("Diary started").wait_for()
    started = Diary.objects.get(procedure=diary.procedure)
    actions.report_warning(started, ["fever"], "", "warn-browser-1")
    page.reload()
    shoot(page, "staff-diary-desktop")
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("heading", name="Diary warning signs").wait_for()
    shoot(page, "staff-worklist-warning")
    assert axe_violations(page) == []
    context.close()
