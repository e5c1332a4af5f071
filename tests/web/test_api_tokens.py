"""API tokens: the clinic admin's page (make, shown once, revoke; audited; another clinic's token 404;
other roles 403), the token stored only as a hash and never written to a log, and the throttle."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from webfactories import World

from facetpath.audit.models import AuditEvent
from facetpath.clinics.api_tokens import (
    authenticate_api_token,
    make_api_token,
    secret_from_header,
    throttle_wait,
)
from facetpath.clinics.models import ApiToken
from facetpath.clinics.roles import Role
from facetpath.clinics.tokens import hash_token

SECRET = re.compile(r"fp_[A-Za-z0-9_-]{43}")


def make_on_the_page(world: World, name: str = "EHR nightly", scope: str = "read") -> tuple[str, str]:
    response = world.client_for(Role.ADMIN).post(reverse("api-tokens"), {"name": name, "scope": scope})
    assert response.status_code == 200
    page = response.content.decode()
    found = SECRET.search(page)
    assert found is not None, page
    return found.group(0), page


def test_the_admin_makes_a_token_shown_once_and_stored_as_a_hash(world: World) -> None:
    secret, page = make_on_the_page(world)
    assert "this page shows it once" in page
    token = ApiToken.objects.get()
    assert (
        token.clinic == world.clinic and token.scope == "read" and token.created_by == world.users[Role.ADMIN]
    )
    assert token.secret_hash == hash_token(secret) and secret not in str(vars(token))
    assert token.prefix == secret[:10]
    again = world.client_for(Role.ADMIN).get(reverse("api-tokens")).content.decode()
    assert secret not in again and token.prefix in again  # the list shows its start only
    row = AuditEvent.objects.get(action="api-token-create")
    assert row.username == "admin-a" and "EHR nightly" in row.detail
    assert secret not in "".join(f"{e.path} {e.detail}" for e in AuditEvent.objects.all())


def test_the_secret_reaches_no_log(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with override_settings(FACETPATH_ACCESS_LOG=True):
        secret, _ = make_on_the_page(world)
        headers = {"Authorization": f"Bearer {secret}"}
        Client().get("/api/v1/procedures", headers=headers)
        Client().get("/api/v1/procedures/999999", headers=headers)  # a 404 is logged as a warning
        Client().get("/api/v1/procedures?since=junk", headers=headers)
    assert caplog.records
    assert secret not in caplog.text and secret[10:] not in caplog.text


def test_a_revoked_token_opens_nothing_and_the_revocation_is_audited(world: World) -> None:
    secret, _ = make_on_the_page(world)
    headers = {"Authorization": f"Bearer {secret}"}
    assert Client().get("/api/v1/patients", headers=headers).status_code == 200
    token = ApiToken.objects.get()
    client = world.client_for(Role.ADMIN)
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 302
    assert Client().get("/api/v1/patients", headers=headers).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.users[Role.ADMIN]
    assert AuditEvent.objects.filter(action="api-token-revoke", object_id=str(token.pk)).count() == 1
    # Twice: said so, changes nothing, audits nothing more.
    page = client.post(reverse("api-token-revoke", args=[token.pk]), follow=True).content.decode()
    assert "already revoked" in page
    assert AuditEvent.objects.filter(action="api-token-revoke").count() == 1


def test_another_clinics_token_answers_404_on_our_page(world: World) -> None:
    theirs, _ = make_api_token(world.other_clinic, "B's EHR", "read")
    response = world.client_for(Role.ADMIN).post(reverse("api-token-revoke", args=[theirs.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert "B&#x27;s EHR" not in world.client_for(Role.ADMIN).get(reverse("api-tokens")).content.decode()


@pytest.mark.parametrize("role", [Role.PHYSICIAN, Role.NURSE, Role.FRONTDESK])
def test_other_roles_may_not_make_or_revoke_tokens(world: World, role: str) -> None:
    token, _ = make_api_token(world.clinic, "EHR", "read")
    client = world.client_for(role)
    assert client.get(reverse("api-tokens")).status_code == 403
    assert client.post(reverse("api-tokens"), {"name": "mine", "scope": "read-write"}).status_code == 403
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 403
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().revoked_at is None


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    response = Client().get(reverse("api-tokens"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "scope": "read"}, "name"),
        ({"name": "x" * 101, "scope": "read"}, "name"),
        ({"name": "EHR\x00", "scope": "read"}, "name"),
        ({"name": "EHR", "scope": "admin"}, "scope"),
    ],
)
def test_a_bad_token_form_names_the_field_and_makes_nothing(
    world: World, data: dict[str, str], field: str
) -> None:
    response = world.client_for(Role.ADMIN).post(reverse("api-tokens"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic abc",
        "bearer fp_nope",
        "Bearer fp_\x00",
        "Bearer " + "a" * 300,
        "Bearer é",
    ],
)
def test_headers_that_carry_no_token_authenticate_nobody(world: World, header: str | None) -> None:
    make_api_token(world.clinic, "EHR", "read")
    assert authenticate_api_token(header) is None


def test_the_header_scheme_is_case_blind_and_spaces_are_trimmed(world: World) -> None:
    token, secret = make_api_token(world.clinic, "EHR", "read")
    assert secret_from_header(f"bearer   {secret} ") == secret
    assert authenticate_api_token(f"BEARER {secret}") == (world.clinic, token)


@override_settings(FACETPATH_API_REQUESTS_PER_MINUTE=3)
def test_each_token_is_throttled_on_its_own_with_retry_after(world: World) -> None:
    cache.clear()
    _, first = make_api_token(world.clinic, "EHR", "read")
    _, second = make_api_token(world.clinic, "Billing", "read")
    # Frozen 20 s into a minute: the requests fall in one window whenever the test runs.
    with time_machine.travel(timezone.now().replace(second=20, microsecond=0), tick=False):
        answers = [
            Client().get("/api/v1/patients", headers={"Authorization": f"Bearer {first}"}) for _ in range(4)
        ]
        other = Client().get("/api/v1/patients", headers={"Authorization": f"Bearer {second}"})
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"] == "40"
    assert "Too many requests" in answers[-1].json()["detail"]
    assert other.status_code == 200


@override_settings(FACETPATH_API_REQUESTS_PER_MINUTE=2)
def test_the_allowance_comes_back_when_the_minute_turns(world: World) -> None:
    cache.clear()
    token, _ = make_api_token(world.clinic, "EHR", "read")
    start = 1_000_040.0  # 20 s into a minute (1_000_020 is a whole minute)
    assert throttle_wait(token, now=start) is None
    assert throttle_wait(token, now=start + 1) is None
    assert throttle_wait(token, now=start + 39) == 1  # the third in the same minute: 1 s to go
    assert throttle_wait(token, now=start + 40) is None  # the next minute's first


@pytest.mark.parametrize("value", ["", "\x00", "x" * 5000, "<script>", "١٢", "1e309", "\u2028"])
def test_hostile_values_on_the_token_page_never_give_500(world: World, value: str) -> None:
    client = Client(raise_request_exception=True)
    client.force_login(world.users[Role.ADMIN])
    for data in ({"name": value, "scope": "read"}, {"name": "EHR", "scope": value}):
        assert client.post(reverse("api-tokens"), data).status_code in (200, 400)
    assert client.post(f"/staff/api-tokens/{'9' * 30}/revoke/").status_code == 404


def test_the_demo_token_is_kept_in_the_data_dir_and_made_anew_once_revoked(
    world: World, tmp_path: Path
) -> None:
    from facetpath.web.demo import DEMO_API_TOKEN_FILE, demo_api_token

    first = demo_api_token(world.clinic, tmp_path)
    assert (tmp_path / DEMO_API_TOKEN_FILE).stat().st_mode & 0o777 == 0o600
    assert demo_api_token(world.clinic, tmp_path) == first and ApiToken.objects.count() == 1
    token = ApiToken.objects.get()
    assert (
        token.can_write
        and token.secret_hash == hash_token(first)
        and token.created_by == world.users[Role.ADMIN]
    )
    assert authenticate_api_token(f"Bearer {first}") == (world.clinic, token)
    ApiToken.objects.update(revoked_at=token.created_at)
    second = demo_api_token(world.clinic, tmp_path)
    assert second != first and ApiToken.objects.active().count() == 1


def test_last_used_is_kept_to_the_minute(world: World) -> None:
    token, secret = make_api_token(world.clinic, "EHR", "read")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        authenticate_api_token(f"Bearer {secret}")
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        authenticate_api_token(f"Bearer {secret}")
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        authenticate_api_token(f"Bearer {secret}")
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=60)
