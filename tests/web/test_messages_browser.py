"""In a browser: a clinic without an on-call address is told so, on the settings page and the worklist."""

from __future__ import annotations

import os
from typing import Any

import pytest
from axe_check import axe_violations
from browsing import shoot
from webfactories import PASSWORD, World, start_diary

from facetpath.diary import actions

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in the test's thread

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_without_an_on_call_address_the_admin_and_the_nurse_see_it(
    live_server: Any, chromium: Any, world: World, width: int
) -> None:
    diary, _token = start_diary(world)
    actions.report_warning(diary, ["fever"], "", "warn-browser-1")
    for who, path, shown in [
        ("admin", "/staff/diary/settings/", "No on-call address set"),
        ("nurse", "/staff/", "not e-mailed: no on-call address set"),
    ]:
        context = chromium.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url + path)
        page.get_by_label("Username").fill(world.users[who].username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text(shown).first.wait_for()
        shoot(page, f"no-on-call-{who}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == []
        context.close()
