"""The patient diary: schedule, secure link, entries bound to slots, idempotency, warning signs, reminders."""

from __future__ import annotations

import io
import threading
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django import db
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from webfactories import World, make_assessment, make_block, make_patient, post_entry, start_diary

from facetpath.audit.models import AuditEvent
from facetpath.diary import actions, services
from facetpath.diary.models import Diary, DiarySettings, Entry, Reminder, Slot, WarningReport, hash_token
from facetpath.patients.models import Patient, Stage
from facetpath.procedures import stage
from facetpath.procedures.models import DiaryScore, FollowUp

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def post_at(diary: Diary, minutes: int, token: str, **fields: Any) -> Any:
    """An answer sent `minutes` after the block ended (the clock moved there)."""
    with time_machine.travel(diary.starts_at + timedelta(minutes=minutes), tick=False):
        return post_entry(Client(), token, **fields)


# --- Schedule ----------------------------------------------------------------------------------------


def test_diagnostic_slots_across_the_spring_daylight_saving_change(db: None) -> None:
    rules = DiarySettings(
        diagnostic_minutes=[15, 30, 45, 60, 120, 480],
        diagnostic_days=[1, 2],
        follow_up_days=[],
        morning_hour=9,
    )
    # 7 March 2026, 16:00 in New York (EST, UTC-5); clocks go forward at 02:00 on 8 March.
    end = datetime(2026, 3, 7, 16, 0, tzinfo=NEW_YORK).astimezone(UTC)
    slots = dict(services.plan_slots(Diary.Kind.DIAGNOSTIC, end, NEW_YORK, rules))
    assert slots[15] == end + timedelta(minutes=15)  # elapsed time after the block
    assert slots[480] == datetime(2026, 3, 7, 21, 0, tzinfo=UTC) + timedelta(hours=8)
    mornings = {m: due.astimezone(NEW_YORK) for m, due in slots.items() if m > 480}
    # Next morning 09:00 EDT is only 16 hours later, not 17; day 2 is 40 hours later.
    assert mornings == {
        16 * 60: datetime(2026, 3, 8, 9, 0, tzinfo=NEW_YORK),
        40 * 60: datetime(2026, 3, 9, 9, 0, tzinfo=NEW_YORK),
    }
    assert all(due.hour == 9 for due in mornings.values())


def test_follow_up_slots_across_the_autumn_change_stay_at_the_morning_hour(db: None) -> None:
    rules = DiarySettings(
        diagnostic_minutes=[], diagnostic_days=[], follow_up_days=[1, 7, 28], morning_hour=9
    )
    end = datetime(2026, 10, 30, 11, 0, tzinfo=NEW_YORK).astimezone(UTC)  # clocks go back on 1 November
    slots = services.plan_slots(Diary.Kind.FOLLOW_UP, end, NEW_YORK, rules)
    local = [due.astimezone(NEW_YORK) for _m, due in slots]
    assert [d.date() for d in local] == [date(2026, 10, 31), date(2026, 11, 6), date(2026, 11, 27)]
    assert {d.hour for d in local} == {9}
    assert slots[1][0] == 7 * 24 * 60 - 2 * 60 + 60  # 6 days 22 h + the extra autumn hour


def test_starting_a_diary_makes_default_slots_and_reminders(world: World) -> None:
    diary, token = start_diary(world)
    assert diary.kind == Diary.Kind.DIAGNOSTIC
    minutes = list(diary.slots.values_list("minutes", flat=True))
    assert minutes[:11] == [15, 30, 45, 60, 120, 180, 240, 300, 360, 420, 480]
    assert len(minutes) == 13  # next morning and day 2
    assert set(Reminder.objects.filter(slot__diary=diary).values_list("channel", flat=True)) == {
        "sms",
        "email",
    }
    assert Diary.objects.get(token_hash=hash_token(token)) == diary
    assert token not in str(Diary.objects.values().get())  # only its hash is stored


def test_an_rfa_diary_is_a_follow_up_diary(world: World) -> None:
    diary, _token = start_diary(world, type="rfa", intent="", agent_name="")
    assert diary.kind == Diary.Kind.FOLLOW_UP
    # Follow-up days are calendar days after the block, at the morning hour where the clinic is: counted
    # in minutes, day 1 of a block that ended at 23:45 is only 9 hours away.
    zone = zoneinfo.ZoneInfo(world.clinic.time_zone)
    due = [moment.astimezone(zone) for moment in diary.slots.values_list("due_at", flat=True)]
    assert [(day.date() - diary.procedure.date).days for day in due] == [
        1,
        7,
        14,
        28,
        42,
        60,
        90,
        120,
        150,
        180,
    ]
    assert {(day.hour, day.minute) for day in due} == {(9, 0)}


