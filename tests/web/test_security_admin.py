"""The persona matrix over every page of the clinic admin site (issue 12, scope item 6; finding 6's admin 500s).

The admin's pages are found by walking the URL map, not from a list, so a model registered later is covered
too: for each changelist, add and change page, the clinic's own admin gets 200 or 403 as designed, every
other persona (other roles, another clinic's admin, nobody signed in) never sees this clinic's rows, and no
query string from a small hostile set gives a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from webfactories import ROLES, Role, World, make_user

from facetpath.audit.log import audit
from facetpath.clinics.admin import clinic_admin_site
from facetpath.clinics.models import Clinic
from facetpath.public.models import EducationPage, PublicProfile

ADMIN_PREFIX = "staff/admin/"
PAGES = ("changelist", "add", "change")
HOSTILE = ["\x00", "99999999999999999999", "ü€漢字\u202e"]


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        else:
            yield route, entry


def admin_pages() -> list[tuple[type[models.Model], str]]:
    """(model, page) for each model page of the clinic admin site, as its URL map has them."""
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith(ADMIN_PREFIX) or not pattern.name:
            continue
        app_label, model_name, page = (
            pattern.name.rsplit("_", 2) if pattern.name.count("_") >= 2 else ("",) * 3
        )
        if page in PAGES:
            found.append((apps.get_model(app_label, model_name), page))
    return found


PAGES_FOUND = admin_pages()
IDS = [f"{model._meta.label_lower}-{page}" for model, page in PAGES_FOUND]


def own_row(world: World, model: type[models.Model]) -> models.Model:
    """A row of `model` that belongs to the world's clinic."""
    if model is Clinic:
        return world.clinic
    row = model._default_manager.filter(clinic=world.clinic).first()
    assert row is not None, f"the test world has no {model._meta.label} row for its clinic"
    return row


@pytest.fixture
def admin_world(world: World) -> World:
    """The world with an audit row in each clinic, and an admin of the other clinic."""
    make_user("admin-b", world.other_clinic, Role.ADMIN)
    for clinic, slug in ((world.clinic, "clinic-a"), (world.other_clinic, "clinic-b")):
        PublicProfile.objects.get_or_create(clinic=clinic, defaults={"slug": slug})
        EducationPage.objects.create(
            clinic=clinic,
            topic=EducationPage._meta.get_field("topic").choices[0][0],
            language="en",
            title=f"About {slug}",
            body="Text.",
        )
    for who, patient in ((world.users[Role.PHYSICIAN], world.patient), (world.outsider, world.other_patient)):
        request = RequestFactory().get("/")
        request.user = who
        audit(request, "view", patient, patient, clinic=patient.clinic)
    return world


def page_url(world: World, model: type[models.Model], page: str) -> str:
    name = f"clinic-admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
    return reverse(name, args=[own_row(world, model).pk] if page == "change" else [])


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_walk_finds_every_model_the_admin_shows(admin_world: World) -> None:
    request = RequestFactory().get("/staff/admin/")
    request.user = admin_world.users[Role.ADMIN]
    shown = {
        entry["object_name"].lower()
        for app in clinic_admin_site.get_app_list(request)
        for entry in app["models"]
    }
    walked = {model._meta.model_name for model, _ in PAGES_FOUND}
    assert shown <= walked
    assert {"clinic", "auditevent"} <= walked


@pytest.mark.parametrize(("model", "page"), PAGES_FOUND, ids=IDS)
def test_the_clinics_own_admin_gets_the_page_or_a_designed_refusal(
    admin_world: World, model: type[models.Model], page: str
) -> None:
    response = admin_world.client_for(Role.ADMIN).get(page_url(admin_world, model, page))
    assert response.status_code in (200, 403)


@pytest.mark.parametrize(("model", "page"), PAGES_FOUND, ids=IDS)
@pytest.mark.parametrize("role", [role for role in ROLES if role != Role.ADMIN])
def test_other_roles_never_reach_the_admin(
    admin_world: World, model: type[models.Model], page: str, role: str
) -> None:
    response = admin_world.client_for(role).get(page_url(admin_world, model, page))
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert response["Location"].startswith(("/staff/admin/login/", reverse("login")))


@pytest.mark.parametrize(("model", "page"), PAGES_FOUND, ids=IDS)
def test_nobody_signed_in_is_sent_to_sign_in(
    admin_world: World, model: type[models.Model], page: str
) -> None:
    response = Client().get(page_url(admin_world, model, page))
    assert response.status_code == 302


@pytest.mark.parametrize("model", sorted({m for m, _ in PAGES_FOUND}, key=str), ids=str)
def test_another_clinics_admin_never_sees_this_clinics_rows(
    admin_world: World, model: type[models.Model]
) -> None:
    from django.contrib.auth.models import User

    client = signed_in(User.objects.get(username="admin-b"))
    ours = page_url(admin_world, model, "change")
    assert client.get(ours).status_code in (302, 403, 404)  # the admin's "no such object" is a 302 home
    listing = client.get(page_url(admin_world, model, "changelist"))
    assert listing.status_code in (200, 403)
    assert ours not in listing.content.decode()
    if model is Clinic:
        assert admin_world.clinic.name not in listing.content.decode()


def _hostile_queries(model: type[models.Model]) -> Iterator[dict[str, str]]:
    for value in HOSTILE:
        for key in ("q", "o", "p", "e", "_facets"):
            yield {key: value}
        for field in model._meta.concrete_fields:
            for lookup in ("", "__gte", "__year"):
                yield {f"{field.name}{lookup}": value}
        yield {"when__year": value, "when__month": "2", "when__day": "30"}


@pytest.mark.parametrize(("model", "page"), PAGES_FOUND, ids=IDS)
def test_no_query_string_gives_a_500(admin_world: World, model: type[models.Model], page: str) -> None:
    client = admin_world.client_for(Role.ADMIN)
    client.raise_request_exception = False  # a 500 is counted, not raised, to name every failing query
    url = page_url(admin_world, model, page)
    failing = [query for query in _hostile_queries(model) if client.get(url, query).status_code >= 500]
    assert not failing, failing[:10]
