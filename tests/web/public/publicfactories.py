"""Helpers for the public-site tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from facetpath.clinics.models import Clinic
from facetpath.public.models import ContactRequest, PublicProfile, hash_client


def publish(clinic: Clinic, slug: str | None = None) -> PublicProfile:
    profile = PublicProfile.for_clinic(clinic)
    if slug:
        profile.slug = slug
        profile.save()
    return profile


def good_request(**extra: Any) -> dict[str, Any]:
    values = {
        "given_name": "Rosa",
        "family_name": "Delgado",
        "phone": "555-0101",
        "email": "rosa@example.org",
        "pain_area": "low-back",
        "pain_duration": "over-1-year",
        "contact_times": "mornings",
        "insurance": "Medicare",
        "referral": "no",
        "message": "It hurts when I stand.",
        "consent": "on",
    }
    values.update(extra)
    return values


def make_request(clinic: Clinic, hours_ago: float = 1, **extra: Any) -> ContactRequest:
    values: dict[str, Any] = {
        "given_name": "Tom",
        "family_name": "Becker",
        "phone": "555-0102",
        "email": "tom@example.org",
        "pain_area": "neck",
        "pain_duration": "3-12-months",
        "consent": True,
        "client_hash": hash_client("192.0.2.1"),
        "created_at": timezone.now() - timedelta(hours=hours_ago),
    }
    values.update(extra)
    return ContactRequest.objects.create(clinic=clinic, **values)
