"""The API's URL patterns, open to requests without a staff session: the token is the credential."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver

from facetpath.api.main import api


def api_urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """`api.urls` with each view marked as needing no sign-in (LoginRequiredMiddleware would send the
    caller to the sign-in page); the docs page and the schema are public, every operation asks for a
    token itself."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        callback: Any = getattr(pattern, "callback", None)
        if callback is not None:
            callback.login_required = False
    return patterns, app_name, namespace
