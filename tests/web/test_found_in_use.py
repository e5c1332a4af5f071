"""Issue 14, item 7, on the staff side and the diary: wording, search, the clinic's time zone."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from django.test import Client
from webfactories import World, make_block, make_patient

from facetpath.clinical.schedule import DIARY_SCHEDULE_MINUTES
from facetpath.clinics.forms import ClinicForm
from facetpath.clinics.roles import Role
from facetpath.diary import actions
from facetpath.diary.models import DiarySettings


def _spanish_diary(world: World) -> str:
    world.patient.preferred_language = "es"
    world.patient.save()
    DiarySettings.for_clinic(world.clinic)
    DiarySettings.objects.filter(clinic=world.clinic).update(quiet_start=time(0), quiet_end=time(0))
    block = make_block(world.patient, days_ago=0)
    _diary, token = actions.start_diary(block, world.users["nurse"])
    return Client().get(f"/d/{token}/").content.decode()


def test_the_spanish_diary_counts_answered_times_not_hours(world: World) -> None:
    page = _spanish_diary(world)
    total = len(DIARY_SCHEDULE_MINUTES) + 2  # the next morning and day 2
    assert f"0 de {total} horarios respondidos." in page
    assert "horas respondidas" not in page


# --- The clinic's time zone is chosen, not typed --------------------------------------------------------

CLINIC_FORM = {
    "name": "Clinic A", "default_policy": "sis", "phone": "", "emergency_number": "911", "email": "",
    "address": "", "insurance_networks": "",
}  # fmt: skip


def _clinic_url(world: World) -> str:
    return f"/staff/admin/clinics/clinic/{world.clinic.pk}/change/"


def test_the_clinic_time_zone_is_a_list_of_zone_names_keeping_the_current_one(world: World) -> None:
    world.clinic.time_zone = "America/Chicago"
    world.clinic.save()
    page = world.client_for(Role.ADMIN).get(_clinic_url(world)).content.decode()
    select = page.split('name="time_zone"')[1].split("</select>")[0]
    assert '<optgroup label="America">' in select and '<optgroup label="Europe">' in select
    assert '<option value="America/Chicago" selected>Chicago</option>' in select
    assert '<option value="America/New_York">New York</option>' in select
    areas = re.findall(r'<optgroup label="([^"]+)">', select)
    assert areas[:-1] == sorted(areas[:-1]) and areas[-1] == "Other"


@pytest.mark.parametrize(("zone", "saved"), [("Europe/Madrid", True), ("Mars/Olympus_Mons", False)])
def test_only_a_listed_time_zone_is_saved(world: World, zone: str, saved: bool) -> None:
    response = world.client_for(Role.ADMIN).post(_clinic_url(world), {**CLINIC_FORM, "time_zone": zone})
    world.clinic.refresh_from_db()
    assert (world.clinic.time_zone == zone) is saved
    if not saved:
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_a_time_zone_typed_before_the_list_stays_shown_until_replaced(world: World) -> None:
    # The middleware cannot serve pages with such a clinic, so the form is checked on its own.
    world.clinic.time_zone = "Central Time"
    form = ClinicForm(instance=world.clinic)
    assert '<option value="Central Time" selected>Central Time</option>' in str(form["time_zone"])
    bound = ClinicForm({**CLINIC_FORM, "time_zone": "Central Time"}, instance=world.clinic)
    assert not bound.is_valid() and "is not a time zone name" in str(bound.errors["time_zone"])


# --- Patient search: phone digits and dates of birth ---------------------------------------------------


@pytest.fixture
def searchable(world: World) -> World:
    make_patient(world.clinic, "P-1", given_name="Rosa", family_name="Delgado", phone="+1 (555) 010-0100",
                 birth_date=date(1958, 7, 2))  # fmt: skip
    make_patient(world.clinic, "P-2", given_name="Tom", family_name="Becker", phone="555.010.2200",
                 birth_date=date(1958, 2, 7))  # fmt: skip
    make_patient(world.other_clinic, "P-3", given_name="Rosa", family_name="Other", phone="555-010-0100",
                 birth_date=date(1958, 7, 2))  # fmt: skip
    return world


def _found(world: World, query: str) -> list[str]:
    page = world.client_for(Role.NURSE).get("/staff/patients/", {"q": query}).content.decode()
    return [name for name in ("Delgado", "Becker", "Other", "Lovelace") if name in page]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("5550100100", ["Delgado"]),
        ("555-010-0100", ["Delgado"]),
        ("(555) 010 0100", ["Delgado"]),
        ("+1 555 010 0100", ["Delgado"]),
        ("+15550100100", ["Delgado"]),
        ("15550100100", ["Delgado"]),
        ("0100", ["Delgado"]),
        ("555 010", ["Delgado", "Becker"]),
        ("010-2200", ["Becker"]),
        ("5550109999", []),
    ],
)
def test_patient_search_finds_phone_digits_however_written(
    searchable: World, query: str, names: list[str]
) -> None:
    assert _found(searchable, query) == names  # never the other clinic's patient


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("1958-07-02", ["Delgado"]),
        ("07/02/1958", ["Delgado"]),
        ("02/07/1958", ["Becker"]),  # month first, as typed in the US
        ("1958-02-07", ["Becker"]),
        ("1958-07-03", []),
        ("Rosa 1958-07-02", ["Delgado"]),
        ("Tom 1958-07-02", []),
        ("1958-02-30", []),  # not a date: read as text, which matches nothing
    ],
)
def test_patient_search_finds_a_date_of_birth(searchable: World, query: str, names: list[str]) -> None:
    assert _found(searchable, query) == names


def test_patient_search_still_finds_names_and_mrns(searchable: World) -> None:
    assert _found(searchable, "delg") == ["Delgado"]
    assert _found(searchable, "P-2") == ["Becker"]
