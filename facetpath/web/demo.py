"""The demo clinic: synthetic patients in every stage of the pathway, dated relative to today.

Every name, number and story here is made up. Stages are not set by hand: each patient's records are
created and then evaluated by the clinical core, exactly as when staff enter them.
"""

from __future__ import annotations

import random
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from facetpath.clinics.api_tokens import make_api_token
from facetpath.clinics.models import ApiToken, Clinic, Membership
from facetpath.clinics.roles import Role
from facetpath.clinics.tokens import hash_token
from facetpath.diary.demo import load_demo_diaries
from facetpath.diary.models import Entry
from facetpath.patients.models import Assessment, Patient
from facetpath.priorauth.demo import load_demo_prior_auth
from facetpath.procedures import interpretation
from facetpath.procedures.models import DiaryScore, FollowUp, Procedure, SignOff
from facetpath.procedures.stage import refresh_stage
from facetpath.public.demo import load_demo_public

DEMO_CLINIC = "Riverside Spine & Pain Clinic (demo)"
DEMO_PASSWORD = "facetpath-demo"
DEMO_STAFF = (
    ("dr.lee", "Dana", "Lee", Role.PHYSICIAN),
    ("nurse.kim", "Sam", "Kim", Role.NURSE),
    ("desk.ortiz", "Ana", "Ortiz", Role.FRONTDESK),
    ("admin.shah", "Ravi", "Shah", Role.ADMIN),
)

GIVEN = (
    "Maria", "James", "Linda", "Robert", "Patricia", "Michael", "Barbara", "William", "Elena", "David",
    "Susan", "Carlos", "Karen", "Thomas", "Nancy", "Daniel", "Lisa", "Jorge", "Betty", "Paul", "Sandra",
    "Mark", "Rosa", "Steven", "Donna", "Kevin", "Carol", "Luis", "Ruth", "George", "Sharon", "Frank",
    "Teresa", "Gary", "Helen", "Raymond",
)  # fmt: skip
FAMILY = (
    "Alvarez", "Bennett", "Chen", "Delgado", "Ellis", "Fischer", "Garcia", "Hughes", "Ibarra", "Jensen",
    "Kowalski", "Lopez", "Morgan", "Nguyen", "Okafor", "Patel", "Quinn", "Romero", "Schmidt", "Turner",
    "Underwood", "Vargas", "Walsh", "Xu", "Young", "Zimmerman", "Brooks", "Castillo", "Dunn", "Foster",
    "Grant", "Herrera", "Ingram", "Jimenez", "Keller", "Lambert",
)  # fmt: skip

LUMBAR_PAIN = "axial low back pain, worse on extension and twisting"
CERVICAL_PAIN = "axial neck pain, worse turning the head"
GOOD_DIARY = ((15, 1), (30, 1), (60, 0), (120, 1), (180, 4), (240, 7), (360, 8), (480, 8))
LONG_GOOD_DIARY = ((15, 1), (30, 0), (60, 0), (120, 0), (180, 1), (240, 1), (360, 1), (480, 4))
POOR_DIARY = ((15, 6), (30, 6), (60, 5), (120, 6), (180, 7), (240, 7), (360, 8), (480, 8))
SHORT_DIARY = ((15, 1), (30, 1), (60, 6), (120, 7), (180, 8), (240, 8), (360, 8), (480, 8))


@dataclass
class Demo:
    clinic: Clinic
    physician: Any
    nurse: Any
    today: date
    rng: random.Random
    count: int = 0


