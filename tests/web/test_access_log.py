"""The server's logs (access lines, Django's request warnings) never hold a link's token."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.test import Client
from webfactories import World, post_entry, start_diary

from facetpath.web.access_log import WithoutLinkTokens


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """What the configured console handler writes, with the access log on as `facetpath serve` has it."""
    console = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, WithoutLinkTokens) for f in h.filters)
    )
    written = io.StringIO()
    access = logging.getLogger("facetpath.access")
    level, stream = access.level, console.setStream(written)  # type: ignore[attr-defined]
    access.setLevel(logging.INFO)
    try:
        yield written
    finally:
        access.setLevel(level)
        console.setStream(stream)  # type: ignore[attr-defined]


def test_a_diary_answer_is_logged_without_its_token(world: World, server_log: io.StringIO) -> None:
    _diary, token = start_diary(world)
    assert post_entry(Client(), token, pain="4").status_code == 200
    assert post_entry(Client(), token, key="key-00000002", pain="eleven").status_code == 400
    lines = server_log.getvalue().splitlines()
    assert any(" POST /d/…/entry/ 200 " in line for line in lines), lines
    assert any(" POST /d/…/entry/ 400 " in line for line in lines), lines
    assert any(line.endswith("Bad Request: /d/…/entry/") for line in lines)  # Django's, filtered too
    assert token not in server_log.getvalue()


def test_a_password_reset_link_is_logged_without_its_token(db: None, server_log: io.StringIO) -> None:
    Client().get("/password-reset/MQ/secret-reset-token-abc123/")
    assert "/password-reset/MQ/…/" in server_log.getvalue()
    assert "secret-reset-token-abc123" not in server_log.getvalue()


def test_requests_are_not_logged_unless_the_server_turns_the_log_on(world: World) -> None:
    assert not logging.getLogger("facetpath.access").isEnabledFor(logging.INFO)
