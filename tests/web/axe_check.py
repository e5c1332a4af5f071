"""axe-core accessibility checks for browser tests (the axe-core build that axe-playwright-python ships)."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.1 A and AA rules: the level the issues ask for.
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def axe_violations(page: Any) -> list[str]:
    """The WCAG 2.1 AA violations on the page as it stands, one line each (empty when it passes)."""
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
    ]
