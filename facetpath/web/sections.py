"""The worklist's own sections: today's procedures, diaries running and ready, second blocks and RFA due,
overdue follow-ups. Each is one prepared query (facetpath.prepared) turned into ready-to-print rows.

Every query is scoped by the clinic id of the membership the view got from `require()` (the access
module); none takes a clinic from the request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Any

from django.db.models import CharField, Count, DateField, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import html_safe

from facetpath.patients.models import Patient, Stage
from facetpath.prepared import Param, Prepared
from facetpath.procedures.interpretation import DIARY_RUNNING_DAYS, DIARY_SCHEDULE_MINUTES
from facetpath.procedures.models import DiaryScore, Procedure, SignOff
from facetpath.web.worklist import WORKLIST_LIMIT, Row, day_month, full_name, link, urls_for

CLINIC = Param("clinic", IntegerField())
TODAY = Param("today", DateField())
SINCE = Param("since", DateField())  # a diary still runs on blocks since this day

STAGE_LABELS = dict(Stage.choices)
TYPE_LABELS = dict(Procedure.Type.choices)
SIDE_LABELS = dict(Procedure.Side.choices)
STATUS_LABELS = dict(Procedure.Status.choices)

# What a worklist line says about a procedure and its patient.
BLOCK_FIELDS = ("pk", "patient_id", "patient__family_name", "patient__given_name", "type", "joints", "date")
PATIENT_FIELDS = (
    "pk",
    "family_name",
    "given_name",
    "next_step",
    "stage",
    "stage_updated_at",
    "follow_up_due",
    "phone",
)

TODAYS = Prepared(
    lambda: (
        Procedure.objects.filter(patient__clinic_id=CLINIC, date=TODAY)
        .exclude(status=Procedure.Status.CANCELLED)
        .order_by("start_time", "id")
        .values("start_time", "status", "side", *BLOCK_FIELDS)
    )
)


def _unsigned() -> QuerySet[Procedure]:
    """Unsigned diagnostic blocks, whose diaries are running or waiting for a physician."""
    return Procedure.objects.filter(
        patient__clinic_id=CLINIC, status=Procedure.Status.DONE, intent=Procedure.Intent.DIAGNOSTIC,
        type__in=[Procedure.Type.MBB, Procedure.Type.IA],
    ).exclude(Exists(SignOff.objects.filter(procedure=OuterRef("pk"))))  # fmt: skip


def _scores() -> QuerySet[DiaryScore, Any]:
    return DiaryScore.objects.filter(procedure=OuterRef("pk")).order_by().values("procedure")


def _score_count() -> Coalesce:
    """The block's diary score count, as a subquery per row (no grouping of the whole list)."""
    return Coalesce(Subquery(_scores().annotate(n=Count("pk")).values("n")), 0)


# Recent blocks are few (a day or two of the clinic's lists), so all their scores are counted.
RECENT_BLOCKS = Prepared(
    lambda: (
        _unsigned()
        .filter(date__gte=SINCE)
        .annotate(diary_count=_score_count())
        .order_by("-date", "pk")
        .values(*BLOCK_FIELDS, "diary_count")
    )
)
# Older ones only need "has a score", which the (procedure, minutes) index answers, walking the
# (status, date, id) index oldest first; only the rows shown are counted.
OLDER_BLOCKS = Prepared(
    lambda: (
        _unsigned()
        .filter(date__lt=SINCE)
        .filter(Exists(_scores()))
        .annotate(diary_count=_score_count())
        .order_by("date", "pk")
        .values(*BLOCK_FIELDS, "diary_count")[:WORKLIST_LIMIT]
    )
)

# One stage, oldest first, straight from the (clinic, stage, stage_updated_at, id) index.
IN_STAGE = Prepared(
    lambda: (
        Patient.objects.filter(clinic_id=CLINIC, stage=Param("stage", CharField()))
        .order_by("stage_updated_at", "id")
        .values(*PATIENT_FIELDS)[: WORKLIST_LIMIT + 1]
    )
)
OVERDUE = Prepared(
    lambda: (
        Patient.objects.filter(clinic_id=CLINIC, follow_up_due__lt=TODAY)
        .order_by("follow_up_due", "id")
        .values(*PATIENT_FIELDS)[: WORKLIST_LIMIT + 1]
    )
)


@html_safe
@dataclass(frozen=True, slots=True)
class ProcedureToday:
    time: str
    patient: str
    patient_href: str
    type: str
    href: str  # empty for roles that do not see clinical detail
    where: str
    status: str
    status_label: str

    def __str__(self) -> str:
        kind = link(self.href, self.type) if self.href else escape(self.type)
        return (  # every value escaped
            f"<tr><td>{escape(self.time)}</td><td>{link(self.patient_href, self.patient)}</td>"
            f"<td>{kind} {escape(self.where)}</td>"
            f'<td><span class="badge {escape(self.status)}">{escape(self.status_label)}</span></td></tr>'
        )


