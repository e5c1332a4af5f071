"""Staff side of the diary: persona matrix on every staff view, the worker, the settings form, no 500s."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from webfactories import World, start_diary

from facetpath import webcli
from facetpath.diary import actions, services
from facetpath.diary.models import Diary, DiarySettings, Reminder, Slot, WarningReport
from facetpath.patients.models import Stage

SAME_CLINIC = ["physician", "nurse", "frontdesk", "admin"]


def diary_for(world: World) -> Diary:
    """The diary of the world's block, done three days ago: its first slots are past and have no reminder."""
    diary, _token = start_diary(world, block=world.procedure)
    return diary


def views(world: World, diary: Diary) -> list[tuple[str, str, dict[str, Any], set[str]]]:
    """(method, url, data, roles allowed)."""
    pk = diary.procedure_id
    report = WarningReport.objects.create(diary=diary, signs=["fever"], idempotency_key="w-00000001")
    clinical = {"physician", "nurse"}
    return [
        ("get", reverse("diary-staff", args=[pk]), {}, clinical),
        ("get", reverse("diary-discharge-staff-pdf", args=[pk]), {}, clinical),
        ("post", reverse("diary-action", args=[pk, "add-slot"]), {"minutes": "75"}, clinical),
        ("post", reverse("diary-action", args=[pk, "remove-slot"]), {"slot": "0"}, clinical),
        ("post", reverse("diary-action", args=[pk, "reissue"]), {}, clinical),
        ("post", reverse("diary-action", args=[pk, "revoke"]), {}, clinical),
        ("post", reverse("diary-action", args=[pk, "cancel"]), {}, clinical),
        ("post", reverse("diary-ack", args=[report.pk]), {}, clinical),
        ("get", reverse("diary-settings"), {}, {"admin"}),
    ]


@pytest.mark.parametrize("who", SAME_CLINIC)
def test_same_clinic_roles(world: World, who: str) -> None:
    diary = diary_for(world)
    for method, url, data, allowed in views(world, diary):
        response = getattr(world.client_for(who), method)(url, data)
        expected = {200, 302} if who in allowed else {403}
        assert response.status_code in expected, (who, url, response.status_code)


def test_other_clinic_gets_404(world: World) -> None:
    diary = diary_for(world)
    for method, url, data, _allowed in views(world, diary):
        response = getattr(world.client_for("other-clinic"), method)(url, data)
        # the settings page is the other clinic's own; their physician is not its admin
        assert response.status_code == (403 if "settings" in url else 404), url
    assert Diary.objects.get(pk=diary.pk).status == Diary.Status.ACTIVE


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    diary = diary_for(world)
    for method, url, data, _allowed in views(world, diary):
        response = getattr(Client(), method)(url, data)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_a_nurse_starts_a_diary_from_the_procedure_page(world: World) -> None:
    nurse = world.client_for("nurse")
    page = nurse.get(reverse("procedure", args=[world.procedure.pk])).content.decode()
    assert reverse("diary-staff", args=[world.procedure.pk]) in page
    assert "Start diary" in nurse.get(reverse("diary-staff", args=[world.procedure.pk])).content.decode()
    nurse.post(reverse("diary-action", args=[world.procedure.pk, "start"]))
    diary = Diary.objects.get(procedure=world.procedure)
    page = nurse.get(reverse("diary-staff", args=[world.procedure.pk])).content.decode()
    assert diary.token in page and "<svg" in page
    again = nurse.post(reverse("diary-action", args=[world.procedure.pk, "start"]), follow=True)
    assert "already has a diary" in again.content.decode()


def test_a_planned_procedure_cannot_start_a_diary(world: World) -> None:
    world.procedure.status = "planned"
    world.procedure.save()
    response = world.client_for("nurse").post(
        reverse("diary-action", args=[world.procedure.pk, "start"]), follow=True
    )
    assert "Record the procedure as done" in response.content.decode()
    assert not Diary.objects.exists()


def test_staff_adjust_one_diary(world: World) -> None:
    diary = diary_for(world)
    nurse = world.client_for("nurse")
    nurse.post(reverse("diary-action", args=[diary.procedure_id, "add-slot"]), {"minutes": "90"})
    assert diary.slots.filter(minutes=90, cancelled=False).exists()
    slot = diary.slots.get(minutes=90)
    nurse.post(reverse("diary-action", args=[diary.procedure_id, "remove-slot"]), {"slot": str(slot.pk)})
    assert Slot.objects.get(pk=slot.pk).cancelled
    for bad in ["", "abc", "-5", "9" * 30, "\x00"]:
        response = nurse.post(
            reverse("diary-action", args=[diary.procedure_id, "add-slot"]), {"minutes": bad}, follow=True
        )
        assert response.status_code == 200 and "Extra time" in response.content.decode()
    assert nurse.post(reverse("diary-action", args=[diary.procedure_id, "unknown"])).status_code == 404