def load_demo(today: date | None = None) -> Clinic:
    """Creates (or re-creates) the demo clinic with its staff and patients. Safe to run again."""
    with transaction.atomic():
        clinic, _ = Clinic.objects.get_or_create(
            name=DEMO_CLINIC,
            defaults={
                "time_zone": "America/Chicago",
                "default_policy": "medicare-lcd",
                "phone": "+1 555 0100",
                "email": "front.desk@riverside.example",
                "address": "100 River Road, Springfield",
                "insurance_networks": "Medicare\nBlue Shield PPO\nCommunity Health Plan",
            },
        )
        staff = {
            role: _staff(clinic, username, given, family, role)
            for username, given, family, role in DEMO_STAFF
        }
        # Diary entries protect their slots from deletion (a patient's answer is never dropped by accident);
        # the demo deliberately starts over, so it removes them first.
        Entry.objects.filter(slot__diary__procedure__patient__clinic=clinic).delete()
        Patient.objects.filter(clinic=clinic).delete()
        demo = Demo(
            clinic, staff[Role.PHYSICIAN], staff[Role.NURSE], today or clinic.today(), random.Random(7)
        )
        for scenario, copies in SCENARIOS:
            for copy in range(copies):
                patient = _patient(demo)
                scenario(demo, patient, copy)
                refresh_stage(patient)
        load_demo_public(clinic)  # public site, pages, appointment requests and a question
        load_demo_diaries(clinic)  # patient diary links, entries, a warning sign, reminders in the outbox
        load_demo_prior_auth(clinic, demo.today, staff[Role.FRONTDESK])  # coverage, requests, a UTN expiring
    return clinic


DEMO_API_TOKEN_NAME = "Demo integration"
DEMO_API_TOKEN_FILE = "demo-api-token.txt"


def demo_api_token(clinic: Clinic, data_dir: Path) -> str:
    """The demo clinic's read-write API token, for trying the API with curl (docs/api.md).

    Random like any token, stored hashed like any token; its secret is kept in the data dir (0600, with the
    generated secret key) so that the demo can print it each time it starts. A file whose token was revoked
    on the API tokens page gets a new one."""
    path = data_dir / DEMO_API_TOKEN_FILE
    kept = path.read_text().strip() if path.exists() else ""
    if kept and ApiToken.objects.active().filter(clinic=clinic, secret_hash=hash_token(kept)).exists():
        return kept
    admin = Membership.objects.filter(clinic=clinic, role=Role.ADMIN).select_related("user").first()
    _token, secret = make_api_token(
        clinic, DEMO_API_TOKEN_NAME, ApiToken.Scope.READ_WRITE, by=admin.user if admin else None
    )
    path.write_text(secret + "\n")
    path.chmod(0o600)
    return secret


def _staff(clinic: Clinic, username: str, given: str, family: str, role: str) -> Any:
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": given, "last_name": family}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.update_or_create(user=user, clinic=clinic, defaults={"role": role})
    return user


def _patient(demo: Demo) -> Patient:
    index = demo.count
    demo.count += 1
    given, family = GIVEN[index % len(GIVEN)], FAMILY[(index * 7) % len(FAMILY)]
    born = demo.today.replace(year=demo.today.year - demo.rng.randint(38, 82)) - timedelta(
        days=demo.rng.randint(0, 360)
    )
    spanish = index % 5 == 3
    return Patient.objects.create(
        clinic=demo.clinic,
        mrn=f"RSP-{1001 + index}",
        given_name=given,
        family_name=family,
        birth_date=born,
        sex="female" if index % 2 == 0 else "male",
        phone=f"+1 555 01{index:02d}",
        email=f"{given.lower()}.{family.lower()}@example.com",
        preferred_language="es" if spanish else "en",
        sms_consent=index % 3 != 0,
        email_consent=index % 4 != 0,
    )


def _assessment(demo: Demo, patient: Patient, days_ago: int, **changes: Any) -> Assessment:
    cervical = patient.pk % 4 == 0
    values: dict[str, Any] = {
        "date": demo.today - timedelta(days=days_ago),
        "region": "cervical" if cervical else "lumbar",
        "index_pain": CERVICAL_PAIN if cervical else LUMBAR_PAIN,
        "pain_duration_months": demo.rng.randint(6, 30),
        "axial_predominant": True,
        "pain_scale": "NRS-11",
        "baseline_pain": demo.rng.randint(6, 9),
        "disability_instrument": "NDI" if cervical else "ODI",
        "disability_score": demo.rng.randint(30, 60),
        "conservative_care": [
            {"modality": "physical therapy", "weeks": demo.rng.randint(6, 12), "failed": True},
            {"modality": "NSAIDs", "weeks": 12, "failed": True},
        ],
        "antithrombotics": ["aspirin"] if patient.pk % 6 == 0 else [],
    }
    values.update(changes)
    return Assessment.objects.create(patient=patient, created_by=demo.physician, **values)


