"""The clinic's settings and the read-only audit trail in the clinic admins' Django admin
(the site itself: facetpath/clinics/admin.py).

Staff and roles are not in the admin: the app's Team page (facetpath/web/team.py) invites people by e-mail
and audits every change, where the admin's membership form took any account by its id.
"""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from facetpath.audit.log import audit
from facetpath.audit.models import AuditEvent
from facetpath.clinics.admin import ScopedAdmin, admin_clinic_ids, clinic_admin_site
from facetpath.clinics.forms import ClinicForm
from facetpath.clinics.models import Clinic


@admin.register(Clinic, site=clinic_admin_site)
class ClinicAdmin(ScopedAdmin):
    clinic_field = "id"
    form = ClinicForm  # the time zone is chosen from the zoneinfo names, not typed
    list_display = ["name", "time_zone", "default_policy", "phone"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = ", ".join(form.changed_data) if change else "new clinic"
            audit(request, "clinic-settings", obj, detail=changed, clinic=obj)


@admin.register(AuditEvent, site=clinic_admin_site)
class AuditEventAdmin(ScopedAdmin):
    """Read-only: nobody edits or deletes the audit trail from the app."""

    list_display = ["when", "username", "action", "patient", "object_type", "object_id", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_id", "detail"]
    date_hierarchy = "when"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # The trail names patients, so reading it here is a read of patient data, as on the app's audit page:
    # one entry in each clinic whose trail the admin sees, naming the search and filters used.
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            asked = "&".join(f"{key}={value}" for key, value in request.GET.items())
            self._audit_read(request, f"audit trail in the admin{' (' + asked + ')' if asked else ''}")
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            self._audit_read(request, f"audit entry {object_id} in the admin")
        return response

    def _audit_read(self, request: HttpRequest, detail: str) -> None:
        for clinic in Clinic.objects.filter(id__in=admin_clinic_ids(request)):
            audit(request, "view", detail=detail, clinic=clinic)
