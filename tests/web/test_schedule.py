"""The schedule: planned procedures by day and week, per operator; the front desk books them; nothing planned
drops out of sight; the worklist lists patients awaiting an assessment or a first block."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from webfactories import World, make_assessment, make_block, make_patient, make_user

from facetpath.audit.models import AuditEvent
from facetpath.clinics.roles import Role
from facetpath.patients.models import Stage
from facetpath.procedures.models import Procedure
from facetpath.procedures.stage import refresh_stage
from facetpath.web.schedule import week_start


def _planned(world: World, days_ahead: int, **extra: object) -> Procedure:
    values: dict[str, object] = {"status": "planned", "pre_pain": None, "days_ago": -days_ahead}
    values.update(extra)
    return make_block(world.patient, **values)  # type: ignore[arg-type]


def _monday(world: World) -> date:
    """Next week's Monday: every day of that week is still ahead, whatever today is (nothing is past due)."""
    today = world.clinic.today()
    return today - timedelta(days=today.weekday()) + timedelta(days=7)


def test_week_start_is_the_monday_and_bad_input_means_this_week() -> None:
    today = date(2026, 12, 3)  # a Thursday
    assert week_start("2026-12-06", today) == date(2026, 11, 30)  # Sunday: the week that began on Monday
    assert week_start("2026-12-07", today) == date(2026, 12, 7)
    assert week_start("not-a-date", today) == week_start("", today) == date(2026, 11, 30)


def test_the_week_shows_each_planned_procedure_on_its_day(world: World) -> None:
    monday = _monday(world)
    this_week = make_block(
        world.patient, date=monday + timedelta(days=2), status="planned", start_time=time(9, 30)
    )
    next_week = make_block(world.patient, date=monday + timedelta(days=9), status="planned")
    done = make_block(world.patient, date=monday + timedelta(days=2), status="done", type="ia")
    client = world.client_for("physician")
    page = client.get(reverse("schedule") + f"?week={monday.isoformat()}").content.decode()
    assert reverse("procedure", args=[this_week.pk]) in page and "09:30" in page
    assert reverse("procedure", args=[next_week.pk]) not in page
    assert reverse("procedure", args=[done.pk]) not in page  # done is no longer a plan
    later = client.get(
        reverse("schedule") + f"?week={(monday + timedelta(days=7)).isoformat()}"
    ).content.decode()
    assert reverse("procedure", args=[next_week.pk]) in later
    assert reverse("procedure", args=[this_week.pk]) not in later
    assert "Previous week" in later and "Next week" in later


def test_the_schedule_filters_by_operator(world: World) -> None:
    monday = _monday(world)
    second = make_user("doctor-two", world.clinic, Role.PHYSICIAN)
    mine = make_block(
        world.patient, date=monday + timedelta(days=1), status="planned", operator=world.users["physician"]
    )
    theirs = make_block(world.patient, date=monday + timedelta(days=1), status="planned", operator=second)
    url = reverse("schedule") + f"?week={monday.isoformat()}&operator={second.pk}"
    page = world.client_for("physician").get(url).content.decode()
    assert reverse("procedure", args=[theirs.pk]) in page
    assert reverse("procedure", args=[mine.pk]) not in page


def test_the_front_desk_books_a_date_and_time_audited_without_clinical_detail(world: World) -> None:
    planned = _planned(world, 3, joints=["L3-L4"], agent_name="bupivacaine")
    client = world.client_for("frontdesk")
    page = client.get(reverse("schedule") + f"?week={planned.date.isoformat()}").content.decode()
    assert "Lovelace, Ada" in page and "Medial branch block" in page
    assert "L3-L4" not in page and "bupivacaine" not in page.lower() and "both sides" not in page
    assert reverse("procedure", args=[planned.pk]) not in page
    moved_to = planned.date + timedelta(days=5)
    response = client.post(
        reverse("schedule-book", args=[planned.pk]), {"date": moved_to.isoformat(), "start_time": "14:15"}
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.date, planned.start_time) == (moved_to, time(14, 15))
    event = AuditEvent.objects.filter(action="reschedule").latest("id")
    assert str(moved_to) in event.detail and event.patient_id == world.patient.pk
    # The front desk still reads no clinical record.
    assert client.get(reverse("procedure", args=[planned.pk])).status_code == 403


