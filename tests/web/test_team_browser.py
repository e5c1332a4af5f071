"""In Chromium: a clinic admin invites a nurse, who joins from the e-mailed link on a phone. axe-core on both
pages; screenshots (desktop and phone) land in $FACETPATH_SCREENSHOTS if set."""

from __future__ import annotations

import os
import re

import pytest
from axe_check import axe_violations
from browsing import shoot
from django.core import mail
from webfactories import PASSWORD, Clinic, Role, make_user

from facetpath.clinics.models import Membership

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_an_admin_invites_a_nurse_who_joins_from_a_phone(live_server: object, chromium: object) -> None:
    clinic = Clinic.objects.create(name="Browser Clinic", time_zone="UTC")
    make_user("boss", clinic, Role.ADMIN)
    make_user("doc", clinic, Role.PHYSICIAN)
    base = live_server.url  # type: ignore[attr-defined]
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()  # type: ignore[attr-defined]
    page.set_default_timeout(10_000)
    page.goto(f"{base}/staff/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Team").click()
    page.get_by_role("heading", name="Team").wait_for()
    page.get_by_label("E-mail address").fill("rosa.nurse@example.org")
    page.locator("#id_role").select_option("nurse")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to rosa.nurse@example.org").wait_for()
    assert axe_violations(page) == [], "team page"
    shoot(page, "team-desktop")

    link = re.search(r"https?://\S+/join/\S+/", mail.outbox[-1].body)
    assert link
    phone = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()  # type: ignore[attr-defined]
    phone.set_default_timeout(10_000)
    phone.goto(link.group(0))
    phone.get_by_role("heading", name="Join Browser Clinic").wait_for()
    assert axe_violations(phone) == [], "join page"
    shoot(phone, "join-phone")
    phone.get_by_label("First name").fill("Rosa")
    phone.get_by_label("Last name").fill("Medina")
    phone.get_by_label("User name").fill("rmedina")
    phone.locator("#id_password1").fill("a-fine-long-password-9")
    phone.get_by_label("Password again").fill("a-fine-long-password-9")
    phone.get_by_role("button", name="Make my account and join").click()
    phone.get_by_role("heading", name="Worklist").wait_for()
    assert Membership.objects.get(user__username="rmedina").role == Role.NURSE

    page.reload()
    assert page.get_by_role("cell", name="rmedina", exact=True).is_visible()
    shoot(page, "team-after-join")
