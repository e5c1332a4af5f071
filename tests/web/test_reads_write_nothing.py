"""A staff page that only shows the record writes nothing but its audit row: the stage it shows was stored
by the write that changed the record (facetpath.procedures.stage), never brought up to date on a read."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from webfactories import GOOD_DIARY, World, make_block

from facetpath.audit.models import AuditEvent
from facetpath.diary import actions, services

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
AUDIT_TABLE = AuditEvent._meta.db_table


def _with_an_answer(world: World) -> None:
    """A diary with a patient's answer in it, as a clinic has most of the day."""
    diary, _token = actions.start_diary(world.procedure, None)
    slot = diary.slots.order_by("due_at").first()
    assert slot is not None
    data = services.EntryData("key-read-only-1", 3, None, {}, None, "", slot.due_at)
    entry, _created = actions.record_answer(diary, data, now=slot.due_at)
    assert entry is not None


def _writes_of(world: World, page: str, args: list[Any]) -> list[str]:
    client = world.client_for("physician")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(page, args=args)).status_code == 200
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(WRITES)
    ]


@pytest.mark.parametrize(
    ("page", "of"),
    [
        ("worklist", None),
        ("patients", None),
        ("patient", "patient"),
        ("procedure", "procedure"),
        ("pain-curve", "procedure"),
        ("diary-staff", "procedure"),
    ],
)
def test_a_staff_page_writes_only_its_audit_row(world: World, page: str, of: str | None) -> None:
    _with_an_answer(world)
    args = [] if of is None else [world.patient.pk if of == "patient" else world.procedure.pk]
    writes = _writes_of(world, page, args)
    # The audit row, and its chain's head moved on to it (facetpath.audit: the tamper-evident chain).
    assert len(writes) == 2, writes
    assert writes[0].lstrip().upper().startswith("INSERT") and AUDIT_TABLE in writes[0]
    assert writes[1].lstrip().upper().startswith("UPDATE") and '"audit_chainhead"' in writes[1]


def _count(world: World, page: str, args: list[Any]) -> int:
    client = world.client_for("physician")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(page, args=args)).status_code == 200
    return len(captured.captured_queries)


def test_the_procedure_page_queries_do_not_grow_with_the_patients_procedures(world: World) -> None:
    one = _count(world, "procedure", [world.procedure.pk])
    for days in (20, 40, 60, 80):
        make_block(world.patient, days_ago=days, diary=GOOD_DIARY)
    assert _count(world, "procedure", [world.procedure.pk]) == one


def test_the_diary_settings_page_of_a_clinic_that_never_saved_them_writes_nothing(world: World) -> None:
    client = world.client_for("admin")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("diary-settings")).status_code == 200
    writes = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(WRITES)
    ]
    assert writes == []
