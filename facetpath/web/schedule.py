"""The schedule: planned procedures by day across a week, per operator, in the clinic's own calendar.

The front desk books from here (a day and a time per planned procedure, `procedures.actions.reschedule`);
what it shows them is who, when, what kind of procedure and with whom, never the clinical detail (joints,
side, agent), which only roles that read clinical records see. Planned procedures whose day has passed
without being recorded as done stay listed at the top until someone records or moves them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from facetpath.audit.coverage import reads_patient_data
from facetpath.audit.log import audit
from facetpath.clinics.access import as_id, require
from facetpath.clinics.roles import Capability, Role
from facetpath.procedures import actions
from facetpath.procedures.access import access_procedure
from facetpath.procedures.forms import RescheduleForm
from facetpath.procedures.models import Procedure

PAST_DUE_LIMIT = 30  # oldest first; more than this is a list to work through on the patients page
SHOWN = ("date", "start_time", "type", "status", "joints", "side", "operator", "patient")
SHOWN_RELATED = ("patient__family_name", "patient__given_name", "operator__first_name",
                 "operator__last_name", "operator__username")  # fmt: skip


def week_start(value: str, today: date) -> date:
    """The Monday of the week holding ?week=YYYY-MM-DD (this week when absent or not a date)."""
    try:
        chosen = date.fromisoformat(value) if value else today
    except ValueError:
        chosen = today
    return chosen - timedelta(days=chosen.weekday())


def planned(clinic_id: int) -> QuerySet[Procedure]:
    return (
        Procedure.objects.filter(patient__clinic_id=clinic_id, status=Procedure.Status.PLANNED)
        .select_related("patient", "operator")
        .only(*SHOWN, *SHOWN_RELATED)
    )


@reads_patient_data
def schedule(request: HttpRequest) -> HttpResponse:
    membership = require(request, Capability.VIEW_PATIENTS)
    clinic, today = membership.clinic, membership.clinic.today()
    monday = week_start(request.GET.get("week", ""), today)
    operators = list(
        get_user_model()
        .objects.filter(memberships__clinic=clinic, memberships__role=Role.PHYSICIAN)
        .order_by("last_name", "username")
    )
    operator = as_id(request.GET.get("operator", ""))
    week = planned(clinic.pk).filter(date__range=(monday, monday + timedelta(days=6)))
    if operator:
        week = week.filter(operator_id=operator)
    by_day: dict[date, list[Procedure]] = {monday + timedelta(days=n): [] for n in range(7)}
    for procedure in week.order_by("date", "start_time", "id"):
        by_day[procedure.date].append(procedure)
    past_due = list(planned(clinic.pk).filter(date__lt=today).order_by("date", "id")[:PAST_DUE_LIMIT])
    context: dict[str, Any] = {
        "today": today,
        "monday": monday,
        "days": list(by_day.items()),
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "operators": operators,
        "operator": operator,
        "past_due": past_due,
        "can_book": membership.can(Capability.EDIT_DEMOGRAPHICS),
    }
    audit(request, "view", detail=f"schedule week of {monday}")
    return render(request, "web/schedule.html", context)


@require_POST
def reschedule(request: HttpRequest, procedure_id: int) -> HttpResponse:
    procedure = access_procedure(request, procedure_id, Capability.EDIT_DEMOGRAPHICS)
    form = RescheduleForm(request.POST)
    back = reverse("schedule")
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form[field].label}: {' '.join(str(e) for e in errors)}")
        return redirect(f"{back}?week={procedure.date.isoformat()}")
    try:
        actions.reschedule(request, procedure, form.cleaned_data["date"], form.cleaned_data["start_time"])
    except actions.CannotReschedule as error:
        messages.error(request, str(error))
        return redirect(f"{back}?week={procedure.date.isoformat()}")
    messages.success(request, f"Booked for {procedure.date:%d %b %Y}.")
    return redirect(f"{back}?week={procedure.date.isoformat()}")
