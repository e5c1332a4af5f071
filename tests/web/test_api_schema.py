"""schemathesis against the API's own OpenAPI schema (issue 16 item 5), run on SQLite and PostgreSQL like
every web test: generated requests, valid and not, to every operation, with a valid read-write token.
Checks: no answer is a 5xx, and every answer matches the schema it declares for its status. A bounded
number of examples per operation keeps the run well under two minutes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from webfactories import World

from facetpath.clinics.api_tokens import make_api_token

EXAMPLES = 25  # per operation: 20 operations, a few seconds each


# Loaded once at collection: the schema page reads no database. (schemathesis' `from_fixture` does not run
# under pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def server_like_requests(db: None) -> Iterator[None]:
    """schemathesis calls the WSGI app as a server would, and a server closes the database connection after
    each request, which would end the test's transaction: held open here, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def secret(world: World, server_like_requests: None) -> str:
    cache.clear()
    return make_api_token(world.clinic, "schemathesis", "read-write")[1]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@override_settings(FACETPATH_API_REQUESTS_PER_MINUTE=100_000)
def test_the_api_keeps_its_schema_and_never_answers_5xx(case: Any, secret: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {secret}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