# --- Link ---------------------------------------------------------------------------------------------


def test_the_link_carries_no_patient_identifier_and_opens_without_sign_in(world: World) -> None:
    diary, token = start_diary(world)
    # The address is /d/<token>/ and nothing else; the token is random (an HMAC of a random nonce).
    assert services.diary_url(diary).endswith(f"/d/{token}/") and world.patient.mrn not in token
    assert len(token) == 20
    response = Client().get(f"/d/{token}/")
    assert response.status_code == 200
    assert "Your pain diary" in response.content.decode()
    assert AuditEvent.objects.filter(
        username="patient link", patient=world.patient, clinic=world.clinic
    ).exists()


def test_a_forged_link_answers_404_and_keeps_nothing(world: World) -> None:
    start_diary(world)
    for forged in ["x" * 20, "A" * 64, "%00", "é" * 10, "y" * 200]:
        for page in ("", "discharge/", "discharge.pdf", "warning/"):
            assert Client().get(f"/d/{forged}/{page}").status_code == 404, page
        assert post_entry(Client(), forged).status_code == 404
    assert not Entry.objects.exists()


def test_an_expired_link_keeps_nothing_and_says_whom_to_call(world: World) -> None:
    world.clinic.phone = "555-0199"
    world.clinic.save()
    diary, token = start_diary(world)
    Diary.objects.filter(pk=diary.pk).update(link_expires_at=timezone.now() - timedelta(seconds=1))
    response = post_entry(Client(), token, json=False)
    assert response.status_code == 410
    assert "555-0199" in response.content.decode()
    json_answer = post_entry(Client(), token).json()
    assert json_answer["kept"] is False and json_answer["phone"] == "555-0199"
    assert not Entry.objects.exists() and not DiaryScore.objects.filter(procedure=diary.procedure).exists()


def test_revoke_and_reissue(world: World) -> None:
    world.clinic.phone = "(555) 010-0199"
    world.clinic.save()
    diary, token = start_diary(world)
    nurse = world.client_for("nurse")
    nurse.post(reverse("diary-action", args=[diary.procedure_id, "revoke"]))
    assert Client().get(f"/d/{token}/").status_code == 410
    nurse.post(reverse("diary-action", args=[diary.procedure_id, "reissue"]))
    diary.refresh_from_db()
    replaced = Client().get(f"/d/{token}/")  # the old link stops, and says whom to call (docs/diary.md)
    assert replaced.status_code == 410 and world.clinic.phone in replaced.content.decode()
    assert Client().get(f"/d/{diary.token}/").status_code == 200
    answer = post_entry(Client(), token, pain="4")
    assert answer.status_code == 410 and answer.json()["phone"] == world.clinic.phone
    assert Client().get("/d/never-a-real-link-token/").status_code == 404  # a forged one learns nothing


def test_scanner_gets_change_nothing(world: World) -> None:
    diary, token = start_diary(world)
    scanner = Client()
    for path in ["", "entry/", "warning/", "stop-reminders/", "discharge/"]:
        assert scanner.get(f"/d/{token}/{path}").status_code in (200, 405)
    assert not Entry.objects.exists() and not WarningReport.objects.exists()
    diary.refresh_from_db()
    assert diary.reminders_opted_out_at is None
    assert Reminder.objects.filter(slot__diary=diary, status=Reminder.Status.QUEUED).exists()


# --- Entries ------------------------------------------------------------------------------------------


def test_zero_is_an_answer_and_becomes_the_canonical_score(world: World) -> None:
    diary, token = start_diary(world)
    answer = post_entry(Client(), token, pain="0").json()
    assert answer["ok"] and answer["kept"] and answer["slot"] == 15
    assert DiaryScore.objects.get(procedure=diary.procedure, minutes=15).pain == 0  # with the answer


