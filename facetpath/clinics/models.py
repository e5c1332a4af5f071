"""Clinics and the staff who work in them."""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

import zoneinfo
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from facetpath.clinics.roles import Role, role_can

POLICY_CHOICES = [
    ("medicare-lcd", "Medicare LCD (two blocks, 80 %)"),
    ("consensus-2020", "Consensus 2020 (one block, 50 %)"),
    ("sis", "Spine Intervention Society (dual comparative, 80 %)"),
]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f'"{value}" is not a time zone name such as America/Chicago')


class RoleSetField(models.JSONField):  # type: ignore[type-arg]
    """A set of staff roles, kept as a JSON list and edited as one checkbox per role."""

    def formfield(self, **kwargs: Any) -> Any:
        return forms.MultipleChoiceField(
            choices=Role.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name.capitalize(),
            help_text=self.help_text,
        )


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    default_policy = models.CharField(max_length=32, choices=POLICY_CHOICES, default="medicare-lcd")
    phone = models.CharField(max_length=40, blank=True)
    emergency_number = models.CharField(
        max_length=6,
        default="911",
        validators=[RegexValidator(r"^[0-9]{2,6}$", "Digits only, as dialled: 911, 112, 000, 999 …")],
        help_text="What patients dial for emergency services where the clinic is: every warning sign, "
        "discharge sheet and public page that says to call emergency services shows it.",
    )
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    insurance_networks = models.TextField(blank=True, help_text="One payer or network per line.")
    mfa_required_roles = RoleSetField(
        "roles that must use a second factor",
        default=list,
        blank=True,
        help_text="Staff in these roles set up an authenticator app or a passkey at their next sign-in and "
        "can do nothing else until they have (docs/roles.md).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def today(self) -> date:
        """Today's date where the clinic is, which is what 'today's procedures' means."""
        return timezone.now().astimezone(zoneinfo.ZoneInfo(self.time_zone)).date()

    @property
    def networks(self) -> list[str]:
        return [line.strip() for line in self.insurance_networks.splitlines() if line.strip()]


class Membership(models.Model):
    """A staff account's role in one clinic; the same account may work in several clinics."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "clinic"], name="one_role_per_clinic")]
        ordering = ["clinic__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} at {self.clinic}"

    def can(self, capability: str) -> bool:
        return role_can(self.role, capability)


INVITATION_VALID_DAYS = 7


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Neither accepted nor withdrawn, and not yet expired."""
        return self.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A clinic admin's invitation for a person, by e-mail address, to join the clinic in a role.

    Staff join only this way (or through `facetpath manage addstaff` on the server): nobody picks an existing
    account by its id. The link's token is the proof that its holder reads that mailbox; only its hash is kept.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()} at {self.clinic}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at=None)


class ApiToken(models.Model):
    """A clinic's key for an outside system (the EHR, the billing system) to the JSON API and FHIR.

    Made and revoked by a clinic admin on the API tokens page. The secret is shown once, when it is made;
    only its SHA-256 is kept (`facetpath.clinics.tokens`), so a leaked database opens nothing. A read token
    reads the clinic's records; a read-write token may also make the writes the API offers. Every use is
    audited in the token's name (`facetpath.clinics.api_tokens`).
    """

    class Scope(models.TextChoices):
        READ = "read", "Read"
        READ_WRITE = "read-write", "Read and write"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="Which system uses it, e.g. “EHR nightly import”.")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    # The first characters of the secret, shown on the page so an admin can tell tokens apart; too short
    # to guess the rest from.
    prefix = models.CharField(max_length=12)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_scope_display()}) at {self.clinic}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE

    @property
    def actor(self) -> str:
        """Who the audit trail says acted: the token, by number and name (never its secret)."""
        return f"API token {self.pk} ({self.name})"[:150]
