"""The sign-in form, with a throttle against password guessing.

After MAX_PER_ACCOUNT refused passwords for one username, or MAX_PER_ADDRESS from one address, within
WINDOW, sign-in is refused without checking the password until the oldest of them is WINDOW old. The
message is the same whether or not the account exists, and each refusal is audited ("login-locked").
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from facetpath.audit.request import client_ip
from facetpath.audit.signals import record_sign_in
from facetpath.web.models import FailedSignIn

MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20
WINDOW = timedelta(minutes=15)
KEPT = timedelta(days=1)

LOCKED = "Too many failed sign-ins. Wait 15 minutes and try again, or ask your clinic's admin to check your account."


def locked_out(username: str, ip: str | None) -> bool:
    recent = FailedSignIn.objects.filter(when__gte=timezone.now() - WINDOW)
    if recent.filter(username=username).count() >= MAX_PER_ACCOUNT:
        return True
    return ip is not None and recent.filter(ip=ip).count() >= MAX_PER_ADDRESS


class SignInForm(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").replace("\x00", "")[:150]
        ip = client_ip(self.request) if self.request is not None else None
        if locked_out(username, ip):
            record_sign_in(username, "login-locked", ip)
            raise ValidationError(LOCKED, code="locked")
        try:
            return super().clean()
        except ValidationError:
            now = timezone.now()
            FailedSignIn.objects.filter(when__lt=now - KEPT).delete()
            FailedSignIn.objects.create(username=username, ip=ip)
            raise
