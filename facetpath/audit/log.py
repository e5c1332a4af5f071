"""`audit()`: the one function that writes the audit trail."""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest

from facetpath.audit.models import AuditEvent
from facetpath.audit.request import client_ip, path_without_token
from facetpath.clinics.models import ApiToken, Clinic


def _text(value: str) -> str:
    return value.replace("\x00", "")[:300]  # PostgreSQL text cannot hold NUL


def audit(
    request: HttpRequest,
    action: str,
    obj: models.Model | None = None,
    patient: models.Model | None = None,  # a Patient: audit stands below the patients app
    detail: str = "",
    *,
    clinic: Clinic | None = None,
    actor: str = "",
) -> None:
    """Records that the signed-in user did `action` (view, create, update, sign, amend, search…) on `obj`.

    `clinic` names the clinic whose record it is when that is not the session's clinic (a patient's diary
    link, an invitation being accepted); without a signed-in user `actor` names who acted ("patient link").
    """
    # An API call acts as its token (facetpath.api).
    token: ApiToken | None = getattr(request, "api_token", None)
    who_id: int | None
    clinic_id: int | None
    if token is not None:
        # The trail names the token (number and name, never the secret) in its clinic, not a staff session
        # the same browser may also hold.
        who_id, username, clinic_id = None, token.actor, token.clinic_id
    else:
        user = request.user if request.user.is_authenticated else None
        membership = getattr(request, "membership", None)
        # A named clinic wins: joining a clinic is recorded there, whichever clinic the session was in.
        at_clinic = clinic or (membership.clinic if membership else None)
        who_id = user.pk if user else None
        username = user.get_username() if user else actor
        clinic_id = at_clinic.pk if at_clinic else None
    AuditEvent.objects.create(  # chained and hashed in AuditEvent.save
        who_id=who_id,
        username=username,
        clinic_id=clinic_id,
        action=action,
        patient_id=patient.pk if patient else None,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip=client_ip(request),
        path=_text(path_without_token(request)),
        detail=_text(detail),
    )
