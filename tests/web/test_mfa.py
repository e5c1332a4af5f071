"""Second factor at sign-in: TOTP, recovery codes, a clinic's per-role requirement, one sign-in page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

from allauth.mfa.models import Authenticator
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from webfactories import PASSWORD, World

from facetpath.audit.models import AuditEvent
from facetpath.audit.request import client_ip
from facetpath.web.signin import MAX_PER_ACCOUNT


def totp(secret: str, step: int = 0) -> str:
    """The code an authenticator app shows (RFC 6238: HMAC-SHA1 of the 30-second count, 6 digits)."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30 + step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def password_step(username: str, ip: str = "203.0.113.5") -> tuple[Client, str]:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(reverse("login"), {"login": username, "password": PASSWORD})
    return client, response["Location"]


def enrol_totp(username: str) -> str:
    """Signs in with the password, sets up an authenticator app from the secret the page shows, signs out."""
    client, _ = password_step(username)
    asked = client.get(reverse("mfa_activate_totp"))  # changing a factor asks for the password again
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("account_reauthenticate"))
    again = client.post(asked["Location"], {"password": PASSWORD})
    assert again.status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # shown for typing into an app that cannot scan the QR code
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    assert response.status_code == 302
    client.post(reverse("logout"))
    return secret


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_staff_enrol_an_authenticator_app_and_then_sign_in_with_its_code(world: World) -> None:
    secret = enrol_totp("nurse-a")
    nurse = world.users["nurse"]
    assert Authenticator.objects.filter(user=nurse, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=nurse, type=Authenticator.Type.RECOVERY_CODES).exists()
    client, next_step = password_step("nurse-a")
    assert next_step == reverse("mfa_authenticate") and not signed_in(client)  # the password is not enough
    assert not signed_in(client) and client.get(reverse("worklist")).status_code == 302
    wrong = client.post(
        reverse("mfa_authenticate"), {"code": "000000" if totp(secret, 1) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and not signed_in(client)
    response = client.post(reverse("mfa_authenticate"), {"code": totp(secret, 1)})
    assert response.status_code == 302 and signed_in(client)
    assert client.get(reverse("worklist")).status_code == 200
    assert AuditEvent.objects.filter(username="nurse-a", action="login").count() == 2  # enrolment + this


def test_a_recovery_code_signs_in_once(world: World) -> None:
    enrol_totp("nurse-a")
    codes = (
        Authenticator.objects.get(user=world.users["nurse"], type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()
    )
    client, _ = password_step("nurse-a")
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302 and signed_in(
        client
    )
    again, _ = password_step("nurse-a")
    assert again.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 200
    assert not signed_in(again)
    assert again.post(reverse("mfa_authenticate"), {"code": codes[1]}).status_code == 302 and signed_in(again)


def test_second_factor_guesses_share_the_sign_in_throttle(world: World) -> None:
    secret = enrol_totp("nurse-a")
    client, _ = password_step("nurse-a")
    for _ in range(MAX_PER_ACCOUNT):
        client.post(reverse("mfa_authenticate"), {"code": "12345678"})
    page = client.post(reverse("mfa_authenticate"), {"code": totp(secret, 1)})
    assert "Too many failed sign-ins" in page.content.decode() and not signed_in(client)
    # and the password step is locked too: the account has used its guesses
    locked = Client().post(reverse("login"), {"login": "nurse-a", "password": PASSWORD})
    assert "Too many failed sign-ins" in locked.content.decode()


def test_a_physician_without_a_factor_is_sent_to_enrolment_when_the_clinic_requires_it(world: World) -> None:
    world.clinic.mfa_required_roles = ["physician"]
    world.clinic.save()
    physician, _ = password_step("physician-a")
    response = physician.get(reverse("worklist"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    assert physician.get(reverse("patient", args=[world.patient.pk])).status_code == 302
    page = physician.get(reverse("mfa_index"))
    assert page.status_code == 200 and "second factor" in page.content.decode()
    assert physician.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    assert physician.get(reverse("account_reauthenticate")).status_code == 200
    nurse, _ = password_step("nurse-a")  # nurses are not required to
    assert nurse.get(reverse("worklist")).status_code == 200
    other_clinic = world.client_for("other-clinic")  # nor physicians of a clinic that does not ask
    assert other_clinic.get(reverse("worklist")).status_code == 200


def test_once_enrolled_a_required_physician_works_as_before(world: World) -> None:
    world.clinic.mfa_required_roles = ["physician"]
    world.clinic.save()
    secret = enrol_totp("physician-a")
    client, _ = password_step("physician-a")
    client.post(reverse("mfa_authenticate"), {"code": totp(secret, 1)})
    assert client.get(reverse("worklist")).status_code == 200


def test_the_clinic_admin_chooses_the_roles_in_the_clinic_settings(world: World) -> None:
    admin = world.client_for("admin")
    page = admin.get(reverse("clinic-admin:clinics_clinic_change", args=[world.clinic.pk]))
    assert page.status_code == 200 and 'name="mfa_required_roles"' in page.content.decode()
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name != "mfa_required_roles"}
    data["mfa_required_roles"] = ["physician", "nurse"]
    response = admin.post(reverse("clinic-admin:clinics_clinic_change", args=[world.clinic.pk]), data)
    assert response.status_code == 302
    world.clinic.refresh_from_db()
    assert world.clinic.mfa_required_roles == ["physician", "nurse"]


def test_allauth_own_sign_in_and_sign_up_lead_to_the_one_sign_in_page(world: World) -> None:
    # (the Django admin's login page: tests/web/test_team.py)
    response = Client().get("/account/login/?next=/staff/admin/")
    assert response.status_code == 302 and response["Location"] == reverse("login") + "?next=/staff/admin/"
    assert Client().get("/account/signup/")["Location"] == reverse("login")
    assert Client().get("/account/password/reset/")["Location"] == reverse("password_reset")


def test_the_client_address_comes_from_the_configured_header_and_trusted_proxies() -> None:
    factory = RequestFactory()
    forwarded = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4")
    assert client_ip(forwarded) == "10.0.0.2"  # by default the header is not believed
    with override_settings(FACETPATH_CLIENT_IP_HEADER="X-Forwarded-For"):
        assert client_ip(forwarded) == "198.51.100.4"  # the entry our proxy added, not the forged one
        assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.2")) is None
        assert client_ip(factory.get("/", HTTP_X_FORWARDED_FOR="not-an-address")) is None
    with override_settings(FACETPATH_CLIENT_IP_HEADER="X-Forwarded-For", FACETPATH_TRUSTED_PROXIES=2):
        assert client_ip(forwarded) == "6.6.6.6"
        assert client_ip(factory.get("/", HTTP_X_FORWARDED_FOR="198.51.100.4")) is None


@override_settings(FACETPATH_CLIENT_IP_HEADER="X-Real-IP")
def test_the_throttle_and_the_audit_count_the_address_from_the_header(world: World) -> None:
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="198.51.100.8")
    client.post(reverse("login"), {"login": "nurse-a", "password": "wrong-password"})
    assert AuditEvent.objects.get(action="login-failed").ip == "198.51.100.8"
