"""The clinic admin's API tokens page: make a token for an outside system (shown once), revoke one.

Tokens are looked up inside the admin's current clinic: another clinic's token answers 404. Making and
revoking are audited (`facetpath.web.actions`); the secret never reaches a log, the trail or the database.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from facetpath.audit.log import audit
from facetpath.clinics.access import require, row_id
from facetpath.clinics.api_tokens import requests_per_minute
from facetpath.clinics.models import ApiToken, Membership
from facetpath.clinics.roles import Capability
from facetpath.web import actions
from facetpath.web.forms import ApiTokenForm


def api_tokens(request: HttpRequest) -> HttpResponse:
    admin = require(request, Capability.MANAGE_API_TOKENS)
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, secret = actions.create_api_token(
            request, admin, form.cleaned_data["name"], form.cleaned_data["scope"]
        )
        # Shown on this answer only, never redirected through a message or a session (which a log or
        # another tab could keep): reloading the page does not show it again.
        return _render(request, admin, ApiTokenForm(), made=token, secret=secret)
    return _render(request, admin, form, status=400 if form.errors else 200)


def _render(
    request: HttpRequest,
    admin: Membership,
    form: ApiTokenForm,
    status: int = 200,
    made: ApiToken | None = None,
    secret: str = "",
) -> HttpResponse:
    tokens = ApiToken.objects.select_related("created_by", "revoked_by").filter(clinic=admin.clinic)[:100]
    audit(request, "view", detail="API tokens")
    context = {
        "tokens": tokens,
        "form": form,
        "made": made,
        "secret": secret,
        "per_minute": requests_per_minute(),
        "api_base": request.build_absolute_uri("/api/v1/"),
    }
    return render(request, "web/api_tokens.html", context, status=status)


@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    admin = require(request, Capability.MANAGE_API_TOKENS)
    token = ApiToken.objects.filter(pk=row_id(token_id), clinic=admin.clinic).first()
    if token is None:
        raise Http404("No such API token in this clinic.")
    try:
        actions.revoke_api_token(request, admin, token)
    except actions.TeamError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"The token “{token.name}” is revoked: it opens nothing from now on.")
    return redirect("api-tokens")
