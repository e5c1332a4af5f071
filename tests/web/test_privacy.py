"""Privacy on the wire and on disk: no page is kept by a cache, data files are the owner's alone, and the
admin turns bad filters (NUL bytes, dates past 9999) into a message, never an HTTP 500."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from webfactories import ROLES, World

from facetpath.diary import actions

PHYSICIAN, ADMIN = ROLES[0], ROLES[3]


def routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    """Every route of the URL map as text ("staff/patients/<int:patient_id>/"); the admin's regexes left out."""
    found: list[str] = []
    for pattern in patterns:
        text = str(pattern.pattern)
        if text.startswith("^"):
            continue  # the admin's own regexes: its pages are walked by model below
        if isinstance(pattern, URLResolver):
            found += routes(pattern.url_patterns, prefix + text)
        else:
            found.append(prefix + text)
    return found


def filled(route: str, values: dict[str, str]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda name: values.get(name[1], "1"), route)


def test_every_staff_and_patient_page_says_no_store(world: World) -> None:
    _diary, token = actions.start_diary(world.procedure, world.users[PHYSICIAN])
    values = {
        "patient_id": str(world.patient.pk),
        "procedure_id": str(world.procedure.pk),
        "assessment_id": str(world.assessment.pk),
        "token": token,
        "action": "start",
        "slug": "clinic-a",
    }
    urls = [filled(route, values) for route in routes(get_resolver().url_patterns)]
    urls += admin_pages()
    assert len(urls) > 40
    for who in (PHYSICIAN, ADMIN, "anonymous"):
        client = world.client_for(who)
        client.raise_request_exception = False  # an error page must not be kept either (test_no_500: none)
        for url in urls:
            response = client.get(url)
            assert "no-store" in response.get("Cache-Control", ""), (who, url, response.status_code)


def admin_pages() -> list[str]:
    pages = [reverse("clinic-admin:index")]
    for model in apps.get_models():
        name = f"clinic-admin:{model._meta.app_label}_{model._meta.model_name}"
        try:
            pages += [
                reverse(f"{name}_changelist"),
                reverse(f"{name}_add"),
                reverse(f"{name}_change", args=[1]),
            ]
        except NoReverseMatch:
            continue  # not in the clinic admin
    return pages


def test_static_files_keep_their_own_caching(db: None) -> None:
    response = Client().get("/static/facetpath/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


AUDIT_LIST = "/staff/admin/audit/auditevent/"


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=a%00b",
        "action__exact=%00",
        "object_type=x%00",
        "when__year=%00",
        "%00=1",
        "when__year=9999&when__month=12",
        "when__year=9999&when__month=12&when__day=31",
        "when__year=99999999999999999999",
        "when__year=99999",
        "when__year=2026&when__month=13",
    ],
)
def test_bad_admin_filters_never_answer_500(world: World, query: str) -> None:
    client = world.client_for(ADMIN)
    client.raise_request_exception = False
    response = client.get(f"{AUDIT_LIST}?{query}")
    assert response.status_code in {302, 400}, response.status_code
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")  # Django's "invalid filter" list


def test_a_nul_in_any_query_is_refused(world: World) -> None:
    client = world.client_for(PHYSICIAN)
    client.raise_request_exception = False
    assert client.get("/staff/patients/?q=%00").status_code == 400
    assert client.get("/c/clinic-a/?x=%00").status_code == 400
    assert client.get("/c/%00/").status_code == 404
    assert client.get("/staff/patients/?q=ada").status_code == 200


MODES = """
import django, json, os, pathlib
django.setup()
from django.conf import settings
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
send_mail("subject", "body", None, ["someone@example.org"])
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
    data = pathlib.Path(settings.DATA_DIR)
    paths = [data, data / "facetpath.sqlite3", data / "facetpath.sqlite3-wal", data / "facetpath.sqlite3-shm",
             data / "secret-key.txt", data / "outbox", *sorted((data / "outbox").iterdir())]
    print(json.dumps({str(path.relative_to(data.parent)): oct(path.stat().st_mode & 0o777) for path in paths}))
"""


def test_data_files_and_folders_are_the_owner_s_alone(tmp_path: Path) -> None:
    data = tmp_path / "var"
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "FACETPATH_SECRET_KEY"}
    }
    environment |= {"FACETPATH_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "facetpath.settings"}
    run = subprocess.run(
        [sys.executable, "-c", MODES],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        process_group=0,
        umask=0o022,  # as a shell usually leaves it: files 0644, folders 0755
    )
    modes = json.loads(run.stdout.splitlines()[-1])
    assert modes.pop("var") == "0o700" and modes.pop("var/outbox") == "0o700"
    assert len(modes) >= 5  # the database, its -wal and -shm, the key and a message
    assert set(modes.values()) == {"0o600"}, modes


def test_an_older_data_dir_is_closed_when_the_app_starts(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    (data / "facetpath.sqlite3").write_bytes(b"")
    (data / "facetpath.sqlite3").chmod(0o644)
    data.chmod(0o755)
    environment = {**os.environ, "FACETPATH_DATA_DIR": str(data)}
    subprocess.run([sys.executable, "-c", "import facetpath.settings"], env=environment, check=True)
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "facetpath.sqlite3").stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite files of the test database")
def test_the_running_database_files_are_private(world: World) -> None:
    name = Path(connection.settings_dict["NAME"])
    for path in (name, Path(f"{name}-wal")):
        assert path.stat().st_mode & 0o777 == 0o600, path
