"""`facetpath manage addstaff USERNAME --clinic NAME --role ROLE`: a staff account with a role in a clinic."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from facetpath.clinics.models import Clinic, Membership
from facetpath.clinics.roles import Role


class Command(BaseCommand):
    help = (
        "Creates a staff account (or reuses one) and gives it a role in a clinic, creating the clinic if new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--clinic", required=True, help="clinic name")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="", help="where a forgotten-password link is sent")
        parser.add_argument(
            "--password-env", help="read the password from this environment variable instead of prompting"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        clinic, created = Clinic.objects.get_or_create(name=options["clinic"])
        user_model = get_user_model()
        user = user_model.objects.filter(username=options["username"]).first()
        if user is None:
            user = user_model(
                username=options["username"], first_name=options["first_name"], last_name=options["last_name"]
            )
            user.set_password(self._password(options, user))
        if options["email"]:
            user.email = options["email"]
        user.save()
        Membership.objects.update_or_create(user=user, clinic=clinic, defaults={"role": options["role"]})
        made = " (new clinic: set its time zone and policy in the admin)" if created else ""
        self.stdout.write(f"{user.get_username()} is {options['role']} at {clinic.name}{made}")

    def _password(self, options: dict[str, Any], user: Any) -> str:
        env = options.get("password_env")
        password = os.environ.get(env, "") if env else getpass.getpass("Password: ")
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        return password
