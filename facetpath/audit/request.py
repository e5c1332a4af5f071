"""What of a request the audit trail and the server's logs may keep (no models: logging loads this early)."""

from __future__ import annotations

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


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


def path_without_token(request: HttpRequest) -> str:
    """The request's path with a link's token (a diary link, a password reset) as "…": such a link is a
    credential, kept hashed everywhere, and whoever reads the audit trail or the server's logs must not
    be able to open it."""
    token = request.resolver_match.kwargs.get("token") if request.resolver_match else None
    return request.path.replace(token, "…") if isinstance(token, str) and token else request.path
