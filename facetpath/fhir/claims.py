"""Prior authorization as FHIR, shaped after Da Vinci PAS (docs/fhir.md, Prior authorization): a Claim with
`use = preauthorization` per request, a ClaimResponse per decision the payer made, and the Coverage they
name.

The UTN travels where PAS carries the payer's authorization number: `ClaimResponse.preAuthRef`, on the
response to the submission that was given it. A resubmission quotes the latest UTN back to the payer, and R4
has the element for that on the request side: `Claim.insurance.preAuthRef`. The payer is not a resource
here (facetpath keeps a payer kind, not the payer's record): it is a logical reference, an identifier in
facetpath's payer system and its name, so nothing points at a resource the export does not hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from facetpath.fhir import codes
from facetpath.fhir.export import PatientRecord, exporter
from facetpath.fhir.resources import Resource, organization_id, patient_id, procedure_ref, ref
from facetpath.priorauth.models import Coverage, Decision, Payer, Request, Submission

CLAIM_TYPE = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]
}
PRIORITY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]}
PLACE_OF_SERVICE = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
SELF_PAY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-selfpay", "code": "pay"}]}
MEMBER_ID = {"coding": [{"system": codes.IDENTIFIER_TYPE, "code": "MB", "display": "Member Number"}]}
# R4's ClaimResponse.outcome says whether the payer finished: a partial affirmation is "partial".
OUTCOMES = {Decision.AFFIRMED: "complete", Decision.NON_AFFIRMED: "complete", Decision.PARTIAL: "partial"}


def payer_reference(payer: str) -> dict[str, Any]:
    return {
        "identifier": {"system": codes.identifier_system("payer"), "value": payer},
        "display": Payer(payer).label,
    }


def claim_id(request: Request) -> str:
    return f"pa-{request.pk}"


def coverage_id(record: PatientRecord, request: Request | None = None) -> str:
    """The patient's Coverage when it is with the request's payer, else one made from the request."""
    coverage = patient_coverage(record)
    if request is None or (coverage is not None and coverage.payer == request.payer):
        return f"coverage-{record.patient.pk}"
    return f"coverage-pa-{request.pk}"


def patient_coverage(record: PatientRecord) -> Coverage | None:
    try:
        return record.patient.coverage  # type: ignore[no-any-return]
    except Coverage.DoesNotExist:
        return None


def coverage(resource_id: str, patient_pk: int, payer: str, found: Coverage | None) -> Resource:
    resource: Resource = {
        "resourceType": "Coverage",
        "id": resource_id,
        "status": "active",
        "beneficiary": ref("Patient", patient_id(patient_pk)),
        "payor": [
            ref("Patient", patient_id(patient_pk)) if payer == Payer.SELF_PAY else payer_reference(payer)
        ],
    }
    if payer == Payer.SELF_PAY:
        resource["type"] = SELF_PAY
    if found is not None and found.member_id:
        resource["identifier"] = [{"type": MEMBER_ID, "value": found.member_id}]
        resource["subscriberId"] = found.member_id
    if found is not None and found.plan_name:
        plan = {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class", "code": "plan"}]
        }
        resource["class"] = [{"type": plan, "value": found.plan_name, "name": found.plan_name}]
    return resource


def _diagnoses(record: PatientRecord) -> list[Resource]:
    return [
        {
            "sequence": number,
            "diagnosisCodeableConcept": {
                "coding": [{"system": codes.ICD10CM, "code": code, "display": label}]
            },
        }
        for number, (code, label) in enumerate(record.condition_codes(), start=1)
    ]


def _latest(request: Request) -> Submission | None:
    submissions = list(request.submissions.all())
    return max(submissions, key=lambda row: row.number) if submissions else None


def claim(record: PatientRecord, request: Request) -> Resource:
    diagnoses = _diagnoses(record)
    place = {"coding": [{"system": PLACE_OF_SERVICE, "code": request.place_of_service}]}
    latest = _latest(request)
    insurance: Resource = {
        "sequence": 1,
        "focal": True,
        "coverage": ref("Coverage", coverage_id(record, request)),
    }
    if latest is not None and latest.quoted_utn:
        insurance["preAuthRef"] = [latest.quoted_utn]
    resource: Resource = {
        "resourceType": "Claim",
        "id": claim_id(request),
        "identifier": [{"system": codes.identifier_system("prior-auth-request"), "value": str(request.pk)}],
        "status": "active",
        "type": CLAIM_TYPE,
        "use": "preauthorization",
        "patient": ref("Patient", patient_id(record.patient.pk)),
        "created": request.created_at.isoformat(),
        "insurer": payer_reference(request.payer),
        "provider": ref("Organization", organization_id(record.patient.clinic_id)),
        "priority": PRIORITY,
        "diagnosis": diagnoses,
        "insurance": [insurance],
        "item": [
            {
                "sequence": number,
                "diagnosisSequence": [d["sequence"] for d in diagnoses],
                "productOrService": {"coding": [{"system": codes.CPT, "code": code}]},
                "servicedDate": request.date_of_service.isoformat(),
                "locationCodeableConcept": place,
            }
            for number, code in enumerate(request.codes, start=1)
        ],
    }
    if request.procedure_id is not None:
        planned = next((p for p in record.procedures if p.pk == request.procedure_id), None)
        if planned is not None:
            resource["referral"] = procedure_ref(planned)  # the order the request is for
    return {key: value for key, value in resource.items() if value not in (None, [])}


def claim_response(record: PatientRecord, request: Request, submission: Submission) -> Resource:
    """The payer's decision on one submission: outcome, the decision and reasons, the UTN as preAuthRef."""
    decision = Decision(submission.decision)
    resource: Resource = {
        "resourceType": "ClaimResponse",
        "id": f"pa-{request.pk}-decision-{submission.number}",
        "identifier": [
            {
                "system": codes.identifier_system("prior-auth-submission"),
                "value": f"{request.pk}-{submission.number}",
            }
        ],
        "status": "active",
        "type": CLAIM_TYPE,
        "use": "preauthorization",
        "patient": ref("Patient", patient_id(record.patient.pk)),
        "created": (submission.decided_on or submission.sent_on).isoformat(),
        "insurer": payer_reference(request.payer),
        "requestor": ref("Organization", organization_id(record.patient.clinic_id)),
        "request": ref("Claim", claim_id(request)),
        "outcome": OUTCOMES[decision],
        "disposition": decision.label + (f": {submission.reasons}" if submission.reasons else ""),
    }
    if submission.utn:
        resource["preAuthRef"] = submission.utn
    return resource


PREFETCH = ("prior_auths", "prior_auths__submissions", "coverage")


@exporter("Coverage", *PREFETCH)
def _coverages(record: PatientRecord) -> Iterator[Resource]:
    found = patient_coverage(record)
    if found is not None:
        yield coverage(coverage_id(record), record.patient.pk, found.payer, found)
    for request in record.patient.prior_auths.all():
        if found is None or found.payer != request.payer:
            yield coverage(coverage_id(record, request), record.patient.pk, request.payer, None)


@exporter("Claim", *PREFETCH)
def _claims(record: PatientRecord) -> Iterator[Resource]:
    for request in record.patient.prior_auths.all():
        yield claim(record, request)


@exporter("ClaimResponse", *PREFETCH)
def _decisions(record: PatientRecord) -> Iterator[Resource]:
    for request in record.patient.prior_auths.all():
        for submission in sorted(request.submissions.all(), key=lambda row: row.number):
            if submission.decision:
                yield claim_response(record, request, submission)
