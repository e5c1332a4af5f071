"""Every prior-authorization write, each in one transaction with its audit row. Views parse the form, call one
of these, and render.

A request is one date of service. Its submissions keep the history: the first sending, each decision, and each
resubmission, which quotes the latest UTN. The request row carries the latest submission's state for the
worklist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from facetpath.audit.log import audit
from facetpath.clinical.prior_auth import may_resubmit
from facetpath.patients.models import Patient
from facetpath.priorauth.forms import CoverageForm
from facetpath.priorauth.models import Coverage, Request, Submission


class CannotChange(Exception):
    """The request is not in a state that allows this step; the message says why."""


def do_save_coverage(request: HttpRequest, patient: Patient, form: CoverageForm, by: User) -> Coverage:
    with transaction.atomic():
        coverage = form.save(commit=False)
        coverage.patient = patient
        coverage.updated_by = by
        coverage.save()
        audit(request, "update", coverage, patient, detail="coverage: " + ", ".join(form.changed_data))
    return coverage


def do_record_request(
    request: HttpRequest, patient: Patient, data: dict[str, Any], by: User | None
) -> Request:
    """A new request for a date of service and its first submission. CannotChange when another request for
    that date of service was saved first (the form checked, but two could be sent at once)."""
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the unique constraint answers the race
                found = Request.objects.create(
                    clinic_id=patient.clinic_id, patient=patient, procedure=data.get("procedure"),
                    date_of_service=data["date_of_service"], codes=data["codes"], payer=data["payer"],
                    place_of_service=data["place_of_service"], sent_on=data["sent_on"], created_by=by,
                )  # fmt: skip
        except IntegrityError:
            raise CannotChange(
                "a request for this date of service exists (one request per date of service)"
            ) from None
        Submission.objects.create(request=found, number=1, sent_on=data["sent_on"], sent_by=by)
        audit(request, "create", found, patient, detail=f"prior authorization for {found.date_of_service}")
    return found


def do_record_decision(
    request: HttpRequest, pa: Request, data: dict[str, Any], by: User | None
) -> Submission:
    """The payer's decision on the latest submission, which must still be waiting."""
    with transaction.atomic():
        locked = Request.objects.select_for_update().get(pk=pa.pk)
        latest = locked.submissions.order_by("-number").first()
        if latest is None or not latest.pending:
            raise CannotChange("The latest submission already has its decision: resubmit to ask again.")
        latest.decision, latest.decided_on = data["decision"], data["decided_on"]
        latest.utn, latest.reasons, latest.decision_by = data["utn"], data["reasons"].strip(), by
        latest.save()
        locked.state, locked.decided_on = data["decision"], data["decided_on"]
        locked.utn = data["utn"] or locked.utn
        locked.save(update_fields=["state", "decided_on", "utn"])
        audit(
            request, "update", locked, pa.patient, detail=f"prior authorization decision: {latest.decision}"
        )
    return latest


def do_resubmit(request: HttpRequest, pa: Request, data: dict[str, Any], by: User | None) -> Submission:
    """A resubmission after a non-affirmed or partial decision, quoting the latest UTN."""
    with transaction.atomic():
        locked = Request.objects.select_for_update().get(pk=pa.pk)
        latest = locked.submissions.order_by("-number").first()
        if latest is None or not may_resubmit(latest.decision):
            raise CannotChange("Only a non-affirmed or partially affirmed request is resubmitted.")
        submission = Submission.objects.create(
            request=locked, number=latest.number + 1, sent_on=data["sent_on"], quoted_utn=locked.utn,
            note=data["note"].strip(), sent_by=by,
        )  # fmt: skip
        locked.state, locked.sent_on, locked.decided_on = Request.State.WAITING, data["sent_on"], None
        locked.save(update_fields=["state", "sent_on", "decided_on"])
        audit(
            request,
            "update",
            locked,
            pa.patient,
            detail=f"prior authorization resubmitted ({submission.number})",
        )
    return submission
