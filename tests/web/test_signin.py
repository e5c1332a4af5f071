"""Sign-in throttle: guessing stops after a few tries, per account and per address, even all at once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django import db
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.urls import reverse
from webfactories import PASSWORD, Role, World, make_user

from facetpath.audit.models import AuditEvent
from facetpath.web.models import SignInGuesses
from facetpath.web.signin import MAX_PER_ACCOUNT, MAX_PER_ADDRESS, WINDOW


def sign_in(username: str, password: str, ip: str = "203.0.113.5") -> tuple[int, str, bool]:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(reverse("login"), {"login": username, "password": password})
    return response.status_code, response.content.decode(), "_auth_user_id" in client.session


def checked(username: str) -> int:
    """How many of the account's passwords were checked and refused (each is audited once)."""
    return AuditEvent.objects.filter(username=username, action="login-failed").count()


def test_the_right_password_signs_in(world: World) -> None:
    assert sign_in("nurse-a", PASSWORD)[2]


def test_after_five_wrong_passwords_even_the_right_one_waits(world: World) -> None:
    for _ in range(MAX_PER_ACCOUNT - 1):
        assert not sign_in("nurse-a", "wrong-password")[2]
    assert sign_in("nurse-a", PASSWORD)[2]  # four are not enough to lock, and a right one is not counted
    sign_in("nurse-a", "wrong-password")
    status, page, signed_in = sign_in("nurse-a", PASSWORD, ip="198.51.100.7")  # from elsewhere too
    assert status == 200 and not signed_in and "Too many failed sign-ins" in page
    assert checked("nurse-a") == MAX_PER_ACCOUNT
    assert AuditEvent.objects.filter(username="nurse-a", action="login-locked").exists()
    assert sign_in("physician-a", PASSWORD)[2]  # other accounts are not affected


def test_the_lock_lifts_when_the_window_is_over(world: World) -> None:
    for _ in range(MAX_PER_ACCOUNT):
        sign_in("nurse-a", "wrong-password")
    assert not sign_in("nurse-a", PASSWORD)[2]
    SignInGuesses.objects.update(started=SignInGuesses.objects.get(key="account:nurse-a").started - WINDOW)
    assert sign_in("nurse-a", PASSWORD)[2]
    SignInGuesses.objects.update(
        started=SignInGuesses.objects.get(key="account:nurse-a").started - WINDOW + timedelta(seconds=5)
    )
    for _ in range(MAX_PER_ACCOUNT):
        sign_in("nurse-a", "wrong-password")
    assert not sign_in("nurse-a", PASSWORD)[2]  # a window not yet over still counts


def test_the_username_is_counted_whatever_its_case(world: World) -> None:
    for n in range(MAX_PER_ACCOUNT):
        sign_in("Nurse-A" if n % 2 else "nurse-a", "wrong-password")
    assert not sign_in("nurse-a", PASSWORD)[2]


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


def test_a_form_without_a_password_is_not_a_guess(world: World) -> None:
    for _ in range(MAX_PER_ACCOUNT + 2):
        Client().post(reverse("login"), {"login": "nurse-a"})
    assert sign_in("nurse-a", PASSWORD)[2]


@pytest.fixture
def slow_password_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each password check takes a while, as PBKDF2 does in production: guesses sent together are all in
    flight at once, so a throttle that counts failures only after checking them would let every one through."""
    check = ModelBackend.authenticate

    def slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)
        return check(*args, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", slowly)


def guess_at_once(count: int, username: str, ips: list[str]) -> list[bool]:
    """`count` wrong passwords sent together, each by its own client and database connection."""
    results = [True] * count
    together = threading.Barrier(count)

    def guess(n: int) -> None:
        together.wait()
        try:
            results[n] = sign_in(username, "wrong-password", ip=ips[n % len(ips)])[2]
        finally:
            db.connections.close_all()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("slow_password_check")
def test_guesses_sent_at_once_for_one_account_are_checked_at_most_the_limit(world: World) -> None:
    signed_in = guess_at_once(12, "nurse-a", [f"203.0.113.{n}" for n in range(12)])
    assert not any(signed_in)
    assert checked("nurse-a") == MAX_PER_ACCOUNT
    assert (
        AuditEvent.objects.filter(username="nurse-a", action="login-locked").count() == 12 - MAX_PER_ACCOUNT
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("slow_password_check")
def test_guesses_sent_at_once_from_one_address_are_checked_at_most_the_limit(world: World) -> None:
    names = [f"guess-{n}" for n in range(MAX_PER_ADDRESS + 6)]
    together = threading.Barrier(len(names))

    def guess(name: str) -> None:
        together.wait()
        try:
            sign_in(name, "wrong-password", ip="192.0.2.99")
        finally:
            db.connections.close_all()

    threads = [threading.Thread(target=guess, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = AuditEvent.objects.filter(ip="192.0.2.99", action="login-failed").count()
    locked = AuditEvent.objects.filter(ip="192.0.2.99", action="login-locked").count()
    assert (failed, locked) == (MAX_PER_ADDRESS, 6)


def test_password_reset_links_share_the_throttle(world: World) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    nurse = world.users["nurse"]
    uid = urlsafe_base64_encode(force_bytes(nurse.pk))
    client = Client(REMOTE_ADDR="203.0.113.20")
    for n in range(MAX_PER_ACCOUNT):
        page = client.get(reverse("password_reset_confirm", args=[uid, f"cx{n}-0123456789abcdef"]))
        assert page.status_code == 200 and "used already or is too old" in page.content.decode()
    right = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(nurse)])
    locked = client.get(right)
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    assert not sign_in("nurse-a", PASSWORD, ip="198.51.100.9")[2]  # the same count as the sign-in page
    SignInGuesses.objects.update(started=SignInGuesses.objects.get(key="account:nurse-a").started - WINDOW)
    assert Client().get(right, follow=True).status_code == 200


def test_counts_are_forgotten_a_day_after_their_window(world: World) -> None:
    sign_in("nurse-a", "wrong-password")
    SignInGuesses.objects.update(
        started=SignInGuesses.objects.first().started - timedelta(days=1, minutes=16)
    )  # type: ignore[union-attr]
    sign_in("physician-a", "wrong-password")
    assert sorted(SignInGuesses.objects.values_list("key", flat=True)) == [
        "account:physician-a",
        "address:203.0.113.5",
    ]
