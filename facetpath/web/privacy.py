"""Middleware that keeps patient data off shared machines and bad input away from the database.

NoStoreMiddleware: no page of this app may be kept by a browser, a proxy or a shared computer's disk cache
(HIPAA's device and media controls): every response the app itself makes says `Cache-Control: no-store,
private`. Static files (served by WhiteNoise, earlier in the stack) keep their own caching.

RejectNulMiddleware: a NUL character cannot be stored or compared in PostgreSQL text, so a query string
holding one (an admin search `?q=%00`, a filter) would end in an HTTP 500 wherever it reaches a query. No
page has a use for one: such a request is answered 400 before any view runs. (Paths reach the database only
through converters that refuse a NUL, or hashed, so a forged link with one still answers 404.)
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        held = [
            key
            for key, values in request.GET.lists()
            if "\x00" in key or any("\x00" in value for value in values)
        ]
        if not held:
            return self.get_response(request)
        if request.path.startswith("/api/"):  # the JSON API answers in its own shape, naming the field
            field = held[0].replace("\x00", "\\x00")
            return JsonResponse(
                {
                    "detail": "A NUL character (%00) in the query",
                    "errors": [{"field": field, "message": "holds a NUL character"}],
                },
                status=400,
            )
        return HttpResponseBadRequest(
            "This address's query holds a NUL character (%00), which no page accepts.",
            content_type="text/plain",
        )
