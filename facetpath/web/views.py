"""Pages that belong to no single record: sign-in, worklist, clinic switch, audit trail, errors."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_POST

from facetpath.audit.coverage import reads_patient_data
from facetpath.audit.log import audit
from facetpath.audit.models import AuditEvent
from facetpath.clinics.access import SESSION_KEY, as_id, require, staff_user
from facetpath.clinics.models import Membership
from facetpath.clinics.roles import Capability
from facetpath.public import views as public
from facetpath.web import sections
from facetpath.web.worklist import WORKLIST_LIMIT, sections_for


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """A bare page: liveness checks, and the baseline the benchmark compares real pages with."""
    return HttpResponse("ok", content_type="text/plain")


@reads_patient_data
def worklist(request: HttpRequest) -> HttpResponse:
    membership = require(request, Capability.VIEW_PATIENTS)
    clinic, today = membership.clinic, membership.clinic.today()
    clinical = membership.can(Capability.VIEW_CLINICAL)
    context = {
        "today": today,
        "todays": sections.todays_procedures(clinic.pk, today),
        **(sections.diaries(clinic.pk, today, WORKLIST_LIMIT) if clinical else {}),
        "second_due": sections.second_blocks_due(clinic.pk, WORKLIST_LIMIT),
        "rfa_due": sections.rfa_due(clinic.pk, WORKLIST_LIMIT),
        "overdue": sections.overdue_follow_ups(clinic.pk, today, WORKLIST_LIMIT),
        "awaiting_assessment": sections.awaiting_assessment(clinic.pk, WORKLIST_LIMIT),
        "awaiting_first_block": sections.awaiting_first_block(clinic.pk, WORKLIST_LIMIT),
        "date_passed": sections.planned_date_passed(clinic.pk, today, WORKLIST_LIMIT),
        "limit": WORKLIST_LIMIT,
        **_registered_sections(membership, today),
    }
    audit(request, "view", detail="worklist")
    return render(request, "web/worklist.html", context)


def _registered_sections(membership: Membership, today: date) -> dict[str, list[Any]]:
    """Sections other apps add: urgent ones (negative order, e.g. warning signs) above everything else."""
    found = sections_for(membership, today)
    return {
        "urgent_sections": [(s, items) for s, items in found if s.order < 0],
        "extra_sections": [(s, items) for s, items in found if s.order >= 0],
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
    # Outside the staff workspace and the diary links (which have their own pages), a visitor is on the
    # public site: the 404 speaks its look and language.
    public_page = None if request.path.startswith(("/staff/", "/d/")) else public.not_found(request)
    return public_page or render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever broke (the database, a context processor) must not break this page too.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)
