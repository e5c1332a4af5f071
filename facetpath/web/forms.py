"""Forms of the clinic admin's team page and of the invitation a new member accepts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User

from facetpath.clinics.models import Clinic, Invitation, Membership
from facetpath.clinics.roles import Role


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", help_text="The invitation link goes to this address.")
    role = forms.ChoiceField(label="Role", choices=Role.choices)

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(clinic=self.clinic, user__email__iexact=email).exists():
            raise forms.ValidationError("Someone with this address is already a member of the clinic.")
        if Invitation.objects.open().filter(clinic=self.clinic, email__iexact=email).exists():
            raise forms.ValidationError(
                "An invitation to this address is still open: withdraw it first to send a new one."
            )
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class NewAccountForm(forms.Form):
    """The account an invited person makes for themselves; the e-mail address is the invitation's."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    username = forms.RegexField(
        label="User name",
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": "Use letters, digits and @ . + - _ only."},
        help_text="What you type to sign in.",
    )
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This user name is taken: choose another.")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            candidate = User(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=self.email,
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="Which system will use it, e.g. “EHR nightly import”. The audit trail names it so.",
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=[("read", "Read"), ("read-write", "Read and write")],
        initial="read",
        help_text="Read: patients, assessments, procedures, diaries, results and the schedule. Read and "
        "write: also add patients and record follow-up scores.",
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if "\x00" in name or not name.isprintable():
            raise forms.ValidationError("Use letters, digits, spaces and punctuation only.")
        return name
