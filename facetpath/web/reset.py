"""Asking for a password-reset link: the same work and the same answer whether or not the address has an
account, and a limit on how often one can ask.

Django's own view looks the address up and, only when it has an account, renders and sends the e-mail
while the person waits: the answer's timing told whether an address is a staff member's. Here the request
only queues a task with the address (one row, always); the worker (`facetpath worker`) looks it up and
sends the link. The link's address comes from FACETPATH_PUBLIC_URL, never from the request's Host header
(which whoever asks could set).

The limit: RESET_PER_ADDRESS requests from one client address and RESET_PER_EMAIL for one e-mail address
per RESET_WINDOW, counted in Django's cache (per process with the default local-memory cache: set a shared
cache such as the database cache to count across processes). Past it the answer is 429 whatever the address.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.tasks import task

from facetpath.audit.request import client_ip

RESET_PER_ADDRESS = 10
RESET_PER_EMAIL = 3
RESET_WINDOW = 60 * 60  # seconds


@task
def send_reset_link(email: str) -> None:
    """Sends the link to every active account with this address (none: nothing is sent)."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    public = urlsplit(settings.FACETPATH_PUBLIC_URL)
    form.save(domain_override=public.netloc, use_https=public.scheme == "https")


def _count(key: str) -> int:
    cache.add(key, 0, RESET_WINDOW)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, RESET_WINDOW)
        return 1


def too_many_requests(email: str, ip: str | None) -> bool:
    # Both counters move on every request, so neither tells anything about the other.
    by_email = _count("reset:email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest())
    by_address = _count(f"reset:ip:{ip or '-'}")
    return by_email > RESET_PER_EMAIL or by_address > RESET_PER_ADDRESS


class ResetRequestView(PasswordResetView):
    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        if too_many_requests(email, client_ip(self.request)):
            return render(self.request, "web/reset_limited.html", status=429)
        send_reset_link.enqueue(email)
        return HttpResponseRedirect(self.get_success_url())
