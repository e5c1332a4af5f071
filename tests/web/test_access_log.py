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


TOKEN = "Zx9-secret-link-token_abc"


@pytest.mark.parametrize(
    "path",
    [
        f"/d/{TOKEN}",  # no slash: matches no route
        f"/d/{TOKEN}/",
        f"/d/{TOKEN}/entry",  # no slash
        f"/d/{TOKEN}/entry/",
        f"/d/{TOKEN}/no-such-page/deeper",
        f"/D/{TOKEN}/",
        f"/join/{TOKEN}",
        f"/account/confirm-email/{TOKEN}/",
        f"/account/password/reset/key/MQ-{TOKEN}/",
        f"/account/password/reset/key/MQ-{TOKEN}",
        f"/join/{TOKEN}/extra",
        f"/password-reset/MQ/{TOKEN}",
        f"/password-reset/MQ/{TOKEN}/",
        f"/password-reset/MQ/{TOKEN}/more",
    ],
)
def test_a_token_never_reaches_the_logs_on_any_path(db: None, server_log: io.StringIO, path: str) -> None:
    Client().get(path)
    Client().post(path, {"pain": "4"})
    written = server_log.getvalue()
    assert " GET " in written and " POST " in written
    assert TOKEN not in written


def test_the_audit_trail_keeps_no_token_of_an_unrouted_path(world: World) -> None:
    from facetpath.audit.models import AuditEvent
    from facetpath.audit.request import without_token

    assert without_token(f"/d/{TOKEN}/entry") == "/d/…/entry"
    assert without_token("/password-reset/sent/") == "/password-reset/sent/"
    assert without_token("/staff/patients/3/") == "/staff/patients/3/"
    assert not AuditEvent.objects.filter(path__contains=TOKEN).exists()


def test_a_forged_line_break_is_written_escaped(db: None, server_log: io.StringIO) -> None:
    Client().get("/staff/x%0a127.0.0.1 GET /forged 200 1.0 ms%1b[2J\\")
    lines = server_log.getvalue().splitlines()
    assert len([line for line in lines if "facetpath.access" in line]) == 1
    assert not any(line.startswith("127.0.0.1 GET /forged") for line in lines)
    assert "/staff/x\\x0a127.0.0.1 GET /forged 200 1.0 ms\\x1b[2J\\\\" in server_log.getvalue()
    assert "\x1b" not in server_log.getvalue()
