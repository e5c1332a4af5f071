"""The audit trail is a hash chain per clinic: `facetpath audit verify` passes on untouched data and names the
first entry that was edited or deleted in the database."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from webfactories import ROLES, World

from facetpath.audit.digest import GENESIS
from facetpath.audit.models import AuditEvent, ChainHead
from facetpath.audit.verify import verify_chain
from facetpath.datacli import main
from facetpath.patients.models import Patient
from facetpath.public.models import PublicProfile

PHYSICIAN = ROLES[0]


def read_patient(world: World, times: int = 3) -> list[AuditEvent]:
    client = world.client_for(PHYSICIAN)
    for _ in range(times):
        assert client.get(reverse("patient", args=[world.patient.pk])).status_code == 200
    return list(AuditEvent.objects.filter(chain=world.clinic.pk).order_by("sequence"))


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main("audit", ["verify", *args])
    return status, capsys.readouterr().out


def test_each_clinic_s_entries_form_a_numbered_chain(world: World) -> None:
    events = read_patient(world)
    assert [event.sequence for event in events] == list(range(1, len(events) + 1))
    assert events[0].previous_hash == GENESIS
    assert all(later.previous_hash == earlier.entry_hash for earlier, later in itertools.pairwise(events))
    head = ChainHead.objects.get(chain=world.clinic.pk)
    assert (head.sequence, head.entry_hash) == (events[-1].sequence, events[-1].entry_hash)


def test_verify_passes_on_untouched_data(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    read_patient(world)
    world.client_for("other-clinic").get(reverse("patient", args=[world.other_patient.pk]))
    status, out = verify(capsys)
    assert status == 0, out
    assert "Clinic A" in out and "Clinic B" in out and "BROKEN" not in out


def test_an_edited_entry_is_named(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    events = read_patient(world)
    AuditEvent.objects.filter(pk=events[1].pk).update(action="search")
    status, out = verify(capsys)
    assert status == 1
    assert f"edited: entry {events[1].pk} (number 2," in out


def test_an_entry_edited_in_sql_is_named(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    events = read_patient(world)
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET username = %s WHERE id = %s", ["someone-else", events[0].pk])
    status, out = verify(capsys)
    assert status == 1 and f"edited: entry {events[0].pk} " in out


def test_a_deleted_entry_is_named_by_the_entry_after_it(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    events = read_patient(world)
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    status, out = verify(capsys)
    assert status == 1
    assert f"deleted: 1 entry (number 2…2) just before entry {events[2].pk} " in out


def test_a_deleted_newest_entry_is_named(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    events = read_patient(world)
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    status, out = verify(capsys)
    assert status == 1
    assert f"deleted: the newest 1 entry (from number {events[-1].sequence})" in out


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(world: World) -> None:
    events = read_patient(world)
    forged = events[0]
    forged.detail = "nothing to see"
    from facetpath.audit.digest import entry_digest

    AuditEvent.objects.filter(pk=forged.pk).update(detail=forged.detail, entry_hash=entry_digest(forged))
    report = verify_chain(world.clinic.pk)
    assert not report.intact
    assert f"entry {events[1].pk} " in report.problem and "does not follow" in report.problem


def test_one_clinic_is_checked_on_its_own(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    read_patient(world)
    world.client_for("other-clinic").get(reverse("patient", args=[world.other_patient.pk]))
    AuditEvent.objects.filter(chain=world.other_clinic.pk).update(detail="changed")
    slug = PublicProfile.for_clinic(world.clinic).slug
    assert verify(capsys, "--clinic", slug)[0] == 0
    other = PublicProfile.for_clinic(world.other_clinic).slug
    assert verify(capsys, "--clinic", other)[0] == 1
    status, _ = verify(capsys, "--clinic", "no-such-clinic")
    assert status == 2


def test_entries_keep_the_patient_after_the_patient_is_deleted(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    events = read_patient(world)
    patient_id = world.patient.pk
    Patient.objects.filter(pk=patient_id).delete()
    kept = AuditEvent.objects.filter(pk__in=[event.pk for event in events if event.patient_ref])
    assert kept.exists()
    assert set(kept.values_list("patient_ref", "patient")) == {(patient_id, None)}
    assert verify(capsys)[0] == 0


@pytest.mark.django_db(transaction=True)
def test_writers_at_once_never_chain_onto_the_same_entry(world: World) -> None:
    def write(name: str) -> None:
        try:
            for n in range(8):
                AuditEvent.objects.create(username=name, action="test", clinic=world.clinic, detail=str(n))
        finally:
            connections.close_all()

    writers = [threading.Thread(target=write, args=(f"writer-{n}",)) for n in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    sequences = list(AuditEvent.objects.filter(chain=world.clinic.pk).values_list("sequence", flat=True))
    assert sorted(sequences) == list(range(1, 33))
    assert verify_chain(world.clinic.pk).intact
