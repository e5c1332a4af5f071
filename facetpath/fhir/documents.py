"""DocumentReference for the PDF reports: a block report per signed diagnostic block, and the patient's
prior-authorization packet once a request exists (docs/fhir.md, Documents).

The export carries no PDF bytes: `content.attachment.url` is `Binary/<id>`, relative to the FHIR base, and
`/fhir/r4/Binary/<id>` renders the PDF when it is fetched (views.py), authenticated and audited like every
FHIR read. Rendering a PDF takes about a second, so a bulk export of thousands of patients stays a stream
of rows. A block report is listed once it is signed: before that its findings may still change, and the
report prints the sign-off.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from facetpath.fhir import codes
from facetpath.fhir.export import PatientRecord, exporter
from facetpath.fhir.resources import (
    Resource,
    organization_id,
    patient_id,
    practitioner_id,
    procedure_ref,
    ref,
)
from facetpath.patients.models import Patient
from facetpath.procedures.models import Procedure, SignOff

PROCEDURE_NOTE = {"system": codes.LOINC, "code": "28570-0", "display": "Procedure note"}
ADMINISTRATIVE_NOTE = {"system": codes.LOINC, "code": "51851-4", "display": "Administrative note"}
CLINICAL_NOTE = {
    "coding": [
        {
            "system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
            "code": "clinical-note",
            "display": "Clinical Note",
        }
    ]
}
# IHE's format code for "the MIME type says it all": US Core asks for content.format.
PDF_FORMAT = {
    "system": "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode",
    "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient",
    "display": "mimeType Sufficient",
}
BLOCK_REPORT = "block-report-"
PACKET = "prior-auth-packet-"


def block_report_id(procedure: Procedure) -> str:
    return f"{BLOCK_REPORT}{procedure.pk}"


def packet_id(patient: Patient) -> str:
    return f"{PACKET}{patient.pk}"


def has_block_report(procedure: Procedure) -> bool:
    """A done diagnostic block that a physician signed (the sign-offs loaded with it)."""
    return (
        procedure.status == Procedure.Status.DONE
        and procedure.is_diagnostic_block
        and bool(procedure.sign_offs.all())
    )


def latest_sign_off(procedure: Procedure) -> SignOff:
    return max(procedure.sign_offs.all(), key=lambda row: (row.signed_at, row.pk))


def _pdf(binary_id: str, title: str, created: datetime) -> list[Resource]:
    attachment = {
        "contentType": "application/pdf",
        "url": f"Binary/{binary_id}",  # relative: read against this server's FHIR base, as a reference is
        "title": title,
        "creation": created.isoformat(),
    }
    return [{"attachment": attachment, "format": PDF_FORMAT}]


def block_report_document(procedure: Procedure) -> Resource:
    signed = latest_sign_off(procedure)
    signer = ref("Practitioner", practitioner_id(signed.signed_by_id))
    return {
        "resourceType": "DocumentReference",
        "id": f"doc-{block_report_id(procedure)}",
        "meta": {"profile": [codes.US_CORE + "us-core-documentreference"]},
        "identifier": [{"system": codes.identifier_system("document"), "value": block_report_id(procedure)}],
        "status": "current",
        "docStatus": "final",
        "type": {"coding": [PROCEDURE_NOTE], "text": "Block report"},
        "category": [CLINICAL_NOTE],
        "subject": ref("Patient", patient_id(procedure.patient_id)),
        "date": signed.signed_at.isoformat(),
        "author": [signer],
        "authenticator": signer,
        "custodian": ref("Organization", organization_id(procedure.patient.clinic_id)),
        "description": f"Block report, {procedure.get_type_display()} on {procedure.date.isoformat()}",
        "content": _pdf(
            block_report_id(procedure), f"Block report {procedure.date.isoformat()}", signed.signed_at
        ),
        "context": {"related": [procedure_ref(procedure)], "period": {"start": procedure.date.isoformat()}},
    }


def packet_document(patient: Patient, related: list[dict[str, str]], created: datetime) -> Resource:
    """The packet as it stands when fetched: the checklist for the next procedure and its supporting blocks
    (rendered on demand, so no docStatus: it is neither a draft nor frozen)."""
    return {
        "resourceType": "DocumentReference",
        "id": f"doc-{packet_id(patient)}",
        "meta": {"profile": [codes.US_CORE + "us-core-documentreference"]},
        "identifier": [{"system": codes.identifier_system("document"), "value": packet_id(patient)}],
        "status": "current",
        "type": {"coding": [ADMINISTRATIVE_NOTE], "text": "Prior-authorization packet"},
        "category": [CLINICAL_NOTE],
        "subject": ref("Patient", patient_id(patient.pk)),
        "date": created.isoformat(),
        "author": [ref("Organization", organization_id(patient.clinic_id))],
        "custodian": ref("Organization", organization_id(patient.clinic_id)),
        "description": "Prior-authorization packet: the MAC checklist and the supporting block reports",
        "content": _pdf(packet_id(patient), "Prior-authorization packet", created),
        "context": {"related": related},
    }


@exporter("DocumentReference", "prior_auths")
def _documents(record: PatientRecord) -> Iterator[Resource]:
    for procedure in record.procedures:
        if has_block_report(procedure):
            record.practitioners.add(latest_sign_off(procedure).signed_by_id)
            yield block_report_document(procedure)
    requests = list(record.patient.prior_auths.all())
    if requests:
        related = [ref("Claim", f"pa-{request.pk}") for request in requests]
        created = max(request.created_at for request in requests)
        yield packet_document(record.patient, related, created)
