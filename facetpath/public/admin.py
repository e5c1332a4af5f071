"""Clinic admins edit their public site without a deploy: the profile (slug, hours) and each page's Markdown.

The clinic's name, address, phone, e-mail and insurance networks are edited on the Clinic itself (same admin).
Requests and questions are patient data and stay out of the admin: the audited queue shows them.
"""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

from django.contrib import admin

from facetpath.clinics.admin import OwnClinicOnly, clinic_admin_site
from facetpath.public.models import EducationPage, PublicProfile


@admin.register(PublicProfile, site=clinic_admin_site)
class PublicProfileAdmin(OwnClinicOnly):
    list_display = ["clinic", "slug", "published"]


@admin.register(EducationPage, site=clinic_admin_site)
class EducationPageAdmin(OwnClinicOnly):
    list_display = ["topic", "language", "title", "clinic", "updated_at"]
    list_filter = ["topic", "language"]
    search_fields = ["title", "body"]