def test_bad_booking_input_names_the_field_and_changes_nothing(world: World) -> None:
    planned = _planned(world, 3)
    client = world.client_for("frontdesk")
    response = client.post(reverse("schedule-book", args=[planned.pk]), {"date": "2026-13-40"}, follow=True)
    assert response.status_code == 200
    assert "Date: Enter a valid date" in response.content.decode()
    before = planned.date
    planned.refresh_from_db()
    assert planned.date == before


def test_only_a_planned_procedure_moves(world: World) -> None:
    client = world.client_for("frontdesk")
    before = world.procedure.date
    response = client.post(
        reverse("schedule-book", args=[world.procedure.pk]), {"date": "2030-01-02"}, follow=True
    )
    assert "Only a planned procedure can be moved" in response.content.decode()
    world.procedure.refresh_from_db()
    assert world.procedure.date == before


def test_booking_another_clinics_procedure_is_404(world: World) -> None:
    planned = _planned(world, 3)
    response = world.client_for("other-clinic").post(
        reverse("schedule-book", args=[planned.pk]), {"date": "2030-01-02"}
    )
    assert response.status_code == 404
    before = planned.date
    planned.refresh_from_db()
    assert planned.date == before


def test_a_planned_procedure_past_its_date_stays_in_sight(world: World) -> None:
    slipped = _planned(world, -2)
    yesterday_done = make_block(world.patient, days_ago=1)
    today = _planned(world, 0)
    for url in (reverse("worklist"), reverse("schedule") + "?week=2000-01-03"):
        page = world.client_for("frontdesk").get(url).content.decode()
        assert "Planned, date passed" in page
        assert slipped.date.strftime("%-d %b %Y") in page or slipped.date.strftime("%a %-d %b") in page
    passed = world.client_for("physician").get(reverse("worklist")).context["date_passed"]
    assert [p.pk for p in passed] == [slipped.pk]  # not the one done, not today's
    assert yesterday_done.pk != today.pk


def test_the_worklist_lists_patients_awaiting_an_assessment_and_a_first_block(world: World) -> None:
    new = make_patient(world.clinic, mrn="N-1", family_name="Newcomer")
    candidate = make_patient(world.clinic, mrn="N-2", family_name="Assessed")
    make_assessment(candidate)
    refresh_stage(new)
    refresh_stage(candidate)
    new.refresh_from_db()
    candidate.refresh_from_db()
    assert (new.stage, candidate.stage) == (Stage.NEW, Stage.AWAITING_BLOCK)
    context = world.client_for("physician").get(reverse("worklist")).context
    assert new in context["awaiting_assessment"] and candidate not in context["awaiting_assessment"]
    assert candidate in context["awaiting_first_block"] and new not in context["awaiting_first_block"]
    page = world.client_for("physician").get(reverse("worklist")).content.decode()
    assert reverse("procedure-new", args=[candidate.pk]) in page
    listed = world.client_for("physician").get(reverse("patients") + "?stage=awaiting-block").content.decode()
    assert "Assessed" in listed and "Newcomer" not in listed


def _schedule_queries(world: World) -> int:
    client = world.client_for("frontdesk")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("schedule")).status_code == 200
    return len(captured)


def test_schedule_queries_are_flat_in_the_number_of_procedures(world: World) -> None:
    monday = _monday(world)

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            patient = make_patient(world.clinic, mrn=f"S-{i}", family_name=f"Booked{i}")
            make_block(
                patient,
                date=monday + timedelta(days=i % 7),
                status="planned",
                operator=world.users["physician"],
            )
            make_block(patient, date=world.clinic.today() - timedelta(days=5), status="planned")

    add(2, 0)
    with_two = _schedule_queries(world)
    add(6, 100)
    assert _schedule_queries(world) == with_two


def test_the_schedule_lists_only_this_clinics_procedures(world: World) -> None:
    monday = _monday(world)
    theirs = make_block(world.other_patient, date=monday + timedelta(days=1), status="planned")
    mine = make_block(world.patient, date=monday + timedelta(days=1), status="planned")
    page = world.client_for("physician").get(reverse("schedule") + f"?week={monday.isoformat()}")
    listed = [p.pk for _, day in page.context["days"] for p in day]
    assert listed == [mine.pk] and theirs.pk not in listed
    assert "Other, Bo" not in page.content.decode()
