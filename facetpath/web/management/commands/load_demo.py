"""`facetpath manage load_demo`: (re)creates the demo clinic with synthetic patients in every stage."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from facetpath.web.demo import load_demo


class Command(BaseCommand):
    help = "Creates or refreshes the demo clinic: staff logins and synthetic patients in every stage."

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = load_demo()
        self.stdout.write(f"Demo clinic ready: {clinic.name} ({clinic.patients.count()} patients)")
