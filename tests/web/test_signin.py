"""Sign-in throttle: password guessing stops after a few tries, per account and per address."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from webfactories import PASSWORD, Role, World, make_user

from facetpath.audit.models import AuditEvent
from facetpath.web.models import FailedSignIn
from facetpath.web.signin import MAX_PER_ACCOUNT, MAX_PER_ADDRESS, WINDOW


def sign_in(username: str, password: str, ip: str = "203.0.113.5") -> tuple[int, str, bool]:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code, response.content.decode(), "_auth_user_id" in client.session


def test_the_right_password_signs_in(world: World) -> None:
    assert sign_in("nurse-a", PASSWORD)[2]


def test_after_five_wrong_passwords_even_the_right_one_waits(world: World) -> None:
    for _ in range(MAX_PER_ACCOUNT - 1):
        assert not sign_in("nurse-a", "wrong-password")[2]
    assert sign_in("nurse-a", PASSWORD)[2]  # four are not enough to lock
    for _ in range(MAX_PER_ACCOUNT):
        sign_in("nurse-a", "wrong-password")
    status, page, signed_in = sign_in("nurse-a", PASSWORD, ip="198.51.100.7")  # from elsewhere too
    assert status == 200 and not signed_in and "Too many failed sign-ins" in page
    assert AuditEvent.objects.filter(username="nurse-a", action="login-locked").exists()
    assert sign_in("physician-a", PASSWORD)[2]  # other accounts are not affected


def test_the_lock_lifts_when_the_failures_are_old_enough(world: World) -> None:
    for _ in range(MAX_PER_ACCOUNT):
        sign_in("nurse-a", "wrong-password")
    assert not sign_in("nurse-a", PASSWORD)[2]
    FailedSignIn.objects.update(when=timezone.now() - WINDOW - timedelta(seconds=1))
    assert sign_in("nurse-a", PASSWORD)[2]


def test_one_address_guessing_many_accounts_is_stopped(world: World) -> None:
    for n in range(MAX_PER_ADDRESS):
        sign_in(f"guess-{n}", "wrong-password", ip="192.0.2.66")
    make_user("late", world.clinic, Role.NURSE)
    assert not sign_in("late", PASSWORD, ip="192.0.2.66")[2]
    assert sign_in("late", PASSWORD, ip="192.0.2.67")[2]


def test_an_unknown_account_locks_with_the_same_message(world: World) -> None:
    for _ in range(MAX_PER_ACCOUNT):
        sign_in("nobody", "wrong-password")
    assert "Too many failed sign-ins" in sign_in("nobody", "anything")[1]


def test_old_failures_are_forgotten(world: World) -> None:
    sign_in("nurse-a", "wrong-password")
    FailedSignIn.objects.update(when=timezone.now() - timedelta(days=2))
    sign_in("physician-a", "wrong-password")
    assert list(FailedSignIn.objects.values_list("username", flat=True)) == ["physician-a"]
