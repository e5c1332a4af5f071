"""Sign-in throttling: guesses counted per account and per address (facetpath/web/signin.py)."""

from __future__ import annotations

from django.db import models


class SignInGuesses(models.Model):
    """How many refused (or still unchecked) guesses one account or one address has made since `started`.

    One row per account ("account:<username>") and per address ("address:<ip>"), counted up under a row
    lock before a password or code is checked, so requests sent at once cannot all slip under the limit.
    The audit trail keeps every refusal for good; these rows only hold the current window.
    """

    key = models.CharField(max_length=200, unique=True)
    started = models.DateTimeField(db_index=True)
    guesses = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.guesses} since {self.started:%Y-%m-%d %H:%M}"
