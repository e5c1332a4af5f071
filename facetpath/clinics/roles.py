"""Staff roles in a clinic and what each may do. docs/roles.md explains the choices."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Nurse"
    FRONTDESK = "frontdesk", "Front desk"
    ADMIN = "admin", "Clinic admin"


class Capability(models.TextChoices):
    VIEW_PATIENTS = "view_patients", "see the patient list, demographics and the worklist"
    EDIT_DEMOGRAPHICS = "edit_demographics", "add patients and change their contact details"
    VIEW_CLINICAL = "view_clinical", "read assessments, procedures, diaries and results"
    EDIT_CLINICAL = "edit_clinical", "record assessments, procedures, diary scores and follow-ups"
    SIGN_OFF = "sign_off", "sign off an interpretation"
    VIEW_AUDIT = "view_audit", "read the audit trail and change the clinic's settings"
    MANAGE_STAFF = "manage_staff", "invite staff, change other members' roles, remove members"
    MANAGE_API_TOKENS = "manage_api_tokens", "make and revoke the clinic's API tokens for outside systems"


GRANTS: dict[str, frozenset[str]] = {
    Role.PHYSICIAN: frozenset(
        {
            Capability.VIEW_PATIENTS,
            Capability.EDIT_DEMOGRAPHICS,
            Capability.VIEW_CLINICAL,
            Capability.EDIT_CLINICAL,
            Capability.SIGN_OFF,
        }
    ),
    Role.NURSE: frozenset(
        {
            Capability.VIEW_PATIENTS,
            Capability.EDIT_DEMOGRAPHICS,
            Capability.VIEW_CLINICAL,
            Capability.EDIT_CLINICAL,
        }
    ),
    Role.FRONTDESK: frozenset({Capability.VIEW_PATIENTS, Capability.EDIT_DEMOGRAPHICS}),
    Role.ADMIN: frozenset(
        {
            Capability.VIEW_PATIENTS,
            Capability.VIEW_AUDIT,
            Capability.MANAGE_STAFF,
            Capability.MANAGE_API_TOKENS,
        }
    ),
}


def role_can(role: str, capability: str) -> bool:
    return capability in GRANTS.get(role, frozenset())
