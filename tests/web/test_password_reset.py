"""Forgotten passwords: a one-use link by e-mail, the same answer for unknown addresses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from webfactories import World

from facetpath.web.reset import RESET_PER_ADDRESS, RESET_PER_EMAIL


@pytest.fixture(autouse=True)
def fresh_limits(django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():  # the database cache: a flush between tests leaves its table alone
        cache.clear()  # the request counters of other tests


def send_queued() -> None:
    """What `facetpath worker` does: the reset e-mail goes from there, not from the request."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections
def test_a_reset_link_sets_a_new_password_once(world: World) -> None:
    nurse = world.users["nurse"]
    nurse.email = "nurse@clinic-a.example"
    nurse.save()
    client = Client()
    assert "Forgotten your password?" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("password_reset"), {"email": "nurse@clinic-a.example"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []  # not while the person waits
    send_queued()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nurse@clinic-a.example"]
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert "Set a new password" in form_page.content.decode()
    new = "a-brand-new-password-42"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert Client().login(username="nurse-a", password=new)
    again = Client().get(link.group(1), follow=True).content.decode()
    assert "used already or is too old" in again


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections
def test_an_unknown_address_gets_the_same_answer_and_no_mail(world: World) -> None:
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    send_queued()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections
def test_a_weak_new_password_is_refused_by_field(world: World) -> None:
    nurse = world.users["nurse"]
    nurse.email = "nurse@clinic-a.example"
    nurse.save()
    client = Client()
    client.post(reverse("password_reset"), {"email": "nurse@clinic-a.example"})
    send_queued()
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    page = client.post(url, {"new_password1": "short", "new_password2": "short"})
    assert page.status_code == 200 and "too short" in page.content.decode()


def ask(email: str, client: Client | None = None) -> tuple[int, list[str]]:
    """The answer's status and the statements the request ran, their values (the address, ids, times) left out."""
    with CaptureQueriesContext(connection) as queries:
        response = (client or Client()).post(reverse("password_reset"), {"email": email})
    # The rate-limit counters (the database cache) differ by design: the first ask from a client makes its
    # counter, the next one adds to it. What must not differ is everything else.
    statements = [query["sql"] for query in queries.captured_queries if "facetpath_cache" not in query["sql"]]
    statements = [s for s in statements if "SAVEPOINT" not in s]  # the cache's own savepoints
    return response.status_code, [re.sub(r"'[^']*'", "?", sql) for sql in statements]


def test_a_known_and_an_unknown_address_take_the_same_path(world: World) -> None:
    nurse = world.users["nurse"]
    nurse.email = "nurse@clinic-a.example"
    nurse.save()
    known, unknown = ask("nurse@clinic-a.example"), ask("nobody@clinic-a.example")
    assert known[0] == unknown[0] == 302
    assert known[1] == unknown[1]  # the same statements: the account is looked up by the worker only
    assert not any("auth_user" in statement for statement in known[1])
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections
def test_the_link_names_the_public_address_not_the_request_s_host(world: World, settings: object) -> None:
    nurse = world.users["nurse"]
    nurse.email = "nurse@clinic-a.example"
    nurse.save()
    Client(HTTP_HOST="localhost").post(reverse("password_reset"), {"email": "nurse@clinic-a.example"})
    send_queued()
    assert "http://127.0.0.1:8000/password-reset/" in mail.outbox[0].body


def test_asking_too_often_for_one_address_is_refused(world: World) -> None:
    for _ in range(RESET_PER_EMAIL):
        assert ask("nurse@clinic-a.example")[0] == 302
    assert ask("nurse@clinic-a.example")[0] == 429
    assert ask("NURSE@clinic-a.example")[0] == 429  # the same address
    assert ask("frontdesk@clinic-a.example")[0] == 302  # another address is its own count


def test_asking_too_often_from_one_client_is_refused(world: World) -> None:
    for n in range(RESET_PER_ADDRESS):
        assert ask(f"person-{n}@example.org")[0] == 302
    refused = Client().post(reverse("password_reset"), {"email": "one-more@example.org"})
    assert refused.status_code == 429 and "Too many requests" in refused.content.decode()
    assert (
        Client(REMOTE_ADDR="192.0.2.7")
        .post(reverse("password_reset"), {"email": "x@example.org"})
        .status_code
        == 302
    )
