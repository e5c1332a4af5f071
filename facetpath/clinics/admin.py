"""The Django admin site for clinic admins, and the base that keeps each of them inside their own clinics.

Apps register their models on `clinic_admin_site` with `ScopedAdmin` (facetpath/web/admin.py,
facetpath/public/admin.py). Patient records and staff memberships are not in the admin: the app's audited
pages handle those.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from facetpath.clinics.admin_guard import BadLookupsAreInvalid
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
        # One way in: the app's sign-in, with its throttle, rather than the admin's own form.
        return redirect_to_login(request.GET.get("next") or reverse("clinic-admin:index"))


clinic_admin_site = ClinicAdminSite(name="clinic-admin")


class ScopedAdmin(BadLookupsAreInvalid):
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


class OwnClinicOnly(ScopedAdmin):
    """A model with a `clinic` field: its form offers only the admin's own clinics."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "clinic" and not request.user.is_superuser:
            kwargs["queryset"] = Clinic.objects.filter(id__in=admin_clinic_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
