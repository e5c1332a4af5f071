"""Pluggable reminder transports. Which one runs comes from the environment (see settings.py):

FACETPATH_SMS_BACKEND   file (default: one text file per message in <data dir>/outbox) | console | http
FACETPATH_SMS_URL       http: the gateway's endpoint; it receives JSON {"to", "from", "body"}
FACETPATH_SMS_TOKEN     http: sent as "Authorization: Bearer …" (never stored in the database)
FACETPATH_SMS_FROM      http: the sender number or name

E-mail goes through Django's configured e-mail backend (file outbox by default, SMTP in production).
"""

from __future__ import annotations

import json
import secrets
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils import timezone


class DeliveryError(Exception):
    """A transport could not hand the message over; the message says why (kept in the send log)."""


class SmsTransport(Protocol):
    def send(self, to: str, body: str) -> str:
        """Sends one text message; returns a short receipt for the log or raises DeliveryError."""
        ...


class ConsoleSms:
    def send(self, to: str, body: str) -> str:
        print(f"[sms to {to}] {body}", file=sys.stdout, flush=True)
        return "printed to the console"


class FileSms:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, to: str, body: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"sms-{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.txt"
        (self.folder / name).write_text(f"To: {to}\n\n{body}\n", encoding="utf-8")
        return f"written to outbox/{name}"


class HttpSms:
    """A plain JSON-over-HTTPS gateway; adapt `payload` for a provider that wants another shape."""

    def __init__(self, url: str, token: str, sender: str, timeout: float = 10.0) -> None:
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def payload(self, to: str, body: str) -> bytes:
        return json.dumps({"to": to, "from": self.sender, "body": body}).encode()

    def send(self, to: str, body: str) -> str:
        request = urllib.request.Request(
            self.url,
            data=self.payload(to, body),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return f"gateway answered {response.status}"
        except urllib.error.HTTPError as error:
            raise DeliveryError(f"SMS gateway answered {error.code}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise DeliveryError(f"SMS gateway unreachable: {error}") from error


def sms_transport() -> SmsTransport:
    backend = getattr(settings, "FACETPATH_SMS_BACKEND", "file")
    if backend == "console":
        return ConsoleSms()
    if backend == "file":
        return FileSms(Path(settings.DATA_DIR) / "outbox")
    if backend == "http":
        url, token = settings.FACETPATH_SMS_URL, settings.FACETPATH_SMS_TOKEN
        if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
            raise ImproperlyConfigured(
                "FACETPATH_SMS_URL must be an https:// address for the http SMS backend"
            )
        if not token:
            raise ImproperlyConfigured("FACETPATH_SMS_TOKEN is required for the http SMS backend")
        return HttpSms(url, token, settings.FACETPATH_SMS_FROM)
    raise ImproperlyConfigured(f"FACETPATH_SMS_BACKEND={backend!r}: choose file, console or http")


def send_email(to: str, subject: str, body: str) -> str:
    try:
        send_mail(subject, body, None, [to], fail_silently=False)
    except Exception as error:  # any backend failure (SMTP, disk) is logged on the reminder, not raised
        raise DeliveryError(f"e-mail failed: {error}"[:300]) from error
    return "handed to the e-mail backend"
