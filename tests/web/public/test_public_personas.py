"""The queue's persona matrix: each role of the clinic, a physician of another clinic, anonymous.

Front desk, nurse and physician work the queue; the clinic admin does not (requests hold health details
and the admin role has no patient-facing work); another clinic gets 404; anonymous is sent to sign in.
The public pages answer everyone, signed in or not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from publicfactories import good_request, make_request, publish
from webfactories import World

WORKERS = {"physician", "nurse", "frontdesk"}
ROLES = ["physician", "nurse", "frontdesk", "admin"]

# name, method, POST data, status when allowed, is it one object
Case = tuple[str, str, Callable[[Any], dict[str, Any]] | None, int, bool]
VIEWS: list[Case] = [
    ("request-list", "get", None, 200, False),
    ("request-detail", "get", None, 200, True),
    ("request-status", "post", lambda item: {"status": "contacted"}, 302, True),
    ("request-make-patient", "post", lambda item: {"mrn": f"NEW-{item.pk}"}, 302, True),
]
IDS = [f"{method}-{name}" for name, method, _, _, _ in VIEWS]


def call(client: Client, case: Case, item: Any) -> Any:
    name, method, data, _, one = case
    url = reverse(name, args=[item.pk]) if one else reverse(name)
    return client.get(url) if method == "get" else client.post(url, data(item) if data else {})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", VIEWS, ids=IDS)
def test_same_clinic_role_decides(world: World, role: str, case: Case) -> None:
    item = make_request(world.clinic)
    response = call(world.client_for(role), case, item)
    assert response.status_code == (case[3] if role in WORKERS else 403), response.content[:300]


@pytest.mark.parametrize(
    "case", [c for c in VIEWS if c[4]], ids=[i for i, c in zip(IDS, VIEWS, strict=True) if c[4]]
)
def test_other_clinic_gets_404_for_our_requests(world: World, case: Case) -> None:
    item = make_request(world.clinic)
    assert call(world.client_for("other-clinic"), case, item).status_code == 404
    item.refresh_from_db()
    assert item.status == "new" and item.patient is None


def test_other_clinic_queue_does_not_list_our_requests(world: World) -> None:
    make_request(world.clinic, given_name="Ourperson")
    assert "Ourperson" not in world.client_for("other-clinic").get(reverse("request-list")).content.decode()


@pytest.mark.parametrize("case", VIEWS, ids=IDS)
def test_anonymous_is_sent_to_sign_in(world: World, case: Case) -> None:
    item = make_request(world.clinic)
    response = call(world.client_for("anonymous"), case, item)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_unknown_and_huge_ids_are_not_found(world: World) -> None:
    client = world.client_for("frontdesk")
    assert client.get("/staff/requests/99999999/").status_code == 404
    assert client.get("/staff/requests/99999999999999999999999/").status_code == 404


def test_reading_a_request_is_audited(world: World) -> None:
    from facetpath.audit.models import AuditEvent

    item = make_request(world.clinic)
    world.client_for("nurse").get(reverse("request-detail", args=[item.pk]))
    event = AuditEvent.objects.get(action="view", object_type="contactrequest")
    assert event.username == "nurse-a" and event.object_id == str(item.pk) and event.clinic == world.clinic


@pytest.mark.parametrize("who", ["anonymous", *ROLES, "other-clinic"])
def test_public_pages_answer_everyone(world: World, who: str) -> None:
    slug = publish(world.clinic).slug
    client = world.client_for(who)
    for url in ("/", f"/c/{slug}/", f"/c/{slug}/learn/overview/", f"/c/{slug}/faq/", f"/c/{slug}/request/",
                f"/c/{slug}/ask/", f"/c/{slug}/sent/appointment/", "/sitemap.xml", "/robots.txt"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    assert client.post(f"/c/{slug}/request/", good_request()).status_code == 302
