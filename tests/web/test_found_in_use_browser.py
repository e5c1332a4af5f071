"""Issue 14, item 7, in Chromium at phone size: the staff diary sheet fits a 390 px screen.

Screenshots land in $FACETPATH_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from axe_check import axe_violations
from browsing import shoot
from django.test import Client
from django.utils import timezone
from webfactories import PASSWORD, Clinic, Role, make_assessment, make_block, make_patient, make_user

from facetpath.diary import actions

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser]


def _answered_diary() -> tuple[Any, Any]:
    clinic = Clinic.objects.create(name="Riverside Spine Clinic", time_zone="UTC", phone="555-0100")
    patient = make_patient(clinic)
    make_assessment(patient)
    ended = (timezone.now() - timedelta(minutes=14)).time().replace(microsecond=0)
    block = make_block(patient, days_ago=0, end_time=ended, painful_movements=["standing-up", "bending-back"])
    diary, token = actions.start_diary(block, None)
    answer = {
        "key": "key-00000001", "pain": "2", "relief_percent": "70", "took_pain_medicine": "no",
        "move_standing-up": "easier", "move_bending-back": "same",
        "note": "Walked to the car without my cane, which I have not done for a long while.",
    }  # fmt: skip
    assert Client().post(f"/d/{token}/entry/", answer).status_code in (200, 302)
    return diary, make_user("nurse", clinic, Role.NURSE)


@pytest.mark.django_db(transaction=True)
def test_the_staff_diary_sheet_fits_a_phone(live_server: Any, chromium: Any) -> None:
    diary, nurse = _answered_diary()
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/staff/procedures/{diary.procedure.pk}/patient-diary/")
    page.get_by_label("Username").fill(nurse.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Times and answers").wait_for()
    shoot(page, "staff-diary-phone")
    widths = page.eval_on_selector_all("table", "tables => tables.map(t => t.getBoundingClientRect().width)")
    assert widths and max(widths) <= 390, widths
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Each stacked cell still says what it holds.
    relief = page.locator('td[data-label="Relief"]')
    assert relief.inner_text() == "70 %"
    assert relief.evaluate("cell => getComputedStyle(cell, '::before').content") == '"Relief: "'
    assert axe_violations(page) == []
    wide = context.browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[union-attr]
    wide.add_cookies(context.cookies())
    desk = wide.new_page()
    desk.goto(f"{live_server.url}/staff/procedures/{diary.procedure.pk}/patient-diary/")
    assert desk.get_by_role("columnheader", name="Relief").is_visible()  # the full table on a wide screen
    shoot(desk, "staff-diary-desktop-1280")
    wide.close()
    context.close()
