"""A passkey in Chromium: its virtual authenticator (DevTools' WebAuthn domain) stands in for a phone or a
security key. A physician whose clinic requires a second factor enrols a passkey, signs out, and signs in
with the password and the passkey, under the app's Content-Security-Policy."""

from __future__ import annotations

import os

import pytest
from allauth.mfa.models import Authenticator
from browsing import shoot
from webfactories import PASSWORD, Clinic, Role, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_a_physician_required_to_use_a_second_factor_enrols_a_passkey(
    live_server: object, chromium: object
) -> None:
    clinic = Clinic.objects.create(name="Passkey Clinic", time_zone="UTC", mfa_required_roles=["physician"])
    doc = make_user("doc", clinic, Role.PHYSICIAN)
    base = live_server.url  # type: ignore[attr-defined]  (http://localhost:…: a passkey needs a name)
    assert base.startswith("http://localhost:")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    authenticator = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("doc")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Your clinic asks staff in your role to use a second factor").wait_for()
    page.goto(f"{base}/staff/")  # nothing else opens until enrolled
    page.get_by_text("Your clinic asks staff in your role to use a second factor").wait_for()
    shoot(page, "mfa-enrol")

    page.goto(f"{base}/account/2fa/webauthn/add/")
    page.get_by_label("Password").fill(PASSWORD)  # asked again before a factor is added
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill("Work laptop")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=doc, type=Authenticator.Type.WEBAUTHN).count() == 1
    credentials = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(credentials) == 1
    page.goto(f"{base}/staff/")
    page.get_by_role("heading", name="Worklist").wait_for()

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("doc")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Sign in: second step").wait_for()
    shoot(page, "mfa-second-step")
    page.locator("#mfa_webauthn_authenticate").click()
    page.get_by_role("heading", name="Worklist").wait_for()
    assert not [error for error in errors if "Content Security Policy" in error], errors
    context.close()
