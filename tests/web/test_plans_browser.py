"""In Chromium: "Plan RFA" on a patient with two positive blocks opens the RFA form ready to save, and the
schedule shows it; the front desk books it on a phone. axe-core on the schedule; screenshots at 390 px and
1280 px land in $FACETPATH_SCREENSHOTS if set."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from axe_check import axe_violations
from browsing import shoot, signed_in_page
from webfactories import (
    GOOD_DIARY,
    PASSWORD,
    Clinic,
    Role,
    make_assessment,
    make_block,
    make_patient,
    make_user,
)

from facetpath.procedures.models import Procedure
from facetpath.procedures.stage import refresh_stage

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_plan_rfa_from_the_next_step_then_book_it(live_server: object, chromium: object) -> None:
    clinic = Clinic.objects.create(name="Browser Clinic", time_zone="UTC")
    make_user("doc", clinic, Role.PHYSICIAN)
    make_user("desk", clinic, Role.FRONTDESK)
    patient = make_patient(clinic)
    make_assessment(patient)
    make_block(patient, days_ago=30, diary=GOOD_DIARY)
    make_block(patient, days_ago=10, diary=GOOD_DIARY)
    refresh_stage(patient)
    base = live_server.url  # type: ignore[attr-defined]

    for width, name in ((1280, "desktop"), (390, "phone")):
        page = signed_in_page(chromium, base, "doc", width, PASSWORD)
        page.goto(f"{base}/staff/patients/{patient.pk}/")  # type: ignore[attr-defined]
        page.get_by_role("link", name="Plan RFA").wait_for()  # type: ignore[attr-defined]
        shoot(page, f"patient-next-step-{name}")
    page.get_by_role("link", name="Plan RFA").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Plan a procedure").wait_for()  # type: ignore[attr-defined]
    page.locator("#id_date").fill((clinic.today() + timedelta(days=8)).isoformat())  # type: ignore[attr-defined]
    page.get_by_role("button", name="Save").click()  # type: ignore[attr-defined]
    page.get_by_text("Procedure saved.").wait_for()  # type: ignore[attr-defined]
    rfa = Procedure.objects.get(type="rfa")
    assert (rfa.status, rfa.joints, rfa.side) == ("planned", ["L4-L5", "L5-S1"], "bilateral")

    for width, name in ((1280, "desktop"), (390, "phone")):
        desk = signed_in_page(chromium, base, "desk", width, PASSWORD)
        desk.get_by_role("link", name="Schedule").click()  # type: ignore[attr-defined]
        desk.goto(f"{base}/staff/schedule/?week={rfa.date.isoformat()}")  # type: ignore[attr-defined]
        desk.get_by_text("Radiofrequency ablation").wait_for()  # type: ignore[attr-defined]
        assert axe_violations(desk) == [], "schedule"
        shoot(desk, f"schedule-{name}")
    desk.locator("input[name=start_time]").fill("10:30")  # type: ignore[attr-defined]
    desk.get_by_role("button", name="Book").click()  # type: ignore[attr-defined]
    desk.get_by_text("Booked for").wait_for()  # type: ignore[attr-defined]
    rfa.refresh_from_db()
    assert rfa.start_time is not None and rfa.start_time.strftime("%H:%M") == "10:30"