def _joints(assessment: Assessment) -> list[str]:
    return ["C5-C6", "C6-C7"] if assessment.region == "cervical" else ["L4-L5", "L5-S1"]


def _block(
    demo: Demo, patient: Patient, assessment: Assessment, days_ago: int, diary: tuple[tuple[int, int], ...] = (),
    status: str = "done", agent: str = "lidocaine", signed: bool = False,
) -> Procedure:  # fmt: skip
    cervical = assessment.region == "cervical"
    start, end = _session_times(demo, done_today=days_ago == 0 and status == "done")
    procedure = Procedure.objects.create(
        patient=patient, date=demo.today - timedelta(days=days_ago), type="mbb", intent="diagnostic",
        joints=_joints(assessment), side="bilateral", guidance="fluoroscopy", sedation="none",
        agent_name=agent, agent_concentration_percent=2 if agent == "lidocaine" else 0.5,
        agent_volume_ml_per_nerve=0.25 if cervical else 0.5, pre_pain=assessment.baseline_pain if status == "done" else None,
        status=status, start_time=start, end_time=end,
        operator=demo.physician, contrast_used=not cervical, created_by=demo.nurse,
    )  # fmt: skip
    pre = assessment.baseline_pain
    assert pre is not None  # demo assessments are complete
    for minutes, pain in diary:
        DiaryScore.objects.create(
            procedure=procedure, minutes=minutes, pain=min(pre, pain), entered_by=demo.nurse
        )
    if signed:
        _sign(demo, patient, procedure)
    return procedure


def _session_times(demo: Demo, done_today: bool) -> tuple[time, time]:
    """A block's start and end (clinic time). One done today has ended by the time the demo is loaded,
    whatever the hour, so its diary's first times are due or past, not hours ahead."""
    start = datetime.combine(demo.today, time(8 + demo.count % 8, 30))
    if done_today and demo.today == demo.clinic.today():
        now = timezone.localtime(timezone=zoneinfo.ZoneInfo(demo.clinic.time_zone)).replace(tzinfo=None)
        latest = now - timedelta(minutes=30 + 20 * (demo.count % 4))
        if latest.date() == demo.today:  # not in the first hour after midnight
            start = min(start, latest.replace(second=0, microsecond=0))
    return start.time(), (start + timedelta(minutes=20)).time()


def _rfa(demo: Demo, patient: Patient, assessment: Assessment, days_ago: int) -> Procedure:
    return Procedure.objects.create(
        patient=patient, date=demo.today - timedelta(days=days_ago), type="rfa", joints=_joints(assessment),
        side="bilateral", guidance="fluoroscopy", sedation="none", rfa_technique="thermal", rfa_temperature_c=80,
        pre_pain=assessment.baseline_pain, status="done", operator=demo.physician, contrast_used=False, created_by=demo.nurse,
    )  # fmt: skip


def _sign(demo: Demo, patient: Patient, procedure: Procedure) -> None:
    result = interpretation.evaluate(patient)
    entry = result.procedure_json(procedure)
    if entry is None:
        return
    SignOff.objects.create(
        procedure=procedure, signed_by=demo.physician, policy_name=result.policy_name,
        policy_version=result.policy_version, interpretation=entry, evaluation=result.to_json(), case=result.case,
    )  # fmt: skip


# --- Scenarios: each builds one patient's history ---------------------------------------------------------


def awaiting_first_block(demo: Demo, patient: Patient, copy: int) -> None:
    _assessment(demo, patient, days_ago=3 + copy * 4)


def planned_today(demo: Demo, patient: Patient, copy: int) -> None:
    assessment = _assessment(demo, patient, days_ago=20 + copy)
    _block(demo, patient, assessment, days_ago=0, status="planned")


def diary_running(demo: Demo, patient: Patient, copy: int) -> None:
    assessment = _assessment(demo, patient, days_ago=30 + copy)
    _block(demo, patient, assessment, days_ago=copy % 2, diary=GOOD_DIARY[: 2 + copy])


