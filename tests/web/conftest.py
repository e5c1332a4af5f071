"""Django set-up for the web tests only: the clinical and CLI tests never load Django.

Personas (healthchecks style): every role in clinic A, a physician of clinic B, and anonymous.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facetpath.settings")
os.environ["FACETPATH_DATA_DIR"] = tempfile.mkdtemp(prefix="facetpath-test-")  # never a real data dir
atexit.register(shutil.rmtree, os.environ["FACETPATH_DATA_DIR"], ignore_errors=True)
os.environ.setdefault("FACETPATH_SECRET_KEY", "test-only-not-secret")
os.environ["FACETPATH_SECURE_COOKIES"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Fast hashing in tests only: five accounts per test would otherwise spend seconds in PBKDF2.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

from django.db import connections  # noqa: E402

if connections["default"].vendor == "sqlite":
    # A file, not Django's shared in-memory database: the browser test's live server answers htmx previews
    # and page loads on several threads at once, and in-memory SQLite fails those with "table is locked"
    # where a file database (WAL, busy timeout) makes them wait their turn, as in production.
    connections["default"].settings_dict["TEST"]["NAME"] = os.path.join(
        os.environ["FACETPATH_DATA_DIR"], "test-facetpath.sqlite3"
    )

import pytest  # noqa: E402
from webfactories import (  # noqa: E402
    GOOD_DIARY,
    ROLES,
    Clinic,
    Role,
    World,
    make_assessment,
    make_block,
    make_patient,
    make_user,
)


@pytest.fixture
def world(db: None) -> World:
    clinic = Clinic.objects.create(name="Clinic A", time_zone="UTC")
    other = Clinic.objects.create(name="Clinic B", time_zone="UTC")
    users = {role: make_user(f"{role}-a", clinic, role) for role in ROLES}
    outsider = make_user("physician-b", other, Role.PHYSICIAN)
    patient = make_patient(clinic)
    assessment = make_assessment(patient)
    procedure = make_block(patient, diary=GOOD_DIARY)
    other_patient = make_patient(other, mrn="B-1", given_name="Bo", family_name="Other")
    return World(clinic, other, users, outsider, patient, assessment, procedure, other_patient)


@pytest.fixture
def chromium() -> Iterator[object]:
    """Debian's chromium under Playwright. Missing is a failure, not a skip: scripts/test installs it."""
    from browsing import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup --browser")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
