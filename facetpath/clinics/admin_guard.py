"""The Django admin answers a bad filter as it answers any other: back to the list with "invalid" (no 500).

Django turns most impossible lookups (month 13, a year of letters) into IncorrectLookupParameters, but a date
hierarchy's last day of year 9999 or a year too large for a C long overflows instead: those become the same.
NUL characters in filters and searches never get this far (facetpath.web.privacy.RejectNulMiddleware).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpRequest


class BadLookupsAreInvalid(admin.ModelAdmin):
    def get_changelist_instance(self, request: HttpRequest) -> Any:
        try:
            return super().get_changelist_instance(request)
        except OverflowError as exc:  # a date filter past 9999-12-31, or a number past the machine's
            raise IncorrectLookupParameters(exc) from exc
        except ValueError as exc:  # a value the database cannot take: PostgreSQL's inet for `?ip=junk`
            raise IncorrectLookupParameters(exc) from exc
