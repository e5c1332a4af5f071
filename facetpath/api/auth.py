"""Who is calling: an API token in `Authorization: Bearer …`, and nothing else.

A staff session cookie does not open the API: the request's user is set to nobody before any view runs,
so a page on another site cannot make a signed-in browser call the API (there is no CSRF hole to guard),
and the audit trail names the token, not a session that rode along.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from facetpath.clinics.api_tokens import authenticate_api_token, throttle_wait
from facetpath.clinics.models import ApiToken, Clinic


class TooManyRequests(Exception):
    """The token used up its requests for this minute; `wait` is the Retry-After in seconds."""

    def __init__(self, wait: int) -> None:
        super().__init__(f"Too many requests: try again in {wait} s.")
        self.wait = wait


class TokenAuth(HttpBearer):
    """Bearer token auth (OpenAPI's `http` `bearer` scheme) through `clinics.api_tokens`. With `write`, a
    read token is refused (403) before the operation reads anything."""

    def __init__(self, write: bool = False) -> None:
        super().__init__()
        self.write = write

    def __call__(self, request: HttpRequest) -> Any:
        request.user = AnonymousUser()  # sessions never authenticate the API
        found = authenticate_api_token(request.headers.get("Authorization"))
        if found is None:
            return None
        _clinic, token = found
        request.api_token = token  # type: ignore[attr-defined]  # read by facetpath.audit.log.audit
        wait = throttle_wait(token)
        if wait is not None:
            raise TooManyRequests(wait)
        if self.write and not token.can_write:
            raise AuthorizationError(
                message="This token may only read: a clinic admin can make a read-write one."
            )
        return token

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - __call__ does it
        raise NotImplementedError


def token_of(request: HttpRequest) -> ApiToken:
    token = getattr(request, "auth", None)
    assert isinstance(token, ApiToken), "API views run behind TokenAuth"
    return token


def clinic_of(request: HttpRequest) -> Clinic:
    return token_of(request).clinic
