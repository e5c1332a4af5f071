"""The worklist's own sections: today's procedures, diaries running and ready, second blocks and RFA due,
overdue follow-ups. Each is one query (RFA due: one per stage) for model instances carrying only the
fields their lines print; web/worklist.html prints them.

Every query is scoped by the clinic id of the membership the view got from `require()` (the access
module); none takes a clinic from the request.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from facetpath.clinical.schedule import DIARY_RUNNING_DAYS, DIARY_SCHEDULE_MINUTES
from facetpath.patients.models import Patient, Stage
from facetpath.procedures.models import DiaryScore, Procedure, SignOff

# What a worklist line says about a procedure, its patient, and a patient on their own.
BLOCK_FIELDS = ("date", "type", "joints", "patient", "patient__family_name", "patient__given_name")
PATIENT_FIELDS = (
    "family_name",
    "given_name",
    "next_step",
    "stage",
    "stage_updated_at",
    "follow_up_due",
    "phone",
)


def todays_procedures(clinic_id: int, today: date) -> list[Procedure]:
    return list(
        Procedure.objects.filter(patient__clinic_id=clinic_id, date=today)
        .exclude(status=Procedure.Status.CANCELLED)
        .select_related("patient")
        .only("start_time", "status", "side", *BLOCK_FIELDS)
        .order_by("start_time", "id")
    )


def diaries(clinic_id: int, today: date, limit: int) -> dict[str, Any]:
    """Diagnostic blocks whose diary is still running (recent, incomplete) or ready for review."""
    since = today - timedelta(days=DIARY_RUNNING_DAYS)
    # Recent blocks are few (a day or two of the clinic's lists), so all their scores are counted.
    recent = list(_unsigned_blocks(clinic_id).filter(date__gte=since).order_by("-date", "pk"))
    # Older ones only need "has a score", which the (procedure, minutes) index answers, walking the
    # (status, date, id) index oldest first; only the rows shown are counted.
    older = list(
        _unsigned_blocks(clinic_id)
        .filter(date__lt=since)
        .filter(Exists(_scores()))
        .order_by("date", "pk")[:limit]
    )
    points = len(DIARY_SCHEDULE_MINUTES)
    return {
        "running": [p for p in recent if p.diary_count < points][:limit],  # type: ignore[attr-defined]
        "ready": (older + [p for p in recent if p.diary_count >= points])[:limit],  # type: ignore[attr-defined]
        "diary_points": points,
    }


def second_blocks_due(clinic_id: int, limit: int) -> list[Patient]:
    return list(_in_stage(clinic_id, Stage.SECOND_BLOCK_DUE, limit))


def rfa_due(clinic_id: int, limit: int) -> list[Patient]:
    # Each stage from its own index range, then merged: one query over both would sort every such patient.
    found = [p for stage in (Stage.RFA_DUE, Stage.REPEAT_RFA_DUE) for p in _in_stage(clinic_id, stage, limit)]
    found.sort(key=lambda p: (p.stage_updated_at is not None, p.stage_updated_at or 0, p.pk))
    return found[: limit + 1]


def overdue_follow_ups(clinic_id: int, today: date, limit: int) -> list[Patient]:
    return list(
        Patient.objects.filter(clinic_id=clinic_id, follow_up_due__lt=today)
        .only(*PATIENT_FIELDS)
        .order_by("follow_up_due", "id")[: limit + 1]
    )


def awaiting_assessment(clinic_id: int, limit: int) -> list[Patient]:
    return list(_in_stage(clinic_id, Stage.NEW, limit))


def awaiting_first_block(clinic_id: int, limit: int) -> list[Patient]:
    """Assessed candidates with no procedure yet."""
    return list(_in_stage(clinic_id, Stage.AWAITING_BLOCK, limit))


def planned_date_passed(clinic_id: int, today: date, limit: int) -> list[Procedure]:
    """Planned procedures whose day has gone by without being recorded as done: they stay in sight until
    someone records, moves or cancels them (the (status, date, id) index, oldest first)."""
    return list(
        Procedure.objects.filter(
            patient__clinic_id=clinic_id, status=Procedure.Status.PLANNED, date__lt=today
        )
        .select_related("patient")
        .only("start_time", "status", "side", *BLOCK_FIELDS)
        .order_by("date", "id")[: limit + 1]
    )


def _in_stage(clinic_id: int, stage: str, limit: int) -> QuerySet[Patient]:
    """One stage, oldest first, straight from the (clinic, stage, stage_updated_at, id) index."""
    return (
        Patient.objects.filter(clinic_id=clinic_id, stage=stage)
        .only(*PATIENT_FIELDS)
        .order_by("stage_updated_at", "id")[: limit + 1]
    )


def _unsigned_blocks(clinic_id: int) -> QuerySet[Procedure]:
    """Unsigned diagnostic blocks, whose diaries are running or waiting for a physician, with their diary
    score count."""
    return (
        Procedure.objects.filter(
            patient__clinic_id=clinic_id, status=Procedure.Status.DONE, intent=Procedure.Intent.DIAGNOSTIC,
            type__in=[Procedure.Type.MBB, Procedure.Type.IA],
        )
        .exclude(Exists(SignOff.objects.filter(procedure=OuterRef("pk"))))
        .select_related("patient")
        .only(*BLOCK_FIELDS)
        # A subquery per row, not a join: grouping the whole list would count every block's scores.
        .annotate(diary_count=Coalesce(Subquery(_scores().annotate(n=Count("pk")).values("n")), 0))
    )  # fmt: skip


def _scores() -> QuerySet[DiaryScore, Any]:
    return DiaryScore.objects.filter(procedure=OuterRef("pk")).order_by().values("procedure")
