"""The blocks CSV: one row per procedure done in a date range, with its response and decision under the
clinic's policy, read from the core's evaluation of the patient's whole record
(facetpath.procedures.interpretation, the one door to the core), never worked out here.

Rows come out in date order, a chunk of procedures at a time: each chunk loads its patients' records in a
fixed number of queries (patients, assessments, procedures, diaries, follow-ups, sign-offs), so the queries
per row stay constant however long the range, and the response streams instead of building in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch

from facetpath.clinical.findings import Severity
from facetpath.clinical.words import response_words, role_words
from facetpath.clinics.models import Clinic
from facetpath.clinics.spreadsheet import Echo, cell
from facetpath.patients.models import Assessment, Patient
from facetpath.procedures import interpretation
from facetpath.procedures.models import DiaryScore, FollowUp, Procedure, SignOff

COLUMNS = (
    "patient", "MRN", "date", "procedure", "role", "joints", "side", "response", "peak relief %",
    "decision", "rules not met", "CPT codes", "signed by", "signed at (UTC)", "policy",
)  # fmt: skip
CHUNK = 200  # procedures per round of queries
BOM = "\ufeff"  # Excel reads the file as UTF-8 only with it


@dataclass
class _Record:
    patient: Patient
    procedures: dict[int, Procedure]
    result: interpretation.Interpretation | None  # None: no complete assessment


def block_rows(clinic: Clinic, start: date, end: date) -> Iterator[list[str]]:
    keys = list(
        Procedure.objects.filter(
            patient__clinic_id=clinic.pk, status=Procedure.Status.DONE, date__range=(start, end)
        )
        .order_by("date", "id")
        .values_list("pk", "patient_id")
    )
    for first in range(0, len(keys), CHUNK):
        chunk = keys[first : first + CHUNK]
        records = _records(clinic, {patient_id for _, patient_id in chunk})
        for procedure_id, patient_id in chunk:
            record = records[patient_id]
            yield _row(record, record.procedures[procedure_id])


def _records(clinic: Clinic, patient_ids: set[int]) -> dict[int, _Record]:
    patients = {p.pk: p for p in Patient.objects.filter(pk__in=patient_ids)}
    latest: dict[int, Assessment] = {}
    for complete in (
        Assessment.objects.filter(patient_id__in=patient_ids)
        .exclude(Assessment.draft_q())
        .order_by("patient_id", "-date", "-id")
    ):
        latest.setdefault(complete.patient_id, complete)  # the same choice as Patient.latest_assessment
    procedures: dict[int, list[Procedure]] = {pk: [] for pk in patient_ids}
    for procedure in _procedures(patient_ids):
        procedures[procedure.patient_id].append(procedure)
    records = {}
    for pk, patient in patients.items():
        patient.clinic = clinic
        for procedure in procedures[pk]:
            procedure.patient = patient
        assessment = latest.get(pk)
        result = interpretation.evaluate(patient, assessment, procedures[pk]) if assessment else None
        records[pk] = _Record(patient, {p.pk: p for p in procedures[pk]}, result)
    return records


def _procedures(patient_ids: Iterable[int]) -> Iterator[Procedure]:
    """The patients' procedures that belong in the case, as interpretation.case_procedures loads them."""
    signed = SignOff.objects.select_related("signed_by").order_by("-signed_at", "-id")
    return iter(
        Procedure.objects.filter(patient_id__in=list(patient_ids))
        .exclude(status=Procedure.Status.CANCELLED)
        .order_by("date", "id")
        .prefetch_related(
            Prefetch("diary_scores", queryset=DiaryScore.objects.order_by("minutes", "id")),
            Prefetch("follow_ups", queryset=FollowUp.objects.order_by("date", "id")),
            Prefetch("sign_offs", queryset=signed.defer(*interpretation.SIGNED_DOCUMENTS)),
        )
    )


def _row(record: _Record, procedure: Procedure) -> list[str]:
    patient, found = record.patient, _result(record, procedure)
    sign_off = next(iter(procedure.sign_offs.all()), None)
    return [
        f"{patient.family_name}, {patient.given_name}",
        patient.mrn,
        procedure.date.isoformat(),
        procedure.get_type_display(),
        role_words(found.role) if found else "",
        " ".join(procedure.joints),
        procedure.get_side_display(),
        response_words(found.response) if found else "",
        "" if found is None or found.peak_relief_percent is None else f"{found.peak_relief_percent:g}",
        _decision(record, found),
        " ".join(f.rule for f in found.findings if f.severity is Severity.DENY) if found else "",
        " ".join(str(line) for line in found.codes) if found else "",
        _signer(sign_off),
        sign_off.signed_at.strftime("%Y-%m-%d %H:%M") if sign_off else "",
        f"{record.result.policy_name} {record.result.policy_version}" if record.result else "",
    ]


def _result(record: _Record, procedure: Procedure) -> Any:
    return record.result.for_procedure(procedure) if record.result is not None else None


def _decision(record: _Record, found: Any) -> str:
    if record.result is None:
        return "not evaluated: no complete assessment"
    if found is None:
        return "not evaluated: " + "; ".join(record.result.errors)
    return "meets criteria" if found.meets_criteria else "does not meet criteria"


def _signer(sign_off: SignOff | None) -> str:
    if sign_off is None:
        return "not signed"
    user = sign_off.signed_by
    return user.get_full_name() or user.get_username()


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """The CSV, line by line: the BOM, the header, then each row with its cells guarded."""
    writer = csv.writer(Echo())
    yield BOM + writer.writerow(COLUMNS)
    for row in rows:
        yield writer.writerow([cell(value) for value in row])
