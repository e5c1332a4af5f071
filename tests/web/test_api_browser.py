"""In Chromium: a clinic admin makes an API token (shown once) and revokes it, on a desktop and a phone;
the API's docs page (Swagger UI served from our own static files) runs under the app's
Content-Security-Policy without a single violation and lists the operations. axe-core on the token page;
screenshots land in $FACETPATH_SCREENSHOTS if set."""

from __future__ import annotations

import os
import re

import pytest
from axe_check import axe_violations
from browsing import shoot
from webfactories import PASSWORD, Clinic, Role, make_user

from facetpath.clinics.models import ApiToken
from facetpath.clinics.tokens import hash_token

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_an_admin_makes_and_revokes_a_token(live_server: object, chromium: object) -> None:
    clinic = Clinic.objects.create(name="Browser Clinic", time_zone="UTC")
    make_user("boss", clinic, Role.ADMIN)
    base = live_server.url  # type: ignore[attr-defined]
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        page = chromium.new_context(viewport={"width": width, "height": height}).new_page()  # type: ignore[attr-defined]
        page.set_default_timeout(10_000)
        page.goto(f"{base}/staff/api-tokens/")
        page.get_by_label("Username").fill("boss")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="API tokens").wait_for()
        page.get_by_label("Name").fill(f"EHR nightly ({name})")
        page.locator("#id_scope").select_option("read-write")
        page.get_by_role("button", name="Make token").click()
        secret = page.get_by_label(re.compile("^Secret")).input_value()
        assert ApiToken.objects.get(name=f"EHR nightly ({name})").secret_hash == hash_token(secret)
        assert axe_violations(page) == [], f"token page ({name})"
        shoot(page, f"api-tokens-{name}")
        page.goto(f"{base}/staff/api-tokens/")  # shown once: opening the page again does not show it
        assert secret not in page.content()
        page.get_by_role("button", name=f"Revoke the token EHR nightly ({name})").click()
        page.get_by_text("is revoked").wait_for()
    assert ApiToken.objects.filter(revoked_at=None).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_docs_page_runs_under_the_content_security_policy(live_server: object, chromium: object) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()  # type: ignore[attr-defined]
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(base) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(f"{base}/api/v1/docs")
    page.get_by_text("facetpath API").first.wait_for()
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 12
    assert problems == [], problems  # a CSP violation is a console error
    assert outside == []  # no CDN: every asset from our own static files
    shoot(page, "api-docs-desktop")
