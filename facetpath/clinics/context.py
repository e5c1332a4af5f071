"""Template context: the current clinic and what the user's role may do."""

from __future__ import annotations

from typing import Any

from django.db.models import F, IntegerField
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from facetpath.clinics.access import current_membership
from facetpath.clinics.models import Membership
from facetpath.clinics.roles import Capability
from facetpath.prepared import Param, Prepared


def clinic(request: HttpRequest) -> dict[str, Any]:
    membership = current_membership(request)
    if membership is None:
        return {"membership": None, "can": {}}
    return {
        "membership": membership,
        "clinic": membership.clinic,
        "can": {capability.value: membership.can(capability) for capability in Capability},
        # Lazy: only pages with the navigation ask; prepared: every staff page has it.
        "other_memberships": SimpleLazyObject(
            lambda: OTHER_MEMBERSHIPS(user=membership.user_id, membership=membership.pk)
        ),
    }


OTHER_MEMBERSHIPS = Prepared(
    lambda: (
        Membership.objects.filter(user_id=Param("user", IntegerField()))
        .exclude(pk=Param("membership", IntegerField()))
        .order_by("clinic__name")
        .values("clinic_id", clinic_name=F("clinic__name"))
    )
)
