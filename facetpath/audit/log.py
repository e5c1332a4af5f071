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
    token = getattr(request, "api_token", None)  # an API call acts as its token (facetpath.api)
    if token is not None:
        _audit_token(request, token, action, obj, patient, detail)
        return
    user = request.user if request.user.is_authenticated else None
    membership = getattr(request, "membership", None)
    # A named clinic wins: joining a clinic is recorded there, whichever clinic the session was in.
    at_clinic = clinic or (membership.clinic if membership else None)
    AuditEvent.objects.create(  # chained and hashed in AuditEvent.save
        who_id=user.pk if user else None,
        username=user.get_username() if user else actor,
        clinic_id=at_clinic.pk if at_clinic else None,
        action=action,
        patient_id=patient.pk if patient else None,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip=client_ip(request),
        path=_text(path_without_token(request)),
        detail=_text(detail),
    )


def _audit_token(
    request: HttpRequest,
    token: ApiToken,
    action: str,
    obj: models.Model | None,
    patient: models.Model | None,
    detail: str,
) -> None:
    """A request made with an API token is the token's, in its clinic: the trail names the token (number
    and name, never the secret), not a staff session the same browser may also hold."""
    AuditEvent.objects.create(
        who_id=None,
        username=token.actor,
        clinic_id=token.clinic_id,
        action=action,
        patient_id=patient.pk if patient else None,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip=client_ip(request),
        path=_text(path_without_token(request)),
        detail=_text(detail),
    )