def ready_for_review(demo: Demo, patient: Patient, copy: int) -> None:
    assessment = _assessment(demo, patient, days_ago=35 + copy)
    _block(
        demo,
        patient,
        assessment,
        days_ago=2 + copy,
        diary=(GOOD_DIARY, POOR_DIARY, LONG_GOOD_DIARY)[copy % 3],
    )


def second_block_due(demo: Demo, patient: Patient, copy: int) -> None:
    assessment = _assessment(demo, patient, days_ago=45 + copy)
    _block(demo, patient, assessment, days_ago=12 + copy * 3, diary=GOOD_DIARY, signed=True)


def negative(demo: Demo, patient: Patient, copy: int) -> None:
    assessment = _assessment(demo, patient, days_ago=50 + copy)
    _block(demo, patient, assessment, days_ago=9 + copy * 5, diary=POOR_DIARY, signed=True)


def discordant(demo: Demo, patient: Patient, copy: int) -> None:
    assessment = _assessment(demo, patient, days_ago=55 + copy)
    _block(demo, patient, assessment, days_ago=8 + copy * 4, diary=SHORT_DIARY, signed=True)


def rfa_due(demo: Demo, patient: Patient, copy: int) -> None:
    """Two positive blocks: RFA may go ahead. The third copy's assessment has no disability scale, so its
    RFA prior-authorization packet shows a gap (the first two are complete)."""
    gap = {"disability_instrument": "", "disability_score": None} if copy == 2 else {}
    assessment = _assessment(demo, patient, days_ago=80 + copy, **gap)
    _block(demo, patient, assessment, days_ago=45 + copy, diary=GOOD_DIARY, signed=True)
    _block(
        demo, patient, assessment, days_ago=25 + copy, diary=LONG_GOOD_DIARY, agent="bupivacaine", signed=True
    )


def rfa_done(demo: Demo, patient: Patient, copy: int) -> None:
    """RFA some weeks ago; the third copy has had no follow-up for months (overdue)."""
    assessment = _assessment(demo, patient, days_ago=200 + copy)
    _block(demo, patient, assessment, days_ago=160, diary=GOOD_DIARY, signed=True)
    _block(demo, patient, assessment, days_ago=140, diary=LONG_GOOD_DIARY, agent="bupivacaine", signed=True)
    rfa = _rfa(demo, patient, assessment, days_ago=(40, 70, 120)[copy % 3])
    if copy % 3 != 2:
        FollowUp.objects.create(
            procedure=rfa, date=rfa.date + timedelta(days=30), pain=3, entered_by=demo.nurse
        )


def repeat_rfa_due(demo: Demo, patient: Patient, copy: int) -> None:
    assessment = _assessment(demo, patient, days_ago=420 + copy)
    _block(demo, patient, assessment, days_ago=390, diary=GOOD_DIARY, signed=True)
    _block(demo, patient, assessment, days_ago=370, diary=LONG_GOOD_DIARY, agent="bupivacaine", signed=True)
    rfa = _rfa(demo, patient, assessment, days_ago=230 + copy * 5)
    for month in (1, 3, 5, 7):
        FollowUp.objects.create(
            procedure=rfa, date=rfa.date + timedelta(days=30 * month), pain=2, entered_by=demo.nurse
        )


def refused_at_gate(demo: Demo, patient: Patient, copy: int) -> None:
    reasons: tuple[dict[str, object], ...] = (
        {"pain_duration_months": 1},
        {"untreated_radiculopathy": True, "axial_predominant": False},
        {"conservative_care": []},
    )
    _assessment(demo, patient, days_ago=6 + copy, **reasons[copy % 3])


SCENARIOS = (
    (awaiting_first_block, 4),
    (planned_today, 3),
    (diary_running, 4),
    (ready_for_review, 3),
    (second_block_due, 4),
    (negative, 3),
    (discordant, 2),
    (rfa_due, 3),
    (rfa_done, 3),
    (repeat_rfa_due, 2),
    (refused_at_gate, 3),
)