@html_safe
@dataclass(frozen=True, slots=True)
class DiaryRunning:
    patient: str
    patient_href: str
    block: str
    href: str
    count: int
    points: int

    def __str__(self) -> str:
        percent = min(100, round(100 * self.count / self.points))
        return (  # every value escaped; the numbers are ints
            f"<tr><td>{link(self.patient_href, self.patient)}</td><td>{link(self.href, self.block)}</td>"
            f'<td><progress max="100" value="{percent}" aria-label="diary completion"></progress> '
            f"{self.count} of {self.points}</td></tr>"
        )


def todays_procedures(clinic_id: int, today: date, clinical: bool) -> list[ProcedureToday]:
    patient_url, procedure_url = urls_for("patient"), urls_for("procedure")
    return [
        ProcedureToday(
            time=f"{p['start_time']:%H:%M}" if p["start_time"] else "—",
            patient=_patient(p),
            patient_href=patient_url(p["patient_id"]),
            type=str(TYPE_LABELS.get(p["type"], p["type"])),
            href=procedure_url(p["pk"]) if clinical else "",
            where=f"{_joints(p)} · {str(SIDE_LABELS.get(p['side'], p['side'])).lower()}",
            status=p["status"],
            status_label=str(STATUS_LABELS.get(p["status"], p["status"])),
        )
        for p in TODAYS(clinic=clinic_id, today=today)
    ]


def diaries(clinic_id: int, today: date) -> dict[str, list[Any]]:
    """Diagnostic blocks whose diary is still running (recent, incomplete) or ready for review."""
    since = today - timedelta(days=DIARY_RUNNING_DAYS)
    recent = RECENT_BLOCKS(clinic=clinic_id, since=since)
    older = OLDER_BLOCKS(clinic=clinic_id, since=since)
    points = len(DIARY_SCHEDULE_MINUTES)
    running = [p for p in recent if p["diary_count"] < points][:WORKLIST_LIMIT]
    ready = (older + [p for p in recent if p["diary_count"] >= points])[:WORKLIST_LIMIT]
    patient_url, procedure_url = urls_for("patient"), urls_for("procedure")
    return {
        "running": [
            DiaryRunning(
                patient=_patient(p),
                patient_href=patient_url(p["patient_id"]),
                block=f"{day_month(p['date'])} · {_joints(p)}",
                href=procedure_url(p["pk"]),
                count=p["diary_count"],
                points=points,
            )
            for p in running
        ],
        "ready": [
            Row(
                procedure_url(p["pk"]),
                f"{_patient(p)} — {TYPE_LABELS.get(p['type'], p['type'])} {_joints(p)} on {day_month(p['date'])}",
                f"{p['diary_count']} scores",
            )
            for p in ready
        ],
    }


def second_blocks_due(clinic_id: int, clinical: bool) -> list[Row]:
    found = IN_STAGE(clinic=clinic_id, stage=Stage.SECOND_BLOCK_DUE)
    patient_url = urls_for("patient")
    return [_patient_row(p, patient_url, detail=p["next_step"] if clinical else "") for p in found]


def rfa_due(clinic_id: int) -> list[Row]:
    # Each stage from its own index range, then merged: one query over both would sort every such patient.
    found = [
        p for stage in (Stage.RFA_DUE, Stage.REPEAT_RFA_DUE) for p in IN_STAGE(clinic=clinic_id, stage=stage)
    ]
    found.sort(key=lambda p: (p["stage_updated_at"] is not None, p["stage_updated_at"] or 0, p["pk"]))
    patient_url = urls_for("patient")
    return [
        _patient_row(p, patient_url, badge=str(STAGE_LABELS.get(p["stage"], "")))
        for p in found[: WORKLIST_LIMIT + 1]
    ]


def overdue_follow_ups(clinic_id: int, today: date) -> list[Row]:
    patient_url = urls_for("patient")
    return [
        _patient_row(
            p,
            patient_url,
            detail=f"due {day_month(p['follow_up_due'])} {p['follow_up_due']:%Y}",
            tone="warn",
            phone=p["phone"],
        )
        for p in OVERDUE(clinic=clinic_id, today=today)
    ]


def _patient_row(p: dict[str, Any], patient_url: Callable[[int], str], **row: str) -> Row:
    return Row(patient_url(p["pk"]), full_name(p["family_name"], p["given_name"]), **row)


def _patient(p: dict[str, Any]) -> str:
    return full_name(p["patient__family_name"], p["patient__given_name"])


def _joints(p: dict[str, Any]) -> str:
    return ", ".join(p["joints"] or [])
