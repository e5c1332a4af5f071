"""The export: a patient's records loaded page by page, turned into resources by the registered exporters.

Adding a resource type is one entry: a function that takes a `PatientRecord` and yields resources,
registered with `@exporter("Type", *prefetch)` (the related rows it needs, loaded with each page of
patients). The reports and prior-authorization apps add DocumentReference and Claim this way.

Query count per page of patients is constant (one per relation below), whatever the page holds; memory
holds one page at a time.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet

from facetpath.clinical.anatomy import parse_joint
from facetpath.clinical.coding import icd10_suggestions
from facetpath.clinical.diary_times import elapsed_minutes
from facetpath.clinics.models import Clinic
from facetpath.diary.models import Diary, Entry
from facetpath.fhir import codes, resources
from facetpath.fhir.resources import Resource
from facetpath.patients.models import Assessment, Patient
from facetpath.procedures import interpretation
from facetpath.procedures.interpretation import SIGNED_DOCUMENTS, Interpretation
from facetpath.procedures.models import DiaryScore, FollowUp, Procedure, SignOff

PAGE_SIZE = 200


@dataclass
class PatientRecord:
    """One patient's rows, loaded, and the core's evaluation of their case."""

    patient: Patient
    assessments: list[Assessment]  # complete ones, latest first
    procedures: list[Procedure]  # every one, cancelled too, oldest first
    interpretation: Interpretation | None
    practitioners: set[int] = field(default_factory=set)  # staff the resources refer to
    _scores: dict[int, list[Resource]] = field(default_factory=dict)

    def scores(self, procedure: Procedure) -> list[Resource]:
        """The procedure's score Observations, built once: the interpretation names them as derivedFrom."""
        if procedure.pk not in self._scores:
            self._scores[procedure.pk] = _score_resources(self, procedure)
        return self._scores[procedure.pk]

    @property
    def assessment(self) -> Assessment | None:
        return self.assessments[0] if self.assessments else None

    @property
    def pain_scale(self) -> str:
        return self.assessment.pain_scale if self.assessment else "NRS-11"

    def diary(self, procedure: Procedure) -> Diary | None:
        try:
            return procedure.patient_diary
        except Diary.DoesNotExist:
            return None

    def result(self, procedure: Procedure) -> Any:
        return None if self.interpretation is None else self.interpretation.for_procedure(procedure)

    def cpt(self, procedure: Procedure) -> str | None:
        found = self.result(procedure)
        return found.codes[0].code if found is not None and found.codes else None

    def condition_codes(self) -> list[tuple[str, str]]:
        """ICD-10-CM codes the core suggests for every joint treated or planned (clinical/coding.py)."""
        joints = {parse_joint(name) for p in self.procedures if p.status != "cancelled" for name in p.joints}
        return icd10_suggestions(joints)

    def condition_ids(self) -> list[str]:
        return [resources.condition_id(self.patient.pk, code) for code, _ in self.condition_codes()]


Build = Callable[[PatientRecord], Iterable[Resource]]


@dataclass(frozen=True)
class Exporter:
    resource_type: str
    build: Build


EXPORTERS: list[Exporter] = []
PREFETCHES: list[str | Prefetch[Any]] = []


def exporter(resource_type: str, *prefetch: str | Prefetch[Any]) -> Callable[[Build], Build]:
    """Registers `build` as a source of `resource_type` resources for each patient."""

    def register(build: Build) -> Build:
        EXPORTERS.append(Exporter(resource_type, build))
        PREFETCHES.extend(item for item in prefetch if item not in PREFETCHES)
        return build

    return register


# --- the registered exporters ----------------------------------------------------------------------


@exporter("Patient")
def _patient(record: PatientRecord) -> Iterator[Resource]:
    yield resources.patient(record.patient)


@exporter("Condition")
def _conditions(record: PatientRecord) -> Iterator[Resource]:
    recorded = record.assessment.date if record.assessment else None
    for code, label in record.condition_codes():
        yield resources.condition(record.patient, code, label, recorded)


@exporter("QuestionnaireResponse")
def _assessments(record: PatientRecord) -> Iterator[Resource]:
    for assessment in record.assessments:
        if assessment.created_by_id:
            record.practitioners.add(assessment.created_by_id)
        yield resources.assessment_response(assessment, record.patient)


