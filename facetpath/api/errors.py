"""Every refusal of the API as one JSON shape, `{"detail": …, "errors": [{"field": …, "message": …}]}`,
naming the field (a query parameter, a body field, a case's JSON path): bad input is a 4xx, never a 5xx."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from facetpath.api.auth import TooManyRequests


class FieldProblem(Exception):
    """Input the API refuses, naming the field (422)."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(f"{field}: {message}")
        self.errors = [{"field": field, "message": message}]
        self.status = status


class CaseProblems(Exception):
    """A case document the core refused: each message starts with the JSON path it names."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.errors = [{"field": _path_of(message), "message": message} for message in messages]


def _path_of(message: str) -> str:
    """`procedures[1].joints[0]: "L6-S1" is not a facet joint` → `procedures[1].joints[0]`."""
    head, colon, _ = message.partition(": ")
    return head if colon and " " not in head else "case"


def _field(location: Any) -> str:
    """ninja's error location (["query", "since"], ["body", "payload", "pain"]) as the name a client sent."""
    parts = [str(part) for part in location if part not in ("query", "path", "body", "payload")]
    return ".".join(parts) or "body"


def error(api: NinjaAPI, request: HttpRequest, status: int, detail: str, errors: list[Any]) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors}, status=status)


def install(api: NinjaAPI) -> None:
    """Replaces ninja's default answers with ours (same statuses, fields named)."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))} for e in exc.errors
        ]
        return error(api, request, 422, "Invalid input: " + ", ".join(e["field"] for e in errors), errors)

    @api.exception_handler(FieldProblem)
    def refused(request: HttpRequest, exc: FieldProblem) -> HttpResponse:
        return error(api, request, exc.status, str(exc), exc.errors)

    @api.exception_handler(CaseProblems)
    def bad_case(request: HttpRequest, exc: CaseProblems) -> HttpResponse:
        return error(api, request, 422, "Invalid case", exc.errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error(
            api, request, 401, "An API token is needed: send `Authorization: Bearer <token>`.", []
        )
        response["WWW-Authenticate"] = 'Bearer realm="facetpath"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError):
            return error(
                api, request, 400, "The body is not JSON", [{"field": "body", "message": "not valid JSON"}]
            )
        return error(api, request, exc.status_code, str(exc), [])

    @api.exception_handler(TooManyRequests)
    def throttled(request: HttpRequest, exc: TooManyRequests) -> HttpResponse:
        response = error(api, request, 429, str(exc), [])
        response["Retry-After"] = str(exc.wait)
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error(api, request, 404, str(exc) or "Not found", [])
