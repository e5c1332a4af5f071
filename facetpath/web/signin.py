"""The one way in: password, then a second factor, with one throttle on every guess (docs/roles.md).

Every guess at a secret — the password on the sign-in page, a code from an authenticator app or a recovery
code, the password asked again before changing a factor, the token in a password-reset link — first claims
one of the guesses its account and its address have left in the current WINDOW. The claim is counted under
a row lock before the guess is checked, so requests sent at once are checked at most MAX_PER_ACCOUNT (or
MAX_PER_ADDRESS) times; a guess that turns out right gives its claim back. When either is used up, the guess
is refused without being checked, with the same message whether or not the account exists, and the refusal
is audited ("login-locked"), until the window that began with the first counted guess is over.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm, ReauthenticateForm
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as CodeAgainForm
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.decorators import method_decorator

from facetpath.audit.request import client_ip
from facetpath.audit.signals import record_sign_in
from facetpath.clinics.models import Membership
from facetpath.web.models import SignInGuesses

MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20
WINDOW = timedelta(minutes=15)
KEPT = timedelta(days=1)  # counts whose window ended this long ago are deleted (the audit trail keeps all)

LOCKED = "Too many failed sign-ins. Wait 15 minutes and try again, or ask your clinic's admin to check your account."


def account_name(value: object) -> str:
    return str(value or "").replace("\x00", "")[:150]


def _counters(username: str, ip: str | None) -> list[tuple[str, int]]:
    # Usernames are compared without case when signing in, so "Nurse-A" and "nurse-a" share one count.
    counters = [(f"account:{username.lower()}", MAX_PER_ACCOUNT)]
    if ip is not None:
        counters.append((f"address:{ip}", MAX_PER_ADDRESS))
    return counters


def claim_guess(username: str, ip: str | None) -> bool:
    """Count one guess against the account and the address; False, counting nothing, when either has none left."""
    now = timezone.now()
    SignInGuesses.objects.filter(started__lt=now - KEPT).delete()
    with transaction.atomic():
        claimed = []
        for key, limit in _counters(username, ip):
            SignInGuesses.objects.get_or_create(key=key, defaults={"started": now})
            # Locked until this transaction ends: a second request for the same key waits here and then
            # sees this one's count (SQLite's write lock, taken at BEGIN, does the same).
            row = SignInGuesses.objects.select_for_update().get(key=key)
            if row.started <= now - WINDOW:
                row.started, row.guesses = now, 0
                row.save(update_fields=["started", "guesses"])
            if row.guesses >= limit:
                return False
            claimed.append(row.pk)
        SignInGuesses.objects.filter(pk__in=claimed).update(guesses=F("guesses") + 1)
    return True


def give_back_guess(username: str, ip: str | None) -> None:
    """A guess that was right is not a failure: its claim is returned."""
    keys = [key for key, _ in _counters(username, ip)]
    SignInGuesses.objects.filter(key__in=keys, guesses__gt=0).update(guesses=F("guesses") - 1)


def refuse_locked(username: str, ip: str | None) -> ValidationError:
    record_sign_in(username, "login-locked", ip)
    return ValidationError(LOCKED, code="locked")


class StaffAccountAdapter(DefaultAccountAdapter):
    """Staff accounts are made by the clinic (`facetpath manage addstaff`), never by signing up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class SignInForm(LoginForm):
    """Username and password, the first step of the one sign-in page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""  # the page has its own "Forgotten your password?" link

    def clean(self) -> dict[str, Any]:
        username = account_name(self.data.get("login"))
        ip = client_ip(self.request) if self.request is not None else None
        if not claim_guess(username, ip):
            raise refuse_locked(username, ip)
        unchecked = bool(self._errors)  # a missing field: no password was tried
        cleaned = super().clean()  # raises ValidationError for a wrong password: the claim stays counted
        if unchecked or self.user is not None:
            give_back_guess(username, ip)
        return cleaned


class PasswordAgainForm(ReauthenticateForm):
    """The password asked again before a factor is added or removed."""

    def clean_password(self) -> str:
        username, ip = self.user.get_username(), client_ip(context.request)
        if not claim_guess(username, ip):
            raise refuse_locked(username, ip)
        password: str = super().clean_password()
        give_back_guess(username, ip)
        return password


class ThrottledCodeMixin:
    """A code from an authenticator app or a recovery code, counted like a password."""

    user: Any

    def clean_code(self) -> str:
        username, ip = self.user.get_username(), client_ip(context.request)
        if not claim_guess(username, ip):
            raise refuse_locked(username, ip)
        try:
            code: str = super().clean_code()  # type: ignore[misc]
        except ValidationError:
            record_sign_in(username, "login-failed", ip)
            raise
        give_back_guess(username, ip)
        return code


class SecondFactorForm(ThrottledCodeMixin, AuthenticateForm):
    """The second step of signing in."""


class SecondFactorAgainForm(ThrottledCodeMixin, CodeAgainForm):
    """A code asked again before a factor is changed, by an account that has one."""


@method_decorator(login_not_required, name="dispatch")
class ResetPasswordView(auth_views.PasswordResetConfirmView):
    """The link from a password-reset e-mail: the token in it is a guess like any other."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if kwargs.get("token") == self.reset_url_token:  # the token already checked, kept in the session
            return super().dispatch(request, *args, **kwargs)
        user = self.get_user(kwargs["uidb64"])
        username = user.get_username() if user is not None else f"reset:{kwargs['uidb64'][:40]}"
        ip = client_ip(request)
        if not claim_guess(username, ip):
            record_sign_in(username, "login-locked", ip)
            return TemplateResponse(
                request,
                "registration/password_reset_confirm.html",
                {"validlink": False, "locked": LOCKED},
                status=429,
            )
        response = super().dispatch(request, *args, **kwargs)
        if self.validlink:
            give_back_guess(username, ip)
        return response


def second_factor_missing(user: Any) -> bool:
    """True when one of the account's clinics requires a second factor for its role there and it has none."""
    required = any(
        membership.role in membership.clinic.mfa_required_roles
        for membership in Membership.objects.filter(user=user).select_related("clinic")
    )
    return required and not is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])


# What a signed-in account that still has to set up its second factor may open.
ENROLMENT_PAGES = frozenset({"account_reauthenticate", "account_logout", "logout", "login"})

ENROL_FIRST = (
    "Your clinic asks staff in your role to use a second factor. Set up an authenticator app or a passkey "
    "to continue."
)


class SecondFactorRequiredMiddleware:
    """Sends staff whose clinic requires a second factor for their role to enrolment until they have one."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        if not request.user.is_authenticated or request.resolver_match is None:
            return None
        if getattr(view, "login_required", True) is False:  # public pages, diary links, health check
            return None
        name = request.resolver_match.url_name or ""
        if name.startswith("mfa_") or name in ENROLMENT_PAGES or not second_factor_missing(request.user):
            return None
        messages.warning(request, ENROL_FIRST)
        return redirect("mfa_index")
