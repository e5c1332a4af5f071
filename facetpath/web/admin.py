"""Django admin for clinic admins only: their clinic's settings, the public site's pages and the read-only
audit trail.

Patient records are not in the admin: they are read and changed only through the audited app pages. Staff
and roles are not either: the app's Team page (facetpath/web/team.py) invites people by e-mail and audits
every change, where the admin's membership form took any account by its id. Sign-in is the app's own
(one throttled path), so the admin's login page sends people there.
"""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from facetpath.audit.log import audit
from facetpath.audit.models import AuditEvent
from facetpath.clinics.models import Clinic, Membership
from facetpath.clinics.roles import Role


def admin_clinic_ids(request: HttpRequest) -> list[int]:
    if not request.user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=request.user, role=Role.ADMIN).values_list("clinic_id", flat=True)
    )


class ClinicAdminSite(admin.AdminSite):
    site_header = "facetpath · clinic administration"
    site_title = "facetpath admin"
    index_title = "Your clinic"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and (request.user.is_superuser or admin_clinic_ids(request)))

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return redirect_to_login(request.GET.get("next") or reverse("clinic-admin:index"))


clinic_admin_site = ClinicAdminSite(name="clinic-admin")


class ScopedAdmin(admin.ModelAdmin):
    """Shows and changes only rows of the clinics where the user is a clinic admin."""

    clinic_field = "clinic_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.clinic_field}__in": admin_clinic_ids(request)})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return clinic_admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return clinic_admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return clinic_admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return clinic_admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return clinic_admin_site.has_permission(request)


@admin.register(Clinic, site=clinic_admin_site)
class ClinicAdmin(ScopedAdmin):
    clinic_field = "id"
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
