"""Demo diaries: called by the demo loader after it has made the demo clinic's patients and blocks."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from facetpath.clinics.models import Clinic
from facetpath.diary import actions, services
from facetpath.diary.models import Diary, DiarySettings, Reminder
from facetpath.procedures.models import DiaryScore, Procedure

DEMO_ON_CALL_EMAIL = "on-call.physician@riverside.example"


def load_demo_diaries(clinic: Clinic) -> None:
    """Starts diaries for the clinic's recent unsigned diagnostic blocks, answers the times already past
    (from the demo's own scores), reports one warning sign and sends the reminders already due."""
    rules = DiarySettings.for_clinic(clinic)
    # The clinician on call, never the clinic's general address (the front desk's).
    rules.on_call_email = DEMO_ON_CALL_EMAIL
    rules.save(update_fields=["on_call_email"])
    since = clinic.today() - timedelta(days=2)
    blocks = (
        Procedure.objects.filter(
            patient__clinic=clinic, status=Procedure.Status.DONE, date__gte=since, sign_offs__isnull=True
        )
        .exclude(patient_diary__isnull=False)
        .select_related("patient__clinic")
        .order_by("date", "id")
    )
    now = timezone.now()
    diaries: list[Diary] = []
    for block in blocks:
        if not block.is_diagnostic_block:
            continue
        if not block.painful_movements:
            region_moves = (
                ["turning-head", "looking-up"] if _cervical(block) else ["standing-up", "bending-back"]
            )
            block.painful_movements = region_moves
            block.save(update_fields=["painful_movements"])
        diary, _token = actions.start_diary(block, None)
        diaries.append(diary)
        scores = {s.minutes: s.pain for s in DiaryScore.objects.filter(procedure=block)}
        for slot in diary.slots.filter(due_at__lte=now).order_by("due_at")[:4]:
            if slot.minutes not in scores:
                continue
            data = actions.EntryData(
                idempotency_key=f"demo-{diary.pk}-{slot.minutes}",
                pain=min(10, scores[slot.minutes]),
                relief_percent=None,
                movements=dict.fromkeys(block.painful_movements, "easier"),
                took_pain_medicine=False,
                note="",
                # On time: the answer's true time is the time staff typed the score for, so it is one point.
                entered_at=slot.due_at,
            )
            actions.record_answer(diary, data, now=slot.due_at + timedelta(minutes=3))
    if diaries:
        actions.report_warning(diaries[-1], ["headache"], "Headache since this afternoon.", "demo-warning-1")
    # The reminders of the times already past, as the worker would have handled them at their times:
    # answered ones are logged "not sent", the others go to the development outbox.
    for diary in diaries[:2]:
        for slot in diary.slots.filter(due_at__lte=now).order_by("due_at")[:4]:
            channels = [Reminder.Channel.SMS] if diary.procedure.patient.sms_consent else []
            if diary.procedure.patient.email_consent and diary.procedure.patient.email:
                channels.append(Reminder.Channel.EMAIL)
            for channel in channels:
                reminder, _created = Reminder.objects.get_or_create(
                    slot=slot, channel=channel, defaults={"send_after": slot.due_at}
                )
                services.deliver_reminder(reminder.pk, now=slot.due_at)


def _cervical(block: Procedure) -> bool:
    from facetpath.diary.discharge import region_of

    return region_of(block) == "cervical"
