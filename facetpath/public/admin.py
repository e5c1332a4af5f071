"""Clinic admins edit their public site without a deploy: the profile (slug, hours) and each page's Markdown.

The clinic's name, address, phone, e-mail and insurance networks are edited on the Clinic itself (same admin).
Requests and questions are patient data and stay out of the admin: the audited queue shows them.
"""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from facetpath.clinics.models import Clinic
from facetpath.public.models import EducationPage, PublicProfile
from facetpath.web.admin import ScopedAdmin, admin_clinic_ids, clinic_admin_site


class OwnClinicOnly(ScopedAdmin):
    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "clinic" and not request.user.is_superuser:
            kwargs["queryset"] = Clinic.objects.filter(id__in=admin_clinic_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PublicProfile, site=clinic_admin_site)
class PublicProfileAdmin(OwnClinicOnly):
    list_display = ["clinic", "slug", "published"]


@admin.register(EducationPage, site=clinic_admin_site)
class EducationPageAdmin(OwnClinicOnly):
    list_display = ["topic", "language", "title", "clinic", "updated_at"]
    list_filter = ["topic", "language"]
    search_fields = ["title", "body"]
