"""True diary times in Debian's Chromium: the phone's early-answer question (with and without JavaScript)
and the staff's marks on the diary sheet and the curve. Screenshots land in $FACETPATH_SCREENSHOTS."""

from __future__ import annotations

import os
import time as clock
from datetime import timedelta
from typing import Any

import pytest
from axe_check import axe_violations
from browsing import shoot
from django.utils import timezone
from webfactories import PASSWORD, Clinic, Role, make_assessment, make_block, make_patient, make_user

from facetpath.diary import actions
from facetpath.diary.models import Diary, Entry

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def diary_ended(minutes_ago: int) -> tuple[Diary, str]:
    """A lidocaine block that ended `minutes_ago` (its date is that moment's, at any hour of the day)."""
    clinic = Clinic.objects.create(name="Riverside Spine Clinic", time_zone="UTC", phone="555-0100")
    patient = make_patient(clinic)
    make_assessment(patient)
    ended = timezone.now() - timedelta(minutes=minutes_ago)
    block = make_block(patient, days_ago=0, date=ended.date(), end_time=ended.time().replace(microsecond=0))
    return actions.start_diary(block, None)


def wait_for(condition: Any, seconds: float = 10.0) -> bool:
    deadline = clock.monotonic() + seconds
    while clock.monotonic() < deadline:
        if condition():
            return True
        clock.sleep(0.2)
    return False


def test_an_early_answer_on_the_phone_asks_first_then_keeps_its_time(live_server: Any, chromium: Any) -> None:
    diary, token = diary_ended(minutes_ago=3)
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/d/{token}/")
    page.get_by_text("Your next time is").wait_for()
    page.locator("label[for=pain-5]").click()
    page.get_by_role("button", name="Save my answer").click()
    page.get_by_text("Answer now anyway?").wait_for()
    shoot(page, "diary-phone-confirm-early")
    assert axe_violations(page) == []
    assert Entry.objects.count() == 0  # nothing kept before the patient says so
    page.get_by_role("button", name="Answer now anyway").click()
    assert wait_for(lambda: Entry.objects.count() == 1)
    page.get_by_text("does not replace a diary time").wait_for()
    shoot(page, "diary-phone-extra-saved")
    entry = Entry.objects.get()
    assert entry.slot is None and entry.pain == 5 and entry.diary_id == diary.pk
    context.close()


def test_wait_drops_the_early_answer(live_server: Any, chromium: Any) -> None:
    _diary, token = diary_ended(minutes_ago=3)
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/d/{token}/")
    page.locator("label[for=pain-5]").click()
    page.get_by_role("button", name="Save my answer").click()
    page.get_by_role("button", name="Wait for my next time").click()
    page.get_by_text("Not saved. Answer again at your next time.").wait_for()
    clock.sleep(0.5)
    assert Entry.objects.count() == 0
    context.close()


def test_without_javascript_the_phone_gets_a_confirm_page(live_server: Any, chromium: Any) -> None:
    _diary, token = diary_ended(minutes_ago=3)
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/d/{token}/")
    page.locator("label[for=pain-6]").click()
    page.get_by_role("button", name="Save my answer").click()
    page.get_by_role("heading", name="Answer now?").wait_for()
    shoot(page, "diary-phone-confirm-early-nojs")  # (axe needs JavaScript: the JS test checks the page)
    page.get_by_role("button", name="Answer now anyway").click()
    page.get_by_text("does not replace a diary time").wait_for()
    assert Entry.objects.get().pain == 6
    context.close()


def _answer(diary: Diary, n: int, minutes: float, pain: int) -> None:
    at = diary.starts_at + timedelta(minutes=minutes)
    data = actions.EntryData(f"key-shot-{n:04d}", pain, None, {}, None, "", at, confirmed_early=True)
    actions.record_answer(diary, data, now=at)


def test_staff_see_early_late_and_extra_answers_marked(live_server: Any, chromium: Any) -> None:
    diary, _token = diary_ended(minutes_ago=180)
    # extra (5 min), early for 15 (8), on time for 30, extra (37), late for 45 (52), on time for 60,
    # extra (80), on time for 2 h, late for 3 h (+25 min)
    for n, (minutes, pain) in enumerate(
        [(5, 6), (8, 2), (30, 1), (37, 1), (52, 1), (60, 1), (80, 2), (120, 2), (205, 5)]
    ):
        if diary.starts_at + timedelta(minutes=minutes) <= timezone.now():
            _answer(diary, n, minutes, pain)
    physician = make_user("physician", diary.procedure.patient.clinic, Role.PHYSICIAN)
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/staff/procedures/{diary.procedure.pk}/patient-diary/")
    page.get_by_label("Username").fill(physician.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Times and answers").wait_for()
    sheet = page.locator("table.diary-answers")
    assert sheet.get_by_text("extra (no diary time)").count() == 3
    assert sheet.get_by_text("early", exact=True).count() == 1
    assert sheet.get_by_text("late", exact=True).count() >= 1
    shoot(page, "staff-diary-sheet-marks")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/staff/procedures/{diary.procedure.pk}/")
    page.get_by_role("heading", name="Pain curve").wait_for()
    assert "(extra)" in (page.locator("section.chart img").get_attribute("alt") or "")
    page.get_by_text("5 min (extra)").wait_for()
    shoot(page, "staff-procedure-curve-marks")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign off this interpretation").click()
    page.get_by_role("heading", name="Findings as signed").wait_for()
    assert page.locator(".signed-summary").get_by_text("first diagnostic block").count() == 1
    shoot(page, "staff-procedure-signed-summary")
    assert axe_violations(page) == []
    context.close()
