"""The server's access log, one line a request, and Django's request log, with no link's token in either.

granian's own access log printed each path whole, and a diary link's path is the patient's credential
(as is a password-reset link's): whoever reads the logs must not be able to open it. `facetpath serve`
and the demo turn this log on (FACETPATH_ACCESS_LOG); tests and commands leave it off.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from facetpath.audit.request import client_ip, path_without_token

access = logging.getLogger("facetpath.access")

# Control characters (a path's %0a decodes to a line break), the C1 set and Unicode's line and paragraph
# separators would let a request write a forged line of its own into the log: each is written \xNN or
# \uNNNN, and a backslash as \\ so that an escape in a log line always means one of these.
_UNPRINTABLE = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
_UNPRINTABLE |= {0x2028: "\\u2028", 0x2029: "\\u2029", ord("\\"): "\\\\"}


def printable(text: str) -> str:
    """`text` as one line of a log: every character that could end or fake a line written as an escape."""
    return text.translate(_UNPRINTABLE)


def logged_path(request: HttpRequest) -> str:
    return printable(path_without_token(request))


class AccessLogMiddleware:
    """First in the stack, so that its time is the whole request's: `ip method path status ms`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if access.isEnabledFor(logging.INFO):
            access.info(
                "%s %s %s %s %.1f ms",
                client_ip(request) or "-",
                printable(request.method or "-"),
                logged_path(request),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        return response


class WithoutLinkTokens(logging.Filter):
    """Puts the path without its token into Django's own request lines ("Bad Request: /d/…/entry/")."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and isinstance(record.args, tuple):
            safe = logged_path(request)
            record.args = tuple(safe if arg == request.path else arg for arg in record.args)
        return True
