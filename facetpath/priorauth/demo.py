"""The demo clinic's prior authorizations, so the worklist shows each kind of line: a planned RFA that needs
a UTN and has none, a request waiting longer than the MAC's 7 days, and a UTN about to expire (after a
non-affirmation and a resubmission, so the history shows). Every other patient gets a coverage."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from facetpath.clinics.models import Clinic
from facetpath.patients.models import Patient, Stage
from facetpath.priorauth.models import Coverage, Payer, Place, Request, Submission
from facetpath.priorauth.status import planned_codes
from facetpath.procedures.models import Procedure
from facetpath.procedures.stage import refresh_stage

OTHER_PAYERS = (Payer.COMMERCIAL, Payer.MEDICARE_ADVANTAGE, Payer.MEDICARE, Payer.MEDICAID)


def load_demo_prior_auth(clinic: Clinic, today: date, staff: Any) -> None:
    patients = list(Patient.objects.filter(clinic=clinic).order_by("pk"))
    for number, patient in enumerate(patients):
        payer = OTHER_PAYERS[number % len(OTHER_PAYERS)]
        Coverage.objects.create(
            patient=patient, payer=payer, place_of_service=Place.ON_CAMPUS, updated_by=staff,
            plan_name="" if payer == Payer.MEDICARE else "Blue Shield PPO",
        )  # fmt: skip
    rfa_due = [p for p in patients if p.stage == Stage.RFA_DUE]
    repeat_due = [p for p in patients if p.stage == Stage.REPEAT_RFA_DUE]
    if len(rfa_due) >= 2:
        _medicare(rfa_due[0])
        _planned_rfa(rfa_due[0], today + timedelta(days=10), staff)  # needs a UTN, none asked for
        _medicare(rfa_due[1])
        waiting = _planned_rfa(rfa_due[1], today + timedelta(days=12), staff)
        _request(waiting, sent=today - timedelta(days=9), staff=staff)  # waiting past the 7 days
    if repeat_due:
        _medicare(repeat_due[0])
        planned = _planned_rfa(repeat_due[0], today + timedelta(days=6), staff)
        request = _request(planned, sent=today - timedelta(days=125), staff=staff)
        _decide(request, 1, "non-affirmed", today - timedelta(days=119), "DEMO0000000001", staff,
                reasons="The follow-up scores after the last RFA were missing.")  # fmt: skip
        Submission.objects.create(
            request=request, number=2, sent_on=today - timedelta(days=117), quoted_utn="DEMO0000000001",
            note="Added the 1, 3, 5 and 7 month follow-ups.", sent_by=staff,
        )  # fmt: skip
        _decide(request, 2, "affirmed", today - timedelta(days=110), "DEMO0000000002", staff)  # 10 days left


def _medicare(patient: Patient) -> None:
    Coverage.objects.filter(patient=patient).update(
        payer=Payer.MEDICARE, plan_name="", member_id="1EG4-TE5-MK73"
    )


def _planned_rfa(patient: Patient, day: date, staff: Any) -> Procedure:
    last = patient.procedures.exclude(status=Procedure.Status.CANCELLED).order_by("-date", "-id").first()
    assert last is not None, "the demo plans RFA only after blocks"
    procedure = Procedure.objects.create(
        patient=patient, date=day, type=Procedure.Type.RFA, joints=list(last.joints), side=last.side,
        rfa_technique=Procedure.Technique.THERMAL, rfa_temperature_c=80, status=Procedure.Status.PLANNED,
        created_by=staff,
    )  # fmt: skip
    refresh_stage(patient)
    return procedure


def _request(procedure: Procedure, sent: date, staff: Any) -> Request:
    request = Request.objects.create(
        clinic_id=procedure.patient.clinic_id, patient=procedure.patient, procedure=procedure,
        date_of_service=procedure.date, codes=planned_codes(procedure), payer=Payer.MEDICARE,
        place_of_service=Place.ON_CAMPUS, sent_on=sent, created_by=staff,
    )  # fmt: skip
    Submission.objects.create(request=request, number=1, sent_on=sent, sent_by=staff)
    return request


def _decide(
    request: Request, number: int, decision: str, day: date, utn: str, staff: Any, reasons: str = ""
) -> None:
    Submission.objects.filter(request=request, number=number).update(
        decision=decision, decided_on=day, utn=utn, reasons=reasons, decision_by=staff
    )
    latest = request.submissions.order_by("-number").first()
    sent = latest.sent_on if latest else day
    Request.objects.filter(pk=request.pk).update(state=decision, decided_on=day, utn=utn, sent_on=sent)
