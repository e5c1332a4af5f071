"""What of a request the audit trail and the server's logs may keep (no models: logging loads this early)."""

from __future__ import annotations

import re
from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest

# Paths that carry a link's token, matched by their shape, not by the route they reach: a token in a path
# that matches no route (`/d/<token>` without its slash, `/d/<token>/entry`, a made-up sub-path, a reset
# link cut short) must not reach a log either. A diary link's (and a staff invitation's, /join/) first
# segment is its token; a password-reset link's first segment names the account (not a secret) and every
# later one may be its token.
_DIARY_LINK = re.compile(r"^(/+(?:d|join)/+)([^/]+)", re.IGNORECASE)
# allauth's e-mail links (/account/confirm-email/<key>/, /account/password/reset/key/<uid>-<key>/) likewise.
_ACCOUNT_KEY = re.compile(
    r"^(/+account/+(?:confirm-email|password/+reset/+key)/+)(?!done/*$)([^/]+)", re.IGNORECASE
)
_RESET_LINK = re.compile(r"^(/+password-reset/+[^/]+/+)(.+)$", re.IGNORECASE | re.DOTALL)
_HIDDEN = "…"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's own (REMOTE_ADDR), or behind a reverse proxy the header named
    by FACETPATH_CLIENT_IP_HEADER. Each proxy appends the address it was reached from, so with N trusted
    proxies the client's is the Nth entry from the right; entries further left came from the client and
    can be anything. A missing or malformed header gives no address rather than a forged one."""
    header = getattr(settings, "FACETPATH_CLIENT_IP_HEADER", "")
    if not header:
        return request.META.get("REMOTE_ADDR") or None
    trusted = max(1, getattr(settings, "FACETPATH_TRUSTED_PROXIES", 1))
    entries = [entry.strip() for entry in request.headers.get(header, "").split(",")]
    if len(entries) < trusted or not entries[-trusted]:
        return None
    try:
        return str(ip_address(entries[-trusted]))
    except ValueError:
        return None


def without_token(path: str) -> str:
    """`path` with a link's token (a diary link, a password reset) as "…": such a link is a credential,
    kept hashed everywhere, and whoever reads the audit trail or the server's logs must not be able to
    open it."""
    path = _DIARY_LINK.sub(rf"\g<1>{_HIDDEN}", path)
    path = _ACCOUNT_KEY.sub(rf"\g<1>{_HIDDEN}", path)
    return _RESET_LINK.sub(lambda found: found[1] + _hide_segments(found[2]), path)


def _hide_segments(rest: str) -> str:
    # /password-reset/<uidb64>/<token>/x → /password-reset/<uidb64>/…/… : each segment goes, the shape stays.
    return "/".join(_HIDDEN if segment else "" for segment in rest.split("/"))


def path_without_token(request: HttpRequest) -> str:
    path = without_token(request.path)
    token = request.resolver_match.kwargs.get("token") if request.resolver_match else None
    # A route's own token, wherever a route puts it.
    return path.replace(token, _HIDDEN) if isinstance(token, str) and token else path