def test_the_procedure_page_shows_an_answer_as_soon_as_it_is_stored(world: World) -> None:
    diary, token = start_diary(world)
    staff = Client()
    staff.force_login(world.users["physician"])
    for n, (page, minutes) in enumerate((("pain-curve", 15), ("procedure", 30))):
        post_at(diary, minutes, token, key=f"key-before-{page}", pain=str(3 + n))
        assert DiaryScore.objects.get(procedure=diary.procedure, minutes=minutes).pain == 3 + n
        assert staff.get(reverse(page, args=[diary.procedure_id])).status_code == 200
    assert "30 min" in staff.get(reverse("procedure", args=[diary.procedure_id])).content.decode()


def test_a_score_staff_changed_after_the_answer_stays(world: World) -> None:
    diary, token = start_diary(world)
    post_entry(Client(), token, pain="4")
    DiaryScore.objects.filter(procedure=diary.procedure, minutes=15).update(
        pain=7, entered_by=world.users["nurse"]
    )
    post_entry(Client(), token, key="key-00000002", pain="5")  # the next answer leaves it alone
    score = DiaryScore.objects.get(procedure=diary.procedure, minutes=15)
    assert (score.pain, score.entered_by) == (7, world.users["nurse"])


def test_an_answer_is_scored_once_so_a_score_staff_deleted_stays_deleted(world: World) -> None:
    diary, token = start_diary(world)
    post_entry(Client(), token, key="key-first-answer", pain="4")
    DiaryScore.objects.filter(procedure=diary.procedure, minutes=15).delete()
    post_at(diary, 30, token, key="key-second-answer", pain="5")
    post_entry(Client(), token, key="key-first-answer", pain="4")  # a retry of the first scores nothing
    assert list(DiaryScore.objects.filter(procedure=diary.procedure).values_list("minutes", "pain")) == [
        (30, 5)
    ]


def test_an_answer_brings_the_stage_up_to_date_in_its_own_transaction(world: World) -> None:
    _diary, token = start_diary(world)
    post_entry(Client(), token, pain="2")
    world.patient.refresh_from_db()
    assert world.patient.stage == Stage.DIARY_RUNNING and world.patient.stage_updated_at is not None


