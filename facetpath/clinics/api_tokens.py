"""API tokens: making one, finding the token an `Authorization` header carries, and each token's allowance.

Used by every door an outside system comes through (the JSON API, `facetpath.api`; FHIR), so that one
token works for both and is revoked for both at once. The secret is random, shown once and kept only as
its SHA-256 (`facetpath.clinics.tokens`, as for diary links and invitations). Writes that must be audited
(making and revoking a token) are the staff page's, in `facetpath.web.actions`; this module stands below
the audit trail.

A door for outside systems uses it so (facetpath/api/auth.py does): `authenticate_api_token(
request.headers.get("Authorization"))` → 401 when None; set `request.api_token = token`, so that
`facetpath.audit.log.audit` writes every row in the token's name and clinic; `throttle_wait(token)` → 429
with `Retry-After` when it returns seconds; ignore any staff session on the request.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone

from facetpath.clinics.models import ApiToken, Clinic
from facetpath.clinics.tokens import hash_token, new_token

SECRET_PREFIX = "fp_"  # tells a facetpath token apart in a secrets scanner or a config file
PREFIX_SHOWN = 10  # "fp_" and 7 characters of the random part: tells tokens apart on the page
MAX_HEADER = 200  # a real header is ~50 characters; a longer one is not a token (and is not hashed)
WINDOW_SECONDS = 60
LAST_USED_EVERY = timedelta(minutes=1)


def new_secret() -> str:
    return SECRET_PREFIX + new_token()


def make_api_token(clinic: Clinic, name: str, scope: str, by: User | None = None) -> tuple[ApiToken, str]:
    """A new token of `clinic` and its secret, which nobody can read again once this returns."""
    secret = new_secret()
    token = ApiToken.objects.create(
        clinic=clinic,
        name=name,
        scope=scope,
        prefix=secret[:PREFIX_SHOWN],
        secret_hash=hash_token(secret),
        created_by=by,
    )
    return token, secret


def secret_from_header(header: str | None) -> str | None:
    """The secret of `Authorization: Bearer <secret>`, or None for any other header."""
    if not header or len(header) > MAX_HEADER:
        return None
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or not secret.isascii() or not secret.isprintable():
        return None
    return secret


def authenticate_api_token(header: str | None) -> tuple[Clinic, ApiToken] | None:
    """The clinic and the token that `header` (the request's `Authorization` value) carries, or None when
    it carries no token, an unknown one or a revoked one. Marks the token used."""
    secret = secret_from_header(header)
    if secret is None:
        return None
    token = ApiToken.objects.select_related("clinic").active().filter(secret_hash=hash_token(secret)).first()
    if token is None:
        return None
    now = timezone.now()
    # To the minute, as the page shows it: a busy token writes this once a minute, not on every request
    # (on SQLite each write is a commit, synced to disk, before the answer's own audit row).
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.clinic, token


def requests_per_minute() -> int:
    return int(getattr(settings, "FACETPATH_API_REQUESTS_PER_MINUTE", 120))


def throttle_wait(token: ApiToken, now: float | None = None) -> int | None:
    """Counts this request against the token's allowance (`FACETPATH_API_REQUESTS_PER_MINUTE` a minute, in
    Django's cache so that every server process counts together); None when it is within it, else the
    seconds until the next minute begins (the `Retry-After`)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"facetpath:api-rate:{token.pk}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr: this request is the window's first
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count <= requests_per_minute():
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
