"""Pages that belong to no single record: sign-in, worklist, clinic switch, audit trail, errors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_POST

from facetpath.audit.log import audit
from facetpath.audit.models import AuditEvent
from facetpath.clinics.access import SESSION_KEY, as_id, clinic_patients, require, staff_user
from facetpath.clinics.models import Clinic, Membership
from facetpath.clinics.roles import Capability
from facetpath.patients.models import Patient, Stage
from facetpath.procedures.interpretation import (
    DIARY_RUNNING_DAYS,
    DIARY_SCHEDULE_MINUTES,
    refresh_stale_stages,
)
from facetpath.procedures.models import DiaryScore, Procedure, SignOff
from facetpath.web.worklist import WORKLIST_LIMIT, sections_for

# Rows per worklist section: a screen's worth. "Show all" opens the patient list filtered by stage.


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """A bare page: liveness checks, and the baseline the benchmark compares real pages with."""
    return HttpResponse("ok", content_type="text/plain")


def worklist(request: HttpRequest) -> HttpResponse:
    membership = require(request, Capability.VIEW_PATIENTS)
    clinic, today = membership.clinic, membership.clinic.today()
    refresh_stale_stages(clinic)
    patients = clinic_patients(request)
    context = {
        "today": today,
        "todays": Procedure.objects.filter(patient__clinic=clinic, date=today)
        .exclude(status=Procedure.Status.CANCELLED)
        .select_related("patient")
        .order_by("start_time", "id"),
        **_diaries(clinic, today),
        "second_due": _first(
            patients.filter(stage=Stage.SECOND_BLOCK_DUE).order_by("stage_updated_at", "id")
        ),
        "rfa_due": _first(
            patients.filter(stage__in=[Stage.RFA_DUE, Stage.REPEAT_RFA_DUE]).order_by(
                "stage_updated_at", "id"
            )
        ),
        "overdue": _first(patients.filter(follow_up_due__lt=today).order_by("follow_up_due", "id")),
        "limit": WORKLIST_LIMIT,
        "schedule_points": len(DIARY_SCHEDULE_MINUTES),
        **_registered_sections(membership, today),
    }
    audit(request, "view", detail="worklist")
    return render(request, "web/worklist.html", context)


def _registered_sections(membership: Membership, today: date) -> dict[str, list[Any]]:
    """Sections other apps add: urgent ones (negative order, e.g. warning signs) above everything else."""
    sections = sections_for(membership, today)
    return {
        "urgent_sections": [(s, items) for s, items in sections if s.order < 0],
        "extra_sections": [(s, items) for s, items in sections if s.order >= 0],
    }


def _first(queryset: QuerySet[Patient]) -> list[Patient]:
    """Up to one more than the limit, so the template knows to offer "show all"."""
    return list(queryset[: WORKLIST_LIMIT + 1])


def _diaries(clinic: Clinic, today: date) -> dict[str, list[Any]]:
    """Unsigned diagnostic blocks with a diary: still running (recent and incomplete) or ready for review.

    Recent blocks are few, so their scores are counted; older ones only need "has a score", which the
    (procedure, minutes) index answers, walking the (status, date) index oldest first.
    """
    unsigned = (
        Procedure.objects.filter(
            patient__clinic=clinic, status=Procedure.Status.DONE, intent=Procedure.Intent.DIAGNOSTIC,
            type__in=[Procedure.Type.MBB, Procedure.Type.IA],
        )
        .exclude(Exists(SignOff.objects.filter(procedure=OuterRef("pk"))))
        .select_related("patient")
    )  # fmt: skip
    since = today - timedelta(days=DIARY_RUNNING_DAYS)
    recent = list(
        unsigned.filter(date__gte=since).annotate(diary_count=Count("diary_scores")).order_by("-date", "id")
    )
    points = len(DIARY_SCHEDULE_MINUTES)
    older = list(
        unsigned.filter(date__lt=since)
        .filter(Exists(DiaryScore.objects.filter(procedure=OuterRef("pk"))))
        .order_by("date", "id")[:WORKLIST_LIMIT]
    )
    counts = dict(
        DiaryScore.objects.filter(procedure__in=older)
        .values_list("procedure")
        .annotate(n=Count("id"))
        .values_list("procedure", "n")
    )
    for procedure in older:
        procedure.diary_count = counts.get(procedure.pk, 0)  # type: ignore[attr-defined]
    complete = [p for p in recent if p.diary_count >= points]
    return {
        "running": [p for p in recent if p.diary_count < points][:WORKLIST_LIMIT],
        "ready": (older + complete)[:WORKLIST_LIMIT],
    }


@require_POST
def switch_clinic(request: HttpRequest) -> HttpResponse:
    wanted = as_id(request.POST.get("clinic", ""))
    chosen = (
        Membership.objects.filter(user_id=staff_user(request).pk, clinic_id=wanted).first()
        if wanted
        else None
    )
    if chosen is not None:
        request.session[SESSION_KEY] = chosen.clinic_id
    return redirect("worklist")


def audit_trail(request: HttpRequest) -> HttpResponse:
    membership = require(request, Capability.VIEW_AUDIT)
    events = AuditEvent.objects.filter(clinic=membership.clinic).select_related("patient")
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    # Read the rows now: the page's slice was sized before this view's own audit row below exists, and a
    # lazy slice evaluated afterwards would push the oldest row off the page.
    page.object_list = list(page.object_list)
    # The trail names patients, so reading it is itself a read of patient data.
    audit(request, "view", detail=f"audit trail page {page.number}")
    return render(request, "web/audit.html", {"page": page})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever broke (the database, a context processor) must not break this page too.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)
