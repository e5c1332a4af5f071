"""Diary answers at their true times (issue 14, items 1 and 2): the demo's wrong answer replayed, the
early-answer confirmation with and without JavaScript, marks staff see, and sign-off of a pending block."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from webfactories import World, make_block

from facetpath.diary import actions
from facetpath.diary.models import Diary, DiarySettings, Entry
from facetpath.procedures import interpretation
from facetpath.procedures.models import DiaryScore, SignOff

# The block ends at 14:00 UTC (the test clinic's zone) on a fixed day: every clock below is this one's.
END = datetime(2027, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(END, tick=False) as traveller:
        yield traveller


def start_block(world: World) -> tuple[Diary, str]:
    """A lidocaine block ending at END, the patient's only one, with its diary started."""
    world.procedure.delete()
    world.assessment.date = date(2027, 2, 1)
    world.assessment.save()
    DiarySettings.for_clinic(world.clinic)
    DiarySettings.objects.filter(clinic=world.clinic).update(quiet_start=time(0), quiet_end=time(0))
    block = make_block(
        world.patient, days_ago=0, date=END.date(), start_time=time(13, 40), end_time=time(14, 0)
    )
    return actions.start_diary(block, world.users["nurse"])


def answer(token: str, key: str, pain: int, json: bool = True, **fields: Any) -> Any:
    headers = {"Accept": "application/json"} if json else {}
    data = {"key": key, "pain": str(pain), **fields}
    return Client().post(f"/d/{token}/entry/", data, headers=headers)


def physician(world: World) -> Client:
    staff = Client()
    staff.force_login(world.users["physician"])
    return staff


def test_the_demos_early_answers_stay_at_their_true_times(
    world: World, clock: time_machine.Coordinates
) -> None:
    """Three answers at minutes 5 to 7, then every other time filled within a minute: each is asked
    about first, kept at its own time, and the block is not called negative from answers it never got."""
    diary, token = start_block(world)
    open_times = diary.slots.count()
    moments = [END + timedelta(minutes=m) for m in (5, 6, 7)]
    moments += [END + timedelta(minutes=7, seconds=5 * n) for n in range(1, open_times - 2)]
    for n, moment in enumerate(moments):
        clock.move_to(moment)
        key = f"key-demo-{n:04d}"
        asked = answer(token, key, pain=6)
        assert asked.status_code == 409 and asked.json()["confirm"] is True
        assert asked.json()["message"] == "Your next time is 14:15. Answer now anyway?"
        assert not Entry.objects.filter(idempotency_key=key).exists()  # nothing kept until confirmed
        kept = answer(token, key, pain=6, confirm_early="on").json()
        assert kept["kept"] and kept["slot"] is None and "does not replace a diary time" in kept["message"]
    entries = Entry.objects.filter(diary=diary)
    assert entries.count() == len(moments) and not entries.filter(slot__isnull=False).exists()
    diary.refresh_from_db()
    assert diary.status == Diary.Status.ACTIVE and not diary.slots.filter(entry__isnull=False).exists()

    staff = physician(world)
    curve = staff.get(reverse("pain-curve", args=[diary.procedure_id]))
    assert curve.status_code == 200 and "extra answer (no diary time)" in curve.content.decode()
    scores = list(DiaryScore.objects.filter(procedure=diary.procedure))
    assert scores and all(score.minutes < 10 for score in scores)  # every point before minute 10
    assert {score.mark for score in scores} == {"extra"}
    result = interpretation.evaluate(world.patient).procedure_json(diary.procedure)
    assert result is not None and result["response"] == "pending"
    assert "GEN-DIARY-SHORT" in {finding["rule"] for finding in result["findings"]}

    sheet = staff.get(reverse("diary-staff", args=[diary.procedure_id])).content.decode()
    assert sheet.count("extra (no diary time)") == len(moments) and "no diary time</em>" in sheet


