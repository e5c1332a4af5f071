"""Prepared queries (facetpath.prepared) answer exactly as the ORM does, with each call's own values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, DateField, IntegerField
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from webfactories import GOOD_DIARY, World, make_assessment, make_block, make_patient

from facetpath.audit.models import AuditEvent
from facetpath.patients.models import Patient
from facetpath.prepared import Param, Prepared, attach, fields_of, insert, instance_of
from facetpath.procedures.models import DiaryScore, Procedure

CLINIC = Param("clinic", IntegerField())
SINCE = Param("since", DateField())


def blocks(clinic: object, since: object) -> object:
    return (
        Procedure.objects.filter(patient__clinic_id=clinic, date__gte=since)
        .values("pk", "date", "joints", "patient__family_name", "created_at")
        .annotate(scores=Count("diary_scores"))
        .order_by("date", "pk")
    )


BLOCKS = Prepared(lambda: blocks(CLINIC, SINCE))


def test_a_prepared_query_answers_what_its_queryset_answers(world: World) -> None:
    for days in (0, 3, 9):
        make_block(world.patient, days_ago=days, diary=GOOD_DIARY[:days])
    other = make_patient(world.other_clinic, mrn="B-9")
    make_assessment(other)
    make_block(other, days_ago=1)
    today = world.clinic.today()
    for clinic in (world.clinic, world.other_clinic):
        for since in (today - timedelta(days=30), today - timedelta(days=4), today + timedelta(days=1)):
            expected = list(blocks(clinic.pk, since))  # type: ignore[call-overload]
            assert BLOCKS(clinic=clinic.pk, since=since) == expected
    # Dates, JSON and aware datetimes come back converted, as from the ORM.
    first = BLOCKS(clinic=world.clinic.pk, since=today - timedelta(days=30))[0]
    assert first["joints"] == ["L4-L5", "L5-S1"] and first["created_at"].tzinfo is not None


def test_each_call_runs_with_its_own_values(world: World) -> None:
    make_block(world.patient, days_ago=0)
    today = world.clinic.today()
    assert BLOCKS(clinic=world.clinic.pk, since=today - timedelta(days=10))
    assert not BLOCKS(clinic=world.other_clinic.pk, since=today - timedelta(days=10))
    assert not BLOCKS(clinic=world.clinic.pk, since=today + timedelta(days=1))


def test_only_a_values_queryset_can_be_prepared(db: None) -> None:
    with pytest.raises(ValueError, match="values"):
        Prepared(lambda: Patient.objects.filter(clinic_id=CLINIC))(clinic=1)


def test_models_from_prepared_rows_are_loaded_rows(world: World) -> None:
    rows = Prepared(
        lambda: Patient.objects.filter(pk=Param("pk", IntegerField())).values(*fields_of(Patient))
    )
    patient = instance_of(Patient, rows(pk=world.patient.pk)[0])
    assert patient == world.patient and patient.mrn == world.patient.mrn and not patient._state.adding
    patient.phone = "+15550199"
    patient.save()  # an update of the same row, not a second patient
    assert Patient.objects.filter(mrn=world.patient.mrn, clinic=world.clinic).count() == 1
    assert Patient.objects.get(pk=world.patient.pk).phone == "+15550199"


def test_attached_objects_answer_the_related_manager_without_a_query(world: World) -> None:
    procedure = Procedure.objects.get(pk=world.procedure.pk)
    scores = list(DiaryScore.objects.filter(procedure=procedure))
    attach(procedure, "diary_scores", scores)
    with CaptureQueriesContext(connection) as captured:
        assert list(procedure.diary_scores.all()) == scores
        assert procedure.diary_scores.exists() == bool(scores)
    assert len(captured) == 0


def test_insert_writes_the_row_save_would(world: World) -> None:
    before = timezone.now()
    inserted = insert(
        AuditEvent,
        username="someone",
        clinic_id=world.clinic.pk,
        action="view",
        patient_id=world.patient.pk,
        detail="x",
    )
    event = AuditEvent.objects.get(username="someone")
    assert (event.clinic, event.patient, event.action, event.detail) == (
        world.clinic,
        world.patient,
        "view",
        "x",
    )
    assert event.when >= before  # auto_now_add filled in, as by save()
    assert inserted.pk == event.pk and inserted.when == event.when and not inserted._state.adding
    assert inserted.object_id == "" and inserted.who_id is None  # defaults, as save() would write them


def test_statements_run_on_the_driver_report_errors_as_django_does(world: World) -> None:
    from django.db import IntegrityError, transaction

    from facetpath.prepared import Statement

    rename = Statement("UPDATE patients_patient SET mrn = %(mrn)s WHERE id = %(patient)s")
    assert rename(mrn="A-NEW", patient=world.patient.pk) == 1  # the rows it changed
    assert rename(mrn="A-NEW", patient=0) == 0
    other = make_patient(world.clinic, mrn="A-OTHER")
    with pytest.raises(IntegrityError), transaction.atomic():  # (clinic, mrn) is unique
        rename(mrn="A-NEW", patient=other.pk)
    with CaptureQueriesContext(connection) as logged:  # counted, like any query, when queries are logged
        assert rename(mrn="A-NEWER", patient=world.patient.pk) == 1
    assert len(logged) == 1 and "UPDATE patients_patient" in logged[0]["sql"]


def test_insert_names_a_column_the_model_lacks(db: None) -> None:
    with pytest.raises(TypeError, match="no column clinic"):
        insert(AuditEvent, username="someone", clinic=1, action="view")
