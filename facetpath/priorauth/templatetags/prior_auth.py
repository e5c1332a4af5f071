"""`{% prior_auth_card patient %}`: the patient page's prior-authorization card, for the roles that handle
prior authorization (two small queries; the patient page's own read is already audited)."""

from __future__ import annotations

from typing import Any

from django import template

from facetpath.patients.models import Patient
from facetpath.priorauth.access import PRIOR_AUTH
from facetpath.priorauth.models import Coverage, Request

register = template.Library()
SHOWN = 3


@register.inclusion_tag("priorauth/_card.html", takes_context=True)
def prior_auth_card(context: Any, patient: Patient) -> dict[str, Any]:
    membership = context.get("membership")
    if membership is None or not membership.can(PRIOR_AUTH):
        return {"shown": False}
    requests = list(
        Request.objects.filter(patient=patient).only("date_of_service", "state", "utn")[: SHOWN + 1]
    )
    return {
        "shown": True,
        "patient": patient,
        "coverage": Coverage.objects.filter(patient=patient).first(),
        "requests": requests[:SHOWN],
        "count": len(requests) if len(requests) <= SHOWN else f"{SHOWN}+",
    }
