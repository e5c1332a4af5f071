"""Shows dates and times in the clinic's own time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from facetpath.clinics.access import current_membership


class ClinicTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = current_membership(request) if request.user.is_authenticated else None
        if membership is not None:
            timezone.activate(zoneinfo.ZoneInfo(membership.clinic.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