def test_an_answer_inside_a_window_counts_for_that_time_and_is_marked_early(
    world: World, clock: time_machine.Coordinates
) -> None:
    diary, token = start_block(world)
    clock.move_to(END + timedelta(minutes=8))  # 15 min's window opens at exactly 8 min
    saved = answer(token, "key-early-0001", pain=2).json()
    assert saved["kept"] and saved["slot"] == 15 and "7 minutes early" in saved["message"]
    clock.move_to(END + timedelta(minutes=30, seconds=30))  # on time
    assert answer(token, "key-ontime-001", pain=1).json()["slot"] == 30
    staff = physician(world)
    page = staff.get(reverse("procedure", args=[diary.procedure_id])).content.decode()
    assert "8 min (early)" in page  # the staff's diary grid says so in words
    assert [(s.minutes, s.mark) for s in DiaryScore.objects.filter(procedure=diary.procedure)] == [
        (8, "early"),
        (31, ""),
    ]
    sheet = staff.get(reverse("diary-staff", args=[diary.procedure_id])).content.decode()
    assert 'class="badge mark-early">early</span>' in sheet and "on time" in sheet


def test_without_javascript_the_server_asks_and_the_same_answer_confirmed_is_kept(
    world: World, clock: time_machine.Coordinates
) -> None:
    _diary, token = start_block(world)
    clock.move_to(END + timedelta(minutes=3))
    page = Client().get(f"/d/{token}/").content.decode()
    assert "Your next time is 14:15" in page
    asked = answer(token, "key-nojs-00001", pain=4, json=False, note="felt numb")
    html = asked.content.decode()
    assert asked.status_code == 409 and "Your next time is 14:15. Answer now anyway?" in html
    assert 'name="confirm_early" value="on"' in html and 'value="felt numb"' in html
    assert 'name="key" value="key-nojs-00001"' in html and not Entry.objects.exists()
    kept = answer(token, "key-nojs-00001", pain=4, json=False, note="felt numb", confirm_early="on")
    assert kept.status_code == 200 and "does not replace a diary time" in kept.content.decode()
    entry = Entry.objects.get()
    assert entry.slot is None and entry.note == "felt numb" and entry.entered_at == END + timedelta(minutes=3)
    again = answer(token, "key-nojs-00001", pain=4, confirm_early="on").json()  # a retry finds it
    assert again["duplicate"] is True and Entry.objects.count() == 1


def test_a_pending_block_is_signed_only_with_a_reason_that_is_kept_and_shown(
    world: World, clock: time_machine.Coordinates
) -> None:
    diary, _token = start_block(world)
    staff = physician(world)
    url = reverse("procedure", args=[diary.procedure_id])
    page = staff.get(url).content.decode()
    assert "The response is pending" in page and 'list="sign-reasons"' in page
    assert "first diagnostic block" in page and "diagnostic-1" not in page
    refused = staff.post(reverse("sign-off", args=[diary.procedure_id]), {"comment": "ok"}, follow=True)
    assert "say why you sign it now" in refused.content.decode() and not SignOff.objects.exists()
    staff.post(reverse("sign-off", args=[diary.procedure_id]), {"reason": "  diary   not returned "})
    signed = SignOff.objects.get()
    assert signed.reason == "diary not returned"
    page = staff.get(url).content.decode()
    assert "Signed although" in page and "diary not returned" in page
    assert ">pending<" in page and "{&#x27;" not in page and "{'id'" not in page


def test_a_block_with_its_diary_and_pre_pain_signs_without_a_reason(world: World) -> None:
    staff = physician(world)
    url = reverse("procedure", args=[world.procedure.pk])
    assert "sign-reasons" not in staff.get(url).content.decode()
    staff.post(reverse("sign-off", args=[world.procedure.pk]), {"reason": "ignored", "comment": ""})
    assert SignOff.objects.get().reason == ""
    page = staff.get(url).content.decode()
    assert "Signed although" not in page and "first diagnostic block" in page
    assert "GEN-" in page or "MCD-" in page or "No findings" in page  # findings listed by rule ID


def test_a_block_without_pre_block_pain_needs_a_reason(world: World) -> None:
    world.procedure.pre_pain = None
    world.procedure.save()
    staff = physician(world)
    staff.post(reverse("sign-off", args=[world.procedure.pk]), {"comment": "fine"})
    assert not SignOff.objects.exists()
    staff.post(
        reverse("sign-off", args=[world.procedure.pk]), {"reason": "score given by phone, not charted"}
    )
    assert SignOff.objects.get().reason == "score given by phone, not charted"