@exporter("Observation")
def _baseline_scores(record: PatientRecord) -> Iterator[Resource]:
    for assessment in record.assessments:
        response = f"qr-assessment-{assessment.pk}"
        day = assessment.date.isoformat()
        if assessment.baseline_pain is not None:
            yield resources.pain_observation(
                f"baseline-pain-{assessment.pk}",
                record.patient,
                assessment.pain_scale,
                assessment.baseline_pain,
                "baseline",
                day,
                derived_from=response,
            )
        if (
            assessment.disability_instrument in codes.DISABILITY_CODES
            and assessment.disability_score is not None
        ):
            yield resources.disability_observation(
                f"disability-{assessment.pk}",
                record.patient,
                assessment.disability_instrument,
                assessment.disability_score,
                "baseline",
                day,
                derived_from=response,
            )


@exporter("Procedure")
def _procedures(record: PatientRecord) -> Iterator[Resource]:
    conditions = record.condition_ids()
    for procedure in record.procedures:
        if procedure.operator_id:
            record.practitioners.add(procedure.operator_id)
        if procedure.status == Procedure.Status.DONE:
            yield resources.procedure(procedure, record.cpt(procedure), conditions, record.diary(procedure))


@exporter("ServiceRequest")
def _planned(record: PatientRecord) -> Iterator[Resource]:
    conditions = record.condition_ids()
    for procedure in record.procedures:
        if procedure.status != Procedure.Status.DONE:
            yield resources.service_request(procedure, record.cpt(procedure), conditions)


def _score_resources(record: PatientRecord, procedure: Procedure) -> list[Resource]:
    scale, found = record.pain_scale, []
    end = resources.procedure_end(procedure, record.diary(procedure))
    if procedure.pre_pain is not None:
        start = procedure.start_time
        effective = resources.at_time(procedure, start) if start else procedure.date.isoformat()
        found.append(
            resources.pain_observation(
                f"pre-pain-{procedure.pk}",
                record.patient,
                scale,
                procedure.pre_pain,
                "pre-procedure",
                effective,
                procedure,
            )
        )
    diary = record.diary(procedure)
    # A score the patient's answer wrote sits at the answer's minute since the diary's zero (diary/actions.py).
    answers = (
        {elapsed_minutes(diary.starts_at, entry.entered_at): entry for entry in diary.entries.all()}
        if diary is not None
        else {}
    )
    found += [
        resources.diary_pain_observation(
            score,
            record.patient,
            scale,
            procedure,
            end,
            answers.get(score.minutes) if score.entered_by_id is None else None,
        )
        for score in procedure.diary_scores.all()
    ]
    for visit in procedure.follow_ups.all():
        found += resources.follow_up_observations(visit, record.patient, scale, procedure)
    return found


@exporter("Observation")
def _procedure_scores(record: PatientRecord) -> Iterator[Resource]:
    for procedure in record.procedures:
        if procedure.status != Procedure.Status.CANCELLED:
            yield from record.scores(procedure)


@exporter("Observation")
def _interpretations(record: PatientRecord) -> Iterator[Resource]:
    """The core's result per done procedure, through procedures/interpretation.py (never recomputed here)."""
    if record.interpretation is None or not record.interpretation.ok:
        return
    chosen = record.interpretation
    for procedure in record.procedures:
        found = record.result(procedure)
        if procedure.status != Procedure.Status.DONE or found is None:
            continue
        scores = [obs["id"] for obs in record.scores(procedure) if resources.is_pain(obs)]
        yield resources.interpretation_observation(
            procedure, found, chosen.policy_name, chosen.policy_version, scores
        )


@exporter("QuestionnaireResponse")
def _diary_answers(record: PatientRecord) -> Iterator[Resource]:
    for procedure in record.procedures:
        diary = record.diary(procedure)
        if diary is not None:
            for entry in diary.entries.all():
                yield resources.diary_response(entry, record.patient, procedure)


@exporter("AuditEvent")
def _sign_offs(record: PatientRecord) -> Iterator[Resource]:
    for procedure in record.procedures:
        for sign_off in procedure.sign_offs.all():
            record.practitioners.add(sign_off.signed_by_id)
            yield resources.sign_off_event(sign_off, procedure)


# --- loading ----------------------------------------------------------------------------------------


