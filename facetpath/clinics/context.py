"""Template context: the current clinic and what the user's role may do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from facetpath.clinics.access import current_membership
from facetpath.clinics.roles import Capability


def clinic(request: HttpRequest) -> dict[str, Any]:
    membership = current_membership(request)
    if membership is None:
        return {"membership": None, "can": {}}
    return {
        "membership": membership,
        "clinic": membership.clinic,
        "can": {capability.value: membership.can(capability) for capability in Capability},
        "other_memberships": getattr(request, "other_memberships", []),  # read with the membership
    }