def test_an_answer_is_kept_when_the_stage_cannot_be_recomputed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The patient was told it is saved: a record the core cannot read must not undo the answer."""
    diary, token = start_diary(world)
    before = Patient.objects.get(pk=world.patient.pk).stage

    def unreadable(patient: Patient, **kwargs: Any) -> Any:
        raise ValueError("unreadable")

    monkeypatch.setattr(stage, "evaluate", unreadable)
    answer = post_entry(Client(), token, pain="2").json()
    assert answer["kept"] and Entry.objects.filter(diary=diary).count() == 1
    assert DiaryScore.objects.filter(procedure=diary.procedure, minutes=15).exists()
    assert Patient.objects.get(pk=world.patient.pk).stage == before  # the worker's pass tries again


def test_the_workers_pass_goes_on_past_a_record_it_cannot_evaluate(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = make_patient(world.clinic, mrn="X-2", family_name="Other")
    make_assessment(other)
    make_block(other, days_ago=0, diary=((15, 2),))
    real = stage.evaluate

    def evaluate(patient: Patient, **kwargs: Any) -> Any:
        if patient.pk == world.patient.pk:
            raise ValueError("unreadable")
        return real(patient, **kwargs)

    monkeypatch.setattr(stage, "evaluate", evaluate)
    call_command("refresh_stages", stdout=io.StringIO())
    assert Patient.objects.get(pk=other.pk).stage == Stage.DIARY_RUNNING


@pytest.mark.parametrize("page", ["worklist", "patients", "patient"])
def test_pages_that_show_stages_show_the_one_the_answer_stored(world: World, page: str) -> None:
    _diary, token = start_diary(world)
    post_entry(Client(), token)
    staff = Client()
    staff.force_login(world.users["physician"])
    args = [world.patient.pk] if page == "patient" else []
    assert staff.get(reverse(page, args=args)).status_code == 200
    world.patient.refresh_from_db()
    assert world.patient.stage == Stage.DIARY_RUNNING


def test_an_answer_reads_and_writes_only_what_it_needs(world: World) -> None:
    """The busiest request: its queries do not grow with the answers already stored."""
    diary, token = start_diary(world)
    post_entry(Client(), token, key="key-warm-up-1", pain="1")
    with CaptureQueriesContext(connection) as second:
        assert post_at(diary, 30, token, key="key-00000002", pain="4").json()["kept"]
    with CaptureQueriesContext(connection) as third:
        assert post_at(diary, 45, token, key="key-00000003", pain="4").json()["kept"]
    assert len(second.captured_queries) == len(third.captured_queries)
    statements = [query["sql"].split()[0].upper() for query in second.captured_queries]
    # the entry, its score, the audit row; the reminders skipped, the patient's stage, the audit chain's head
    assert statements.count("INSERT") == 3 and statements.count("UPDATE") == 3, statements
    with CaptureQueriesContext(connection) as retry:
        assert post_at(diary, 30, token, key="key-00000002", pain="4").json()["duplicate"]
    writes = [q["sql"] for q in retry.captured_queries if q["sql"].split()[0].upper() in {"UPDATE", "DELETE"}]
    inserts = [q["sql"] for q in retry.captured_queries if q["sql"].upper().startswith("INSERT")]
    # a retry writes only its audit row and moves its chain's head
    assert len(inserts) == 1 and "audit" in inserts[0]
    assert len(writes) == 1 and "chainhead" in writes[0].lower()


@pytest.mark.django_db(transaction=True)
def test_answers_sent_at_once_each_take_their_own_time_and_retries_find_theirs(world: World) -> None:
    """Eight phones at once (four answers kept offline at 15, 30, 45 and 60 min, each sent twice): every
    answer stored once, on its own slot."""
    diary, token = start_diary(world)
    keys = [f"key-at-once-{n}" for n in range(4)] * 2
    answers: list[Any] = [None] * len(keys)
    start_together = threading.Barrier(len(keys))

    def send(index: int) -> None:
        start_together.wait()
        at = diary.starts_at + timedelta(minutes=15 * (index % 4 + 1))
        try:
            answers[index] = post_entry(
                Client(), token, key=keys[index], pain="5", entered_at=at.isoformat()
            ).json()
        finally:
            db.connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(keys))]
    with time_machine.travel(diary.starts_at + timedelta(minutes=61)):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert all(answer["kept"] for answer in answers)
    for n in range(4):  # a key's two sends got the same entry back, one as new and one as a repeat
        assert answers[n]["entry"] == answers[n + 4]["entry"]
        assert sorted([answers[n]["duplicate"], answers[n + 4]["duplicate"]]) == [False, True]
    entries = Entry.objects.filter(idempotency_key__startswith="key-at-once-")
    assert entries.count() == 4 and len({entry.slot_id for entry in entries}) == 4
    audited = AuditEvent.objects.filter(patient=world.patient, object_type="entry")
    assert sorted(audited.values_list("detail", flat=True)) == ["diary entry"] * 4 + ["repeat"] * 4


def test_a_patient_answer_replaces_a_score_staff_typed_for_the_same_time(world: World) -> None:
    diary, token = start_diary(world)
    DiaryScore.objects.create(procedure=diary.procedure, minutes=15, pain=9, entered_by=world.users["nurse"])
    post_entry(Client(), token, pain="4")
    score = DiaryScore.objects.get(procedure=diary.procedure, minutes=15)
    assert (score.pain, score.entered_by) == (4, None)


def test_the_audit_trail_never_holds_a_links_token(world: World) -> None:
    _diary, token = start_diary(world)
    phone = Client()
    assert phone.get(reverse("diary-page", args=[token])).status_code == 200
    post_entry(phone, token, pain="3")
    assert phone.get(reverse("diary-discharge", args=[token])).status_code == 200
    paths = list(AuditEvent.objects.filter(patient=world.patient).values_list("path", flat=True))
    assert "/d/…/" in paths and "/d/…/entry/" in paths and "/d/…/discharge/" in paths
    assert not any(token in path for path in paths)
    assert AuditEvent.objects.filter(path__contains=token).count() == 0


def test_a_retry_returns_the_stored_entry(world: World) -> None:
    diary, token = start_diary(world)
    first = post_entry(Client(), token, pain="4").json()
    again = post_entry(Client(), token, pain="9").json()
    assert again["duplicate"] is True and again["entry"] == first["entry"]
    assert Entry.objects.count() == 1 and Entry.objects.get().pain == 4
    assert DiaryScore.objects.filter(procedure=diary.procedure).count() == 1


def test_a_late_entry_goes_to_its_time_inside_the_window_and_says_so(world: World) -> None:
    diary, _token = start_diary(world)
    at = diary.starts_at + timedelta(minutes=37)
    entry, created = actions.record_answer(diary, _data("k-late-0001", at), now=at)
    assert created and entry is not None
    assert entry.slot.minutes == 30 and entry.minutes_from_slot == 7 and entry.entered_at == at
    assert "7 minutes late" in services.binding_message(entry)
    assert entry.fit == "late"
    # 36 min: 30 min is answered and 45 min's window opens at 38: asked first, then kept at its own time.
    early = diary.starts_at + timedelta(minutes=36)
    with pytest.raises(services.AnswerTooEarly) as asked:
        actions.record_answer(diary, _data("k-early-001", early), now=early)
    assert asked.value.slot.minutes == 45 and not Entry.objects.filter(idempotency_key="k-early-001").exists()
    confirmed = services.EntryData("k-early-001", 2, None, {}, None, "", early, confirmed_early=True)
    second, _ = actions.record_answer(diary, confirmed, now=early)
    assert second is not None and second.slot is None and second.minutes_from_slot is None
    assert second.fit == "extra" and "does not replace a diary time" in services.binding_message(second)
    assert diary.slots.get(minutes=45).reminders.exclude(status=Reminder.Status.SKIPPED).exists()


def test_an_offline_entry_keeps_its_phone_time(world: World) -> None:
    _diary, token = start_diary(world)
    then = timezone.now() - timedelta(minutes=1)
    post_entry(Client(), token, entered_at=then.isoformat())
    assert abs(Entry.objects.get().entered_at - then) < timedelta(seconds=1)
    # Now, with 15 min answered: kept as an extra point once confirmed, at the server's time.
    post_entry(Client(), token, key="key-future1", entered_at="2999-01-01T00:00:00Z", confirm_early="on")
    assert Entry.objects.get(idempotency_key="key-future1").entered_at <= timezone.now()
    for odd in ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00", "yesterday", "2026-02-30T10:00"]:
        assert (
            post_entry(
                Client(), token, key=f"key-odd-{len(odd):04d}{odd[:2]}", entered_at=odd, confirm_early="on"
            ).status_code
            == 200
        )


def _data(key: str, at: datetime, pain: int = 2) -> services.EntryData:
    return services.EntryData(key, pain, None, {}, None, "", at)


def test_movements_medicine_relief_and_note_are_kept(world: World) -> None:
    _diary, token = start_diary(world, painful_movements=["standing-up", "twisting"])
    page = Client().get(f"/d/{token}/").content.decode()
    assert "Standing up from a chair" in page and "Twisting at the waist" in page
    post_entry(
        Client(), token, relief_percent="80", took_pain_medicine="no", note="walked the dog",
        **{"move_standing-up": "easier", "move_twisting": "same"},
    )  # fmt: skip
    entry = Entry.objects.get()
    assert entry.relief_percent == 80 and entry.took_pain_medicine is False and entry.note == "walked the dog"
    assert entry.movements == {"standing-up": "easier", "twisting": "same"}


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"pain": ""}, "pain"),
        ({"pain": "11"}, "pain"),
        ({"pain": "ten"}, "pain"),
        ({"pain": "٣"}, "pain"),
        ({"relief_percent": "101"}, "relief_percent"),
        ({"relief_percent": "9" * 40}, "relief_percent"),
        ({"key": "short"}, "key"),
        ({"key": "x" * 5000}, "key"),
        ({"note": "\x00" * 600}, "note"),
        ({"took_pain_medicine": "maybe"}, "took_pain_medicine"),
    ],
)
def test_bad_input_names_the_field_and_keeps_nothing(
    world: World, fields: dict[str, str], named: str
) -> None:
    _diary, token = start_diary(world)
    response = post_entry(Client(), token, **fields)
    assert response.status_code == 400
    assert named in response.json()["errors"]
    html = post_entry(Client(), token, json=False, **fields)
    assert html.status_code == 400
    assert not Entry.objects.exists()


def test_a_complete_diary_stops_its_reminders(world: World) -> None:
    diary, token = start_diary(world)
    for n, slot in enumerate(diary.slots.all()):
        actions.record_answer(diary, _data(f"key-all-{n:04d}", slot.due_at), now=slot.due_at)
    diary.refresh_from_db()
    assert diary.status == Diary.Status.COMPLETE
    assert not Reminder.objects.filter(slot__diary=diary, status=Reminder.Status.QUEUED).exists()
    assert post_entry(Client(), token, key="key-extra-01").json()["kept"] is False
    last = Entry.objects.order_by("-slot__due_at").first()
    assert last is not None
    retry = post_entry(Client(), token, key=last.idempotency_key).json()
    assert retry["duplicate"] is True and retry["entry"] == last.pk


def test_a_follow_up_entry_writes_a_follow_up(world: World) -> None:
    diary, token = start_diary(world, type="rfa", intent="", agent_name="")
    post_at(diary, diary.slots.first().minutes, token, pain="2")
    assert FollowUp.objects.filter(procedure=diary.procedure, pain=2).count() == 1


def test_a_vas_patient_gets_the_score_on_their_scale(world: World) -> None:
    assessment = world.patient.latest_assessment()
    assert assessment is not None
    assessment.pain_scale, assessment.baseline_pain = "VAS-100", 80
    assessment.save()
    diary, token = start_diary(world)
    post_entry(Client(), token, pain="3")
    assert DiaryScore.objects.get(procedure=diary.procedure, minutes=15).pain == 30


# --- Warning signs ------------------------------------------------------------------------------------


def test_a_warning_sign_shows_what_to_do_alerts_the_worklist_and_emails_on_call(world: World) -> None:
    DiarySettings.objects.update_or_create(
        clinic=world.clinic, defaults={"on_call_email": "oncall@clinic.example"}
    )
    world.clinic.phone = "555-0100"
    world.clinic.save()
    _diary, token = start_diary(world)
    mail.outbox.clear()
    response = Client().post(f"/d/{token}/warning/", {"key": "warn-000001", "signs": ["fever"]})
    page = response.content.decode()
    assert response.status_code == 200 and "Call the clinic now" in page and "555-0100" in page
    assert [m.to for m in mail.outbox] == [["oncall@clinic.example"]]
    assert world.patient.family_name not in mail.outbox[0].body  # no identifier in the e-mail
    worklist = world.client_for("nurse").get(reverse("worklist")).content.decode()
    assert "Diary warning signs" in worklist and "Fever" in worklist
    assert (
        "Diary warning signs" not in world.client_for("frontdesk").get(reverse("worklist")).content.decode()
    )
    # the same report again (double tap) is one report
    Client().post(f"/d/{token}/warning/", {"key": "warn-000001", "signs": ["fever"]})
    assert WarningReport.objects.count() == 1 and len(mail.outbox) == 1


def test_a_red_flag_sends_to_emergency_services(world: World) -> None:
    _diary, token = start_diary(world)
    page = Client().post(f"/d/{token}/warning/", {"key": "warn-000002", "signs": ["bowel-bladder"]})
    assert (
        "Call emergency services (911) now" in page.content.decode()
        and 'href="tel:911"' in page.content.decode()
    )
    assert WarningReport.objects.get().red_flag


@pytest.mark.parametrize(
    ("language", "call_now"),
    [("en", "Call emergency services (112) now"), ("es", "Llame a emergencias (112) ahora")],
)
def test_every_patient_page_gives_the_clinics_own_emergency_number(
    world: World, language: str, call_now: str
) -> None:
    world.clinic.emergency_number = "112"
    world.clinic.save()
    world.patient.preferred_language = language
    world.patient.save()
    _diary, token = start_diary(world)
    client = Client()
    red_flag = client.post(
        f"/d/{token}/warning/", {"key": "warn-000003", "signs": ["weakness"]}
    ).content.decode()
    assert call_now in red_flag and 'href="tel:112"' in red_flag
    for path in (f"/d/{token}/warning/", f"/d/{token}/discharge/"):
        page = client.get(path).content.decode()
        # the number as the sentences and buttons give it (a QR code's path data may hold any digits)
        assert "(112)" in page and "(911)" not in page and "tel:911" not in page, path
    Diary.objects.update(link_revoked_at=timezone.now())
    assert "(112)" in client.get(f"/d/{token}/").content.decode()  # a link that no longer works
    assert "(911)" in Client().get("/d/forged-token-000/").content.decode()  # no clinic known: the default


def test_an_emergency_number_is_digits_as_dialled(world: World) -> None:
    from django.core.exceptions import ValidationError

    for bad in ("9-1-1", "call 911", "1", "1234567", ""):
        world.clinic.emergency_number = bad
        with pytest.raises(ValidationError):
            world.clinic.full_clean()
    world.clinic.emergency_number = "000"
    world.clinic.full_clean()


def test_a_warning_needs_a_sign(world: World) -> None:
    _diary, token = start_diary(world)
    response = Client().post(f"/d/{token}/warning/", {"key": "warn-000003"})
    assert response.status_code == 400 and "Warning signs" in response.content.decode()


def test_acknowledging_a_warning_clears_the_worklist(world: World) -> None:
    _diary, token = start_diary(world)
    Client().post(f"/d/{token}/warning/", {"key": "warn-000004", "signs": ["headache"]})
    report = WarningReport.objects.get()
    assert world.client_for("frontdesk").post(reverse("diary-ack", args=[report.pk])).status_code == 403
    assert world.client_for("other-clinic").post(reverse("diary-ack", args=[report.pk])).status_code == 404
    world.client_for("nurse").post(reverse("diary-ack", args=[report.pk]))
    report.refresh_from_db()
    assert report.acknowledged_by == world.users["nurse"]


# --- Reminders ----------------------------------------------------------------------------------------


def _due(diary: Diary, minutes: int, channel: str = "sms") -> Reminder:
    return Reminder.objects.get(slot__diary=diary, slot__minutes=minutes, channel=channel)


def test_a_due_reminder_is_sent_by_sms_and_email(world: World) -> None:
    diary, _token = start_diary(world)
    at = diary.starts_at + timedelta(minutes=15)
    assert services.deliver_reminder(_due(diary, 15).pk, now=at) == "sent"
    outbox = list((Path(settings.DATA_DIR) / "outbox").glob("sms-*.txt"))
    assert any(diary.token in f.read_text() for f in outbox)
    assert world.patient.family_name not in outbox[-1].read_text()
    mail.outbox.clear()
    assert services.deliver_reminder(_due(diary, 15, "email").pk, now=at) == "sent"
    assert mail.outbox[0].to == [world.patient.email]
    # a duplicate task does nothing
    assert services.deliver_reminder(_due(diary, 15).pk, now=at) == "not due"


def test_reminder_rechecks_just_before_sending(world: World) -> None:
    diary, token = start_diary(world)
    post_entry(Client(), token)  # answers the 15-minute slot before its reminder
    reminder = _due(diary, 15)
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.QUEUED)  # as if still queued
    assert services.deliver_reminder(reminder.pk, now=diary.starts_at + timedelta(minutes=15)) == "skipped"
    assert Reminder.objects.get(pk=reminder.pk).detail == "already answered"
    actions.cancel_diary(diary)
    other = _due(diary, 30)
    Reminder.objects.filter(pk=other.pk).update(status=Reminder.Status.QUEUED)
    assert services.deliver_reminder(other.pk, now=diary.starts_at + timedelta(minutes=30)) == "skipped"
    assert "cancelled" in Reminder.objects.get(pk=other.pk).detail


def test_opting_out_stops_reminders(world: World) -> None:
    diary, token = start_diary(world)
    page = Client().post(f"/d/{token}/stop-reminders/")
    assert page.status_code == 200
    assert not Reminder.objects.filter(slot__diary=diary, status=Reminder.Status.QUEUED).exists()
    reminder = _due(diary, 30)
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.QUEUED)
    assert services.deliver_reminder(reminder.pk, now=diary.starts_at + timedelta(minutes=30)) == "skipped"


def test_quiet_hours_move_reminders_to_the_morning(world: World) -> None:
    world.clinic.time_zone = "America/New_York"
    world.clinic.save()
    rules = DiarySettings.for_clinic(world.clinic)
    late = datetime(2026, 6, 1, 22, 30, tzinfo=NEW_YORK)
    assert rules.after_quiet_hours(late, NEW_YORK) == datetime(2026, 6, 2, 8, 0, tzinfo=NEW_YORK)
    early = datetime(2026, 6, 2, 6, 0, tzinfo=NEW_YORK)
    assert rules.after_quiet_hours(early, NEW_YORK) == datetime(2026, 6, 2, 8, 0, tzinfo=NEW_YORK)
    noon = datetime(2026, 6, 2, 12, 0, tzinfo=NEW_YORK)
    assert rules.after_quiet_hours(noon, NEW_YORK) == noon
    # A reminder whose time falls in quiet hours when the worker runs waits for the morning.
    diary, _token = start_diary(world)
    DiarySettings.objects.filter(clinic=world.clinic).update(quiet_start=time(21), quiet_end=time(8))
    reminder = _due(diary, 15)
    Reminder.objects.filter(pk=reminder.pk).update(send_after=late)
    Slot.objects.filter(pk=reminder.slot_id).update(due_at=late)
    assert services.deliver_reminder(reminder.pk, now=late.astimezone(UTC)) == "deferred"
    assert Reminder.objects.get(pk=reminder.pk).send_after == datetime(2026, 6, 2, 8, 0, tzinfo=NEW_YORK)


def test_a_failing_transport_is_logged_and_shown_to_staff(world: World, settings: Any) -> None:
    settings.FACETPATH_SMS_BACKEND = "http"
    settings.FACETPATH_SMS_URL = "http://127.0.0.1:9/sms"  # nothing listens on the discard port
    settings.FACETPATH_SMS_TOKEN = "t"
    diary, _token = start_diary(world)
    assert (
        services.deliver_reminder(_due(diary, 15).pk, now=diary.starts_at + timedelta(minutes=15)) == "failed"
    )
    assert "unreachable" in _due(diary, 15).detail
    nurse = world.client_for("nurse")
    assert "Diary reminders that failed" in nurse.get(reverse("worklist")).content.decode()
    assert "unreachable" in nurse.get(reverse("diary-staff", args=[diary.procedure_id])).content.decode()


def test_no_consent_no_reminders(world: World) -> None:
    patient = make_patient(world.clinic, mrn="A-2", phone="+1555", sms_consent=False)
    make_assessment(patient)
    block = make_block(patient, days_ago=0)
    diary, _token = actions.start_diary(block, None)
    assert not Reminder.objects.filter(slot__diary=diary).exists()


# --- Languages ----------------------------------------------------------------------------------------


def test_the_diary_speaks_the_patients_language_unless_they_switch(world: World) -> None:
    world.patient.preferred_language = "es"
    world.patient.save()
    _diary, token = start_diary(world)
    spanish = Client().get(f"/d/{token}/").content.decode()
    assert 'lang="es"' in spanish and "Su diario del dolor" in spanish
    switched = Client()
    switched.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Your pain diary" in switched.get(f"/d/{token}/").content.decode()
    discharge = Client().get(f"/d/{token}/discharge/").content.decode()
    assert "Llame a la clínica si tiene" in discharge and "<svg" in discharge


def pdf_text(response: Any) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["After your test injection", "Call the clinic if you have", "emergency services (112) now"]),
        ("es", ["Llame a la clínica si tiene", "Llame a emergencias (112) ahora"]),
    ],
)
def test_the_discharge_sheet_as_a_pdf_in_the_patients_language(
    world: World, language: str, words: list[str]
) -> None:
    world.clinic.phone, world.clinic.emergency_number = "555-0100", "112"
    world.clinic.save()
    world.patient.preferred_language = language
    world.patient.save()
    diary, token = start_diary(world, sedation="moderate")
    text = pdf_text(Client().get(f"/d/{token}/discharge.pdf"))
    for expected in [*words, world.clinic.name, "555-0100", f"/d/{token}/"]:
        assert expected in text.replace("\n", " "), expected
    assert world.patient.family_name not in text  # nothing on the sheet names the patient
    assert AuditEvent.objects.filter(detail="discharge sheet PDF", username="patient link").count() == 1
    # staff print the same sheet, in the patient's language, from the diary page
    staff = pdf_text(
        world.client_for("nurse").get(reverse("diary-discharge-staff-pdf", args=[diary.procedure_id]))
    )
    assert all(expected in staff.replace("\n", " ") for expected in words)


def test_no_pdf_from_a_link_that_no_longer_works(world: World) -> None:
    diary, token = start_diary(world)
    assert Client().get("/d/not-a-real-token-1/discharge.pdf").status_code == 404
    actions.revoke_link(diary)
    assert Client().get(f"/d/{token}/discharge.pdf").status_code == 410
    staff = world.client_for("nurse").get(reverse("diary-discharge-staff-pdf", args=[diary.procedure_id]))
    assert staff.status_code == 302 and staff["Location"] == reverse("diary-staff", args=[diary.procedure_id])


def test_discharge_sheet_by_region_and_sedation(world: World) -> None:
    _diary, token = start_diary(world, sedation="moderate")
    page = Client().get(f"/d/{token}/discharge/").content.decode()
    assert "your lower back" in page and "An adult must drive you home" in page and "<svg" in page
    assert "do not nap" in page  # a diagnostic block's diary window