def test_clinic_defaults_are_editable_by_the_admin_and_name_bad_fields(world: World) -> None:
    admin = world.client_for("admin")
    data = {
        "diagnostic_minutes": "15, 30, 60", "diagnostic_days": "1", "follow_up_days": "1, 7", "morning_hour": "8",
        "link_valid_days": "10", "quiet_start": "22:00", "quiet_end": "07:00", "on_call_email": "oncall@a.example",
        "reminders_by_sms": "on",
    }  # fmt: skip
    assert admin.post(reverse("diary-settings"), data).status_code == 302
    rules = DiarySettings.objects.get(clinic=world.clinic)
    assert rules.diagnostic_minutes == [15, 30, 60] and rules.on_call_email == "oncall@a.example"
    bad = admin.post(reverse("diary-settings"), {**data, "diagnostic_minutes": "15, soon"})
    assert bad.status_code == 400 and "Diagnostic diary: minutes after the block" in bad.content.decode()
    diary, _token = start_diary(world, block=world.procedure)
    assert list(diary.slots.values_list("minutes", flat=True))[:3] == [15, 30, 60]


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections
def test_the_worker_sends_due_reminders_from_the_task_queue(world: World) -> None:
    diary = diary_for(world)
    # The block was days ago, so no reminder was planned; make its first slot due a minute ago.
    past = timezone.now() - timedelta(minutes=1)
    slot = diary.slots.get(minutes=15)
    Slot.objects.filter(pk=slot.pk).update(due_at=past)
    reminder = Reminder.objects.create(slot=slot, channel=Reminder.Channel.SMS, send_after=past)
    services._enqueue(reminder)
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert Reminder.objects.get(pk=reminder.pk).status == Reminder.Status.SENT


def test_the_sweep_sends_a_reminder_whose_task_was_lost_and_leaves_the_others(world: World) -> None:
    diary = diary_for(world)
    now = timezone.now()
    reminders = {}
    # Its task's turn (4 minutes late), lost (6), answered meanwhile (8), and too late to help (3 hours).
    for minutes, late in ((15, 4), (30, 6), (45, 8), (60, 180)):
        slot = diary.slots.get(minutes=minutes)
        Slot.objects.filter(pk=slot.pk).update(due_at=now - timedelta(minutes=late))
        reminders[minutes] = Reminder.objects.create(
            slot=slot, channel=Reminder.Channel.SMS, send_after=now - timedelta(minutes=late)
        )
    answered = diary.slots.get(minutes=45)
    data = services.EntryData("key-answered-45", 2, None, {}, None, "", answered.due_at)
    entry, _created = actions.record_answer(diary, data, now=answered.due_at)
    assert entry is not None and entry.slot == answered
    # As if the answer's skip had not reached it: the sweep's own re-check must still hold it back.
    Reminder.objects.filter(slot=answered).update(status=Reminder.Status.QUEUED, detail="")
    assert services.send_lost_reminders(now) == 2
    status = {minutes: Reminder.objects.get(pk=r.pk).status for minutes, r in reminders.items()}
    assert status == {
        15: Reminder.Status.QUEUED,  # its task sends it
        30: Reminder.Status.SENT,
        45: Reminder.Status.SKIPPED,  # re-checked: already answered
        60: Reminder.Status.QUEUED,  # too late to be useful: left alone
    }
    assert services.send_lost_reminders(now) == 0  # claimed: a second sweep sends nothing again


@pytest.mark.django_db(transaction=True)
def test_a_diary_answer_brings_the_stage_up_to_date_and_the_worker_keeps_it(world: World) -> None:
    diary = diary_for(world)
    # A week after the block, the whole sheet answered: the stage moves from diary running to review.
    for slot in diary.slots.all():
        data = services.EntryData(f"key-{slot.minutes:08d}", 2, None, {}, None, "", slot.due_at)
        actions.record_answer(diary, data)
    world.patient.refresh_from_db()
    assert world.patient.stage == Stage.READY_FOR_REVIEW  # with the last answer, not later
    assert webcli.main("worker", ["--once"]) == 0
    world.patient.refresh_from_db()
    assert world.patient.stage == Stage.READY_FOR_REVIEW


def test_the_demo_diaries_load(db: None) -> None:
    from facetpath.diary.demo import load_demo_diaries
    from facetpath.web.demo import load_demo

    clinic = load_demo()
    load_demo_diaries(clinic)
    diaries = Diary.objects.filter(procedure__patient__clinic=clinic)
    assert diaries.exists()
    assert WarningReport.objects.filter(diary__in=diaries).count() == 1
    load_demo_diaries(clinic)  # loading twice starts no second diary
    assert WarningReport.objects.filter(diary__in=diaries).count() == 1
