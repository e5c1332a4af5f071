"""The main flow in Debian's Chromium: sign in, add a patient and assessment, record a block and its diary,
see the decision and sign off. Screenshots (desktop and phone) land in $FACETPATH_SCREENSHOTS if set."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from axe_check import axe_violations
from browsing import shoot
from webfactories import PASSWORD, Clinic, Role, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


pytestmark = [
    pytest.mark.browser,
]


@pytest.mark.django_db(transaction=True)
def test_a_physician_runs_the_first_block_in_the_browser(live_server: object, chromium: object) -> None:
    clinic = Clinic.objects.create(name="Browser Clinic", time_zone="UTC")
    make_user("doc", clinic, Role.PHYSICIAN)
    today = clinic.today()
    base = live_server.url  # type: ignore[attr-defined]
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()  # type: ignore[attr-defined]
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{base}/password-reset/")
    assert axe_violations(page) == [], "password reset"
    page.goto(f"{base}/staff/")
    assert axe_violations(page) == [], "sign-in"
    page.get_by_label("Username").fill("doc")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Worklist").wait_for()
    assert axe_violations(page) == [], "worklist"

    page.get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="Add patient").click()
    page.get_by_label("MRN").fill("BR-1")
    page.get_by_label("Given name").fill("Greta")
    page.get_by_label("Family name").fill("Brandt")
    page.get_by_label("Birth date").fill("1961-04-02")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Greta Brandt").wait_for()

    page.get_by_role("link", name="New assessment").click()
    page.locator("#id_date").fill((today - timedelta(days=20)).isoformat())
    page.get_by_label("Region").select_option("lumbar")
    page.get_by_label("Pain duration (months)").fill("2")
    page.get_by_label("Baseline pain").fill("8")
    page.get_by_label("Mainly axial pain").check()
    page.locator("#id_care_0_modality").fill("physical therapy")
    page.locator("#id_care_0_weeks").fill("10")
    page.locator("#id_care_0_failed").check()
    page.get_by_label("Pregnancy").select_option("no")
    page.locator("#gate").get_by_text("MCD-GATE-DURATION").wait_for()  # live: 2 months is too short
    page.get_by_label("Pain duration (months)").fill("9")
    page.get_by_label("Region").select_option("cervical")  # a change event refreshes the preview
    page.get_by_label("Region").select_option("lumbar")
    page.locator("#gate").get_by_text("Passes patient selection").wait_for()
    page.get_by_label("warfarin").check()
    page.locator("#gate").get_by_text("SAFE-ANTITHROMBOTIC").wait_for()
    shoot(page, "assessment-desktop")
    assert axe_violations(page) == [], "assessment form"
    page.get_by_role("button", name="Save assessment").click()
    page.get_by_text("Assessment saved").wait_for()

    page.get_by_role("link", name="Plan procedure").click()
    page.locator("#id_date").fill((today - timedelta(days=2)).isoformat())
    page.get_by_label("Status").select_option("done")
    page.get_by_label("L4-L5").check()
    page.get_by_label("L5-S1").check()
    page.locator("#preview").get_by_text("L5 dorsal ramus").wait_for()
    page.get_by_label("Agent", exact=True).select_option("lidocaine")
    page.get_by_label("Concentration (%)").fill("2")
    page.get_by_label("Volume per nerve (mL)").fill("0.5")
    page.get_by_label("Pain just before").fill("8")
    page.get_by_label("Pain just before").press("Tab")
    page.locator("#preview").get_by_text("Meets the policy's criteria").wait_for()  # findings for that date
    page.locator("#preview").get_by_text("MCD-LEVELS").wait_for()
    page.locator("#preview").get_by_text("64493").first.wait_for()
    shoot(page, "procedure-form-desktop")
    assert axe_violations(page) == [], "procedure form"
    page.get_by_role("button", name="Save procedure").click()
    page.get_by_text("Procedure saved").wait_for()

    for label, pain in (("15 min", 2), ("30 min", 1), ("1 h", 1), ("2 h", 1), ("3 h", 5), ("4 h", 8)):
        page.get_by_label(label, exact=True).fill(str(pain))
    page.get_by_role("button", name="Save diary").click()
    page.get_by_text("Diary saved").wait_for()
    assert page.locator(".stat").filter(has_text="response").get_by_text("positive").is_visible()
    assert page.get_by_text("87.5 %").first.is_visible()
    page.get_by_role("img", name="Pain score against hours").wait_for()

    page.get_by_role("button", name="Sign off this interpretation").click()
    page.get_by_text("Signed off. The interpretation is frozen").wait_for()
    # The verdict line and the signed copy's summary both name the policy signed under.
    assert page.locator(".verdict.ok").get_by_text("under medicare-lcd").is_visible()
    assert page.locator(".signed-summary").get_by_text("under medicare-lcd").is_visible()
    shoot(page, "result-desktop")
    assert axe_violations(page) == [], "procedure result"
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "result-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Greta Brandt").click()
    timeline = page.locator("ol.timeline")
    timeline.get_by_text("signed").wait_for()
    assert "Assessment" in timeline.inner_text() and "diary: 6 scores" in timeline.inner_text()
    shoot(page, "patient-desktop")
    assert axe_violations(page) == [], "patient page"
    assert errors == []
    # Let the last requests (the pain curve image) finish before the database is flushed.
    page.wait_for_load_state("networkidle")
    page.context.close()