def patients_with_records(queryset: QuerySet[Patient]) -> QuerySet[Patient]:
    """Patients with every relation the exporters read: one query per relation, for any number of them."""
    procedures = Procedure.objects.select_related("patient_diary").order_by("date", "id")
    return queryset.select_related("clinic").prefetch_related(
        Prefetch(
            "assessments", queryset=Assessment.objects.exclude(Assessment.draft_q()).order_by("-date", "-id")
        ),
        Prefetch("procedures", queryset=procedures),
        Prefetch("procedures__diary_scores", queryset=DiaryScore.objects.order_by("minutes", "id")),
        Prefetch("procedures__follow_ups", queryset=FollowUp.objects.order_by("date", "id")),
        Prefetch(
            "procedures__sign_offs",
            queryset=SignOff.objects.defer(*SIGNED_DOCUMENTS).order_by("signed_at", "id"),
        ),
        Prefetch("procedures__patient_diary__entries", queryset=Entry.objects.order_by("entered_at", "id")),
        *PREFETCHES,
    )


def record_of(patient: Patient) -> PatientRecord:
    assessments = list(patient.assessments.all())
    procedures = list(patient.procedures.all())
    for procedure in procedures:
        procedure.patient = patient  # with its clinic: no query per procedure
    case_procedures = [p for p in procedures if p.status != Procedure.Status.CANCELLED]
    evaluated = interpretation.evaluate(patient, assessments[0], case_procedures) if assessments else None
    return PatientRecord(patient, assessments, procedures, evaluated)


def patient_resources(record: PatientRecord) -> Iterator[tuple[str, Resource]]:
    for entry in EXPORTERS:
        for resource in entry.build(record):
            yield entry.resource_type, resource


def pages(queryset: QuerySet[Patient], size: int = PAGE_SIZE) -> Iterator[list[Patient]]:
    """The patients `size` at a time, each page loaded with its records (ids streamed, not held).

    A loaded page is a web of reference cycles (a procedure points at its patient, whose prefetched list
    holds the procedure), which only the cycle collector frees, and it runs a full pass rarely: without a
    collection per page the export's memory grew with the clinic (docs/performance.md)."""
    ids = queryset.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=size)
    page: list[int] = []
    for pk in ids:
        page.append(pk)
        if len(page) == size:
            yield _load(page)
            page = []
            gc.collect()
    if page:
        yield _load(page)


def _load(ids: list[int]) -> list[Patient]:
    return list(patients_with_records(Patient.objects.filter(pk__in=ids)).order_by("pk"))


def clinic_resources(clinic: Clinic, practitioners: Iterable[int]) -> Iterator[tuple[str, Resource]]:
    """The clinic, the staff the patients' resources name, and what facetpath publishes."""
    yield "Organization", resources.organization(clinic)
    for user in User.objects.filter(pk__in=sorted(set(practitioners))).order_by("pk"):
        yield "Practitioner", resources.practitioner(user)
    for questionnaire in codes.QUESTIONNAIRE_ITEMS:
        yield "Questionnaire", codes.questionnaire_resource(questionnaire)
    for system in codes.CODE_SYSTEMS:
        yield "CodeSystem", codes.code_system_resource(system)


def clinic_export(
    clinic: Clinic, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[str, Resource]]:
    """Every resource of a clinic, a page of patients at a time; staff last, once every patient named them."""
    practitioners: set[int] = set()
    for page in pages(Patient.objects.filter(clinic=clinic)):
        for patient in page:
            record = record_of(patient)
            yield from patient_resources(record)
            practitioners |= record.practitioners
        if progress is not None:
            progress(len(page))
    yield from clinic_resources(clinic, practitioners)


def everything(patient: Patient, base_url: str) -> Resource:
    """Patient/$everything: the patient's resources, the clinic and the staff they name, as a searchset."""
    loaded = patients_with_records(Patient.objects.filter(pk=patient.pk)).get()
    record = record_of(loaded)
    found = list(patient_resources(record))
    found += [
        item
        for item in clinic_resources(loaded.clinic, record.practitioners)
        if item[0] in ("Organization", "Practitioner")
    ]
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": 1,
        "entry": [
            {
                "fullUrl": f"{base_url}{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match" if kind == "Patient" else "include"},
            }
            for kind, resource in found
        ],
    }


def ndjson_line(resource: Resource) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"
