"""The reports' writes: the audit rows of reports made on the command line (the web views audit through
facetpath.audit.log.audit, which needs a request)."""

from __future__ import annotations

import getpass

from django.db import models

from facetpath.audit.models import AuditEvent
from facetpath.patients.models import Patient

COMMAND_LINE = "command line"


def do_audit_command(obj: models.Model, patient: Patient, detail: str, command: str) -> None:
    """One audit row in the patient's clinic: the operating-system account that ran `command` exported
    `obj` of `patient`. No address: nothing came over the network."""
    AuditEvent.objects.create(
        username=f"{COMMAND_LINE} ({_account()})"[:150],
        clinic_id=patient.clinic_id,
        action="export",
        patient=patient,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        path=command.replace("\x00", "")[:300],
        detail=detail,
    )


def _account() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "unknown account"
