"""Demo content for the public site: called by the demo loader with the demo clinic."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from facetpath.clinics.models import Clinic
from facetpath.public.content import install_defaults
from facetpath.public.models import ContactRequest, PublicProfile, hash_client

# (hours ago, kind, status, first, last, area, duration, message); every person here is made up.
DEMO_REQUESTS = [
    (2, "appointment", "new", "Rosa", "Delgado", "low-back", "over-1-year", "Pain when I stand up."),
    (21, "appointment", "new", "Tom", "Becker", "neck", "3-12-months", "Headaches and a stiff neck."),
    (30, "appointment", "new", "Amal", "Haddad", "low-back", "3-12-months", ""),
    (50, "appointment", "contacted", "Lena", "Novak", "mid-back", "over-1-year", "Best after 5 pm."),
    (75, "appointment", "scheduled", "Joe", "Park", "low-back", "over-1-year", "My doctor sent me."),
    (100, "appointment", "declined", "Sam", "Ortiz", "not-sure", "under-6-weeks", "Hurt it last week."),
    (5, "question", "new", "María", "López", "", "", "¿Puedo seguir tomando mis pastillas para la presión?"),
]


def load_demo_public(clinic: Clinic) -> None:
    """The clinic's public profile and pages, and a handful of requests of different ages and statuses."""
    profile = PublicProfile.for_clinic(clinic)
    if not profile.hours:
        profile.hours = "Monday to Friday: 8 am to 5 pm\nSaturday: 9 am to 12 pm"
        profile.save(update_fields=["hours"])
    install_defaults(clinic)
    if ContactRequest.objects.filter(clinic=clinic).exists():
        return  # loaded before: keep what staff did with them
    now = timezone.now()
    staff = get_user_model().objects.filter(memberships__clinic=clinic, memberships__role="frontdesk").first()
    for hours, kind, status, given, family, area, duration, message in DEMO_REQUESTS:
        created = now - timedelta(hours=hours)
        answered = status != "new"
        ContactRequest.objects.create(
            clinic=clinic,
            kind=kind,
            given_name=given,
            family_name=family,
            phone="555-0100",
            email=f"{given.lower()}@example.org".replace("í", "i"),
            pain_area=area,
            pain_duration=duration,
            contact_times="Mornings" if kind == "appointment" else "",
            insurance="Medicare" if kind == "appointment" else "",
            referral="yes" if status == "scheduled" else "not-sure" if kind == "appointment" else "",
            message=message,
            consent=True,
            language="es" if given == "María" else "en",
            client_hash=hash_client(f"demo-{given}"),
            created_at=created,
            acknowledged=True,
            status=status,
            status_by=staff if answered else None,
            status_at=created + timedelta(hours=3) if answered else None,
        )
