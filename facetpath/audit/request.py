"""What of a request the audit trail and the server's logs may keep (no models: logging loads this early)."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a proxy's X-Forwarded-For can be forged unless the deployment sets it.
    return request.META.get("REMOTE_ADDR") or None


def path_without_token(request: HttpRequest) -> str:
    """The request's path with a link's token (a diary link, a password reset) as "…": such a link is a
    credential, kept hashed everywhere, and whoever reads the audit trail or the server's logs must not
    be able to open it."""
    token = request.resolver_match.kwargs.get("token") if request.resolver_match else None
    return request.path.replace(token, "…") if isinstance(token, str) and token else request.path
