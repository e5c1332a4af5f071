"""Factories, personas and diary helpers shared by the web tests (imported by conftest.py and the test modules).

Test modules share helpers only through this module and conftest.py, never by importing one another. Dates come
from the clinic's own today (Clinic.today), never from the machine's, so the tests pass at any hour.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from facetpath.clinics.models import Clinic, Membership
from facetpath.clinics.roles import Role
from facetpath.diary import actions
from facetpath.diary.models import Diary, DiarySettings
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
        "date": patient.clinic.today() - timedelta(days=40),
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
        "date": patient.clinic.today() - timedelta(days=days_ago),
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


def ended_block(patient: Patient, minutes_ago: int, **extra: Any) -> Procedure:
    """A block that ended `minutes_ago` minutes ago by the clinic's clock.

    Its date and end time are read from the same moment, so a block that ended five minutes before midnight
    is yesterday's, not a block later today.
    """
    ended = timezone.now().astimezone(zoneinfo.ZoneInfo(patient.clinic.time_zone)) - timedelta(
        minutes=minutes_ago
    )
    return make_block(patient, date=ended.date(), end_time=ended.time().replace(microsecond=0), **extra)


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


def start_diary(
    world: World, block: Procedure | None = None, ended_minutes_ago: int = 15, **procedure: Any
) -> tuple[Diary, str]:
    """The one way the tests start a diary: the nurse starts it for the world's patient.

    The patient can be reached by SMS and email and has agreed to both; quiet hours are off, as the tests run
    at any hour (a test about quiet hours sets its own). Without `block`, the diary follows a new block that
    ended `ended_minutes_ago` minutes ago, made with `procedure`'s fields.
    """
    patient = world.patient
    patient.phone, patient.email = "+15550100", "ada@example.org"
    patient.sms_consent = patient.email_consent = True
    patient.save()
    DiarySettings.for_clinic(world.clinic)
    DiarySettings.objects.filter(clinic=world.clinic).update(quiet_start=time(0), quiet_end=time(0))
    if block is None:
        block = ended_block(patient, ended_minutes_ago, **procedure)
    return actions.start_diary(block, world.users["nurse"])


def post_entry(client: Client, token: str, json: bool = True, **fields: Any) -> Any:
    """The patient sends an answer through the diary link (as the page's script does when `json`)."""
    data = {"key": "key-00000001", "pain": "3", **fields}
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/d/{token}/entry/", data, headers=headers)
