"""Sign-in throttling: refused passwords, counted per account and per address (facetpath/web/signin.py)."""

# ruff: noqa: RUF012  (Django's declarative Meta attributes are class-level by design)

from __future__ import annotations

from django.db import models


class FailedSignIn(models.Model):
    """One refused sign-in, kept a day for the throttle; the audit trail keeps the lasting record."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    when = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "when"]), models.Index(fields=["ip", "when"])]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.username} from {self.ip or 'unknown address'}"
