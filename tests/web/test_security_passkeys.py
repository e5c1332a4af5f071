"""allauth's passkey list answers for a signed-in member (it failed with a 500 while its template's
`humanize` filters were missing from INSTALLED_APPS)."""

from __future__ import annotations

from django.conf import settings
from webfactories import World


def test_the_passkey_list_answers_200_for_a_signed_in_member(world: World) -> None:
    response = world.client_for("physician").get("/account/2fa/webauthn/")
    assert response.status_code == 200


def test_humanize_is_installed_for_allauths_templates() -> None:
    assert "django.contrib.humanize" in settings.INSTALLED_APPS
