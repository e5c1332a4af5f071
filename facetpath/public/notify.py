"""E-mail for the public forms: a confirmation to the sender, and a nudge to the clinic's staff.

The confirmation goes out in the language the sender used. The staff message names no health detail (it
travels by ordinary e-mail); it links to the request in the queue, where reading it is audited.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from facetpath.public.models import ContactRequest

log = logging.getLogger(__name__)


def acknowledge(item: ContactRequest) -> bool:
    """Sends the confirmation; False when there is no address or the mail server refused it."""
    if not item.email:
        return False
    with translation.override(item.language):
        context = {"item": item, "clinic": item.clinic}
        subject = render_to_string("public/email/ack_subject.txt", context).strip()
        body = render_to_string("public/email/ack.txt", context)
    return _send(subject, body, [item.email], reply_to=item.clinic.email)


def notify_staff(item: ContactRequest, link: str) -> bool:
    if not item.clinic.email:
        return False
    with translation.override("en"):
        subject = f"New {item.get_kind_display().lower()} on the website (#{item.pk})"
        body = render_to_string("public/email/staff.txt", {"item": item, "link": link})
    return _send(subject, body, [item.clinic.email])


def _send(subject: str, body: str, to: list[str], reply_to: str = "") -> bool:
    try:
        message = EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, to, reply_to=[reply_to] if reply_to else None
        )
        return bool(message.send())
    except Exception:  # a mail outage must not lose the request, which is already saved
        log.exception("could not send %r", subject)
        return False
