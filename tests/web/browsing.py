"""Browser tests: Debian's chromium driven by Playwright (the `chromium` fixture lives in conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# Headless, and no calls home: this machine's network is closed, and Chromium's background traffic
# would otherwise fail loudly at every start.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def shoot(page: object, name: str) -> None:
    """Saves a full-page screenshot when FACETPATH_SCREENSHOTS names a folder, to look at by eye."""
    folder = os.environ.get("FACETPATH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]  (images such as the pain curve)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def signed_in_page(chromium: object, base: str, who: str, width: int, password: str) -> object:
    """A new page of its own browser context, `width` wide (a phone below 600), signed in as `who` and on
    the worklist."""
    height = 844 if width < 600 else 900
    context = chromium.new_context(viewport={"width": width, "height": height}, accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/staff/")
    page.get_by_label("Username").fill(who)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Worklist").wait_for()
    return page
