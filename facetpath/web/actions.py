"""Writes of the clinic admin's team page: invitations, roles and memberships, each audited in its own
transaction (the change and its audit row commit together or not at all).

A clinic admin manages their own clinic only: every function takes the acting membership, and the rows it
changes are looked up inside that membership's clinic by the views (`facetpath.web.team`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from facetpath.audit.log import audit
from facetpath.clinics.access import SESSION_KEY
from facetpath.clinics.api_tokens import make_api_token
from facetpath.clinics.models import INVITATION_VALID_DAYS, ApiToken, Invitation, Membership
from facetpath.clinics.tokens import hash_token, new_token

log = logging.getLogger(__name__)


class TeamError(Exception):
    """A change the clinic admin may not make; the message says why, in words for the page."""


def invite_staff(request: HttpRequest, by: Membership, email: str, role: str) -> tuple[Invitation, bool]:
    """Records an invitation and e-mails its link; returns it and whether the mail went out."""
    token = new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            clinic=by.clinic,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=by.user,
            expires_at=timezone.now() + timedelta(days=INVITATION_VALID_DAYS),
        )
        audit(request, "staff-invite", invitation, detail=f"{email} as {invitation.get_role_display()}")
    link = request.build_absolute_uri(reverse("join", args=[token]))
    return invitation, _send_invitation(invitation, link)


def _send_invitation(invitation: Invitation, link: str) -> bool:
    context = {"invitation": invitation, "clinic": invitation.clinic, "link": link}
    subject = render_to_string("web/email/invitation_subject.txt", context).strip()
    body = render_to_string("web/email/invitation.txt", context)
    try:
        return bool(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send())
    except Exception:  # the invitation is saved; the page says the mail failed and the admin can resend
        log.exception("could not send the invitation to %s", invitation.clinic)
        return False


def withdraw_invitation(request: HttpRequest, invitation: Invitation) -> None:
    with transaction.atomic():
        changed = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if not changed:
            raise TeamError("This invitation was already accepted or withdrawn.")
        audit(request, "staff-invite-withdraw", invitation, detail=invitation.email)


def change_role(request: HttpRequest, by: Membership, target: Membership, role: str) -> None:
    if target.pk == by.pk:
        raise TeamError("You cannot change your own role: ask another clinic admin.")
    if target.role == role:
        return
    before = target.get_role_display()
    with transaction.atomic():
        target.role = role
        target.save(update_fields=["role"])
        audit(
            request,
            "staff-role",
            target,
            detail=f"{target.user.get_username()}: {before} → {target.get_role_display()}",
        )


def remove_member(request: HttpRequest, by: Membership, target: Membership) -> None:
    if target.pk == by.pk:
        raise TeamError("You cannot remove yourself from the clinic: ask another clinic admin.")
    with transaction.atomic():
        audit(
            request,
            "staff-remove",
            target,
            detail=f"{target.user.get_username()} ({target.get_role_display()})",
        )
        target.delete()


def open_invitation(token: str) -> Invitation | None:
    """The open invitation whose link carries `token`, or None (unknown, expired, used or withdrawn)."""
    found = Invitation.objects.select_related("clinic").filter(token_hash=hash_token(token)).first()
    return found if found is not None and found.is_open else None


def accept_invitation(request: HttpRequest, invitation: Invitation, user: User) -> Membership:
    """`user` joins the invitation's clinic in its role; the session switches to that clinic."""
    if user.email.strip().lower() != invitation.email.lower():
        raise TeamError(
            f"This invitation was sent to {invitation.email}; you are signed in as someone else. "
            "Sign out, then open the link again."
        )
    with transaction.atomic():
        # Claimed with a conditional update: of two tabs accepting at once, one wins.
        claimed = (
            Invitation.objects.open()
            .filter(pk=invitation.pk)
            .update(accepted_at=timezone.now(), accepted_by=user)
        )
        if not claimed:
            raise TeamError("This invitation was already used or has been withdrawn.")
        if Membership.objects.filter(user=user, clinic=invitation.clinic).exists():
            raise TeamError(f"You are already a member of {invitation.clinic}.")
        membership = Membership.objects.create(user=user, clinic=invitation.clinic, role=invitation.role)
        audit(
            request,
            "staff-join",
            membership,
            detail=f"{user.get_username()} as {membership.get_role_display()} (invited as {invitation.email})",
            clinic=invitation.clinic,
        )
    request.session[SESSION_KEY] = invitation.clinic_id
    return membership


def create_account_and_join(
    request: HttpRequest,
    invitation: Invitation,
    first_name: str,
    last_name: str,
    username: str,
    password: str,
) -> Membership:
    """A new staff account for the invited address, signed in, and a member of the clinic."""
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=username,
                email=invitation.email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
            # Signed in first, so the audit row of the join names the new account.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return accept_invitation(request, invitation, user)
    except TeamError:
        logout(request)  # the account was rolled back with the failed join
        raise


def create_api_token(request: HttpRequest, by: Membership, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new API token of the admin's clinic and its secret (shown once on the page, then never again)."""
    with transaction.atomic():
        token, secret = make_api_token(by.clinic, name, scope, by=by.user)
        audit(request, "api-token-create", token, detail=f"{token.name} ({token.get_scope_display()})")
    return token, secret


def revoke_api_token(request: HttpRequest, by: Membership, token: ApiToken) -> None:
    """Revokes the token at once, for the API and FHIR alike; a revoked token stays listed."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=timezone.now(), revoked_by=by.user
        )
        if not changed:
            raise TeamError("This token was already revoked.")
        audit(request, "api-token-revoke", token, detail=token.name)
