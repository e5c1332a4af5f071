"""Sign-ins, sign-outs and failed sign-ins go into the audit trail too, once for each of the account's clinics
(so every clinic's admin sees them)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from facetpath.audit.models import AuditEvent
from facetpath.audit.request import client_ip
from facetpath.clinics.models import Membership


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record_sign_in(user.get_username(), "login", client_ip(request), user)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_sign_in(user.get_username(), "logout", client_ip(request), user)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    record_sign_in(
        str(credentials.get("username", "")).replace("\x00", "")[:150],
        "login-failed",
        client_ip(request) if request else None,
    )


def record_sign_in(username: str, action: str, ip: str | None, user: Any = None) -> None:
    """One audit row per clinic of the account (every clinic's admin sees it), or one without a clinic."""
    clinics: list[int | None] = list(
        Membership.objects.filter(user__username=username).values_list("clinic_id", flat=True)
    )
    for clinic in clinics or [None]:  # one by one: each takes its place in its clinic's chain
        AuditEvent.objects.create(
            who=user,
            username=username,
            clinic_id=clinic,
            action=action,
            ip=ip,
            path="/logout/" if action == "logout" else "/login/",
        )
