"""Factories and personas shared by the web tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from facetpath.clinics.models import Clinic, Membership
from facetpath.clinics.roles import Role
from facetpath.patients.models import Assessment, Patient
from facetpath.procedures.models import DiaryScore, Procedure

PASSWORD = "a-long-test-password"
ROLES = [Role.PHYSICIAN, Role.NURSE, Role.FRONTDESK, Role.ADMIN]


def make_user(username: str, clinic: Clinic | None, role: str | None) -> User:
    user = User.objects.create_user(username, password=PASSWORD, first_name=username.title())
    if clinic is not None and role is not None:
        Membership.objects.create(user=user, clinic=clinic, role=role)
    return user


def make_patient(clinic: Clinic, mrn: str = "A-1", **extra: Any) -> Patient:
    values = {"given_name": "Ada", "family_name": "Lovelace", "birth_date": date(1960, 5, 1), "sex": "female"}
    values.update(extra)
    return Patient.objects.create(clinic=clinic, mrn=mrn, **values)


def make_assessment(patient: Patient, **extra: Any) -> Assessment:
    values: dict[str, Any] = {
        "date": date.today() - timedelta(days=40),
        "region": "lumbar",
        "index_pain": "axial low back pain",
        "pain_duration_months": 8,
        "axial_predominant": True,
        "pain_scale": "NRS-11",
        "baseline_pain": 8,
        "disability_instrument": "ODI",
        "disability_score": 44,
        "conservative_care": [{"modality": "physical therapy", "weeks": 10, "failed": True}],
    }
    values.update(extra)
    return Assessment.objects.create(patient=patient, **values)


def make_block(
    patient: Patient, days_ago: int = 3, diary: tuple[tuple[int, int], ...] = (), **extra: Any
) -> Procedure:
    values: dict[str, Any] = {
        "date": date.today() - timedelta(days=days_ago),
        "type": "mbb",
        "intent": "diagnostic",
        "joints": ["L4-L5", "L5-S1"],
        "side": "bilateral",
        "guidance": "fluoroscopy",
        "sedation": "none",
        "agent_name": "lidocaine",
        "agent_concentration_percent": 2,
        "agent_volume_ml_per_nerve": 0.5,
        "pre_pain": 8,
        "status": "done",
    }
    values.update(extra)
    procedure = Procedure.objects.create(patient=patient, **values)
    for minutes, pain in diary:
        DiaryScore.objects.create(procedure=procedure, minutes=minutes, pain=pain)
    return procedure


GOOD_DIARY = ((15, 2), (30, 1), (60, 1), (120, 1), (180, 5), (240, 8))


@dataclass
class World:
    clinic: Clinic
    other_clinic: Clinic
    users: dict[str, User]
    outsider: User
    patient: Patient
    assessment: Assessment
    procedure: Procedure
    other_patient: Patient

    def client_for(self, who: str) -> Client:
        client = Client()
        if who == "anonymous":
            return client
        user = self.outsider if who == "other-clinic" else self.users[who]
        client.force_login(user)
        return client
