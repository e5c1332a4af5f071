"""FHIR R4 endpoints under /fhir/r4/ (docs/fhir.md). Answers are application/fhir+json; errors are
OperationOutcomes with 401, 403 or 404, never an HTML page.

Who may call: `authenticate` is the one check. An `Authorization: Bearer <API token>` header (any scope:
the FHIR endpoints only read) opens its clinic's data, throttled and audited in the token's name
(facetpath/clinics/api_tokens.py); without the header, a staff session in the current clinic opens it for
clinical staff. Conformance resources (metadata, Questionnaire, CodeSystem) hold no patient data and
answer anyone, as FHIR servers' metadata does.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from facetpath.audit.coverage import reads_patient_data
from facetpath.audit.log import audit
from facetpath.clinics.access import as_id, require
from facetpath.clinics.api_tokens import authenticate_api_token, throttle_wait
from facetpath.clinics.models import Clinic
from facetpath.clinics.roles import Capability
from facetpath.fhir import codes, documents
from facetpath.fhir.export import EXPORTERS, clinic_export, everything, ndjson_line
from facetpath.patients.models import Patient
from facetpath.procedures.models import Procedure
from facetpath.reports import context as report_context
from facetpath.reports.pdf import report_pdf

FHIR_JSON = "application/fhir+json"
FHIR_NDJSON = "application/fhir+ndjson"
PDF = "application/pdf"
CLINIC_TYPES = ("Organization", "Practitioner", "Questionnaire", "CodeSystem")


def authenticate(request: HttpRequest, capability: str = Capability.VIEW_CLINICAL) -> Clinic:
    """The clinic whose data the caller may read: the one place that says who the caller is.

    A request carrying `Authorization` is an outside system's: its token alone decides (a session that
    rode along is ignored, so the audit trail names the token); a wrong or revoked token is a 401, not a
    fall back to the session. Without the header, a staff session whose role grants `capability`."""
    header = request.headers.get("Authorization")
    if header is not None:
        request.user = AnonymousUser()
        found = authenticate_api_token(header)
        if found is None:
            raise NotAuthenticated("The API token is unknown or revoked.")
        clinic, token = found
        request.api_token = token  # type: ignore[attr-defined]  # audit rows name the token
        wait = throttle_wait(token)
        if wait is not None:
            raise TooManyRequests(wait)
        return clinic
    if not request.user.is_authenticated:
        raise NotAuthenticated("Send an API token (Authorization: Bearer fp_…) or sign in as staff.")
    return require(request, capability).clinic


class NotAuthenticated(Exception):
    pass


class TooManyRequests(Exception):
    def __init__(self, wait: int) -> None:
        super().__init__(f"Too many requests for this token: try again in {wait} s.")
        self.wait = wait


def clinic_patient(clinic: Clinic, patient_id: str) -> Patient:
    """The clinic's patient by resource id ("patient-12") or record number ("12"); 404 for another
    clinic's, checked before anything is read."""
    pk = as_id(patient_id.removeprefix("patient-"))
    patient = Patient.objects.filter(clinic=clinic, pk=pk).first() if pk is not None else None
    if patient is None:
        raise Http404("No such patient in this clinic.")
    patient.clinic = clinic
    return patient


def fhir_json(resource: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(resource, ensure_ascii=False), content_type=FHIR_JSON, status=status)


def outcome(status: int, code: str, message: str) -> HttpResponse:
    issue = {"severity": "error", "code": code, "diagnostics": message}
    return fhir_json({"resourceType": "OperationOutcome", "issue": [issue]}, status=status)


def fhir_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """GET only, no sign-in redirect, and refusals as OperationOutcomes."""

    @wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotAuthenticated as exc:
            refused = outcome(401, "login", str(exc))
            refused["WWW-Authenticate"] = "Bearer"
            return refused
        except TooManyRequests as exc:
            refused = outcome(429, "throttled", str(exc))
            refused["Retry-After"] = str(exc.wait)
            return refused
        except PermissionDenied as exc:
            return outcome(403, "forbidden", str(exc) or "Not allowed.")
        except Http404 as exc:
            return outcome(404, "not-found", str(exc) or "Not found.")

    return login_not_required(require_GET(answer))


@fhir_view
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: what this server reads and exports."""
    types = sorted({e.resource_type for e in EXPORTERS} | set(CLINIC_TYPES) | {"Binary"})
    read_only = {"Questionnaire", "CodeSystem", "Binary"}  # Binary: the report PDFs
    return fhir_json(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": timezone.now().date().isoformat(),
            "kind": "instance",
            "software": {"name": "facetpath"},
            "implementation": {
                "description": "facetpath FHIR R4 export",
                "url": request.build_absolute_uri(base()),
            },
            "fhirVersion": codes.FHIR_VERSION,
            "format": [FHIR_JSON],
            "rest": [
                {
                    "mode": "server",
                    "resource": [
                        {
                            "type": kind,
                            **({"interaction": [{"code": "read"}]} if kind in read_only else {}),
                            **(
                                {
                                    "operation": [
                                        {
                                            "name": "everything",
                                            "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                                        }
                                    ]
                                }
                                if kind == "Patient"
                                else {}
                            ),
                        }
                        for kind in types
                    ],
                    "operation": [
                        {
                            "name": "export",
                            "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
                        }
                    ],
                }
            ],
        }
    )


def base() -> str:
    return reverse("fhir-metadata").removesuffix("metadata")


@fhir_view
def questionnaire(request: HttpRequest, name: str) -> HttpResponse:
    if name not in codes.QUESTIONNAIRE_ITEMS:
        raise Http404(
            f"No Questionnaire {name!r}: facetpath publishes {', '.join(codes.QUESTIONNAIRE_ITEMS)}."
        )
    return fhir_json(codes.questionnaire_resource(name))


@fhir_view
def code_system(request: HttpRequest, name: str) -> HttpResponse:
    if name not in codes.CODE_SYSTEMS:
        raise Http404(f"No CodeSystem {name!r}: facetpath publishes {', '.join(codes.CODE_SYSTEMS)}.")
    return fhir_json(codes.code_system_resource(name))


@reads_patient_data
@fhir_view
def patient_everything(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Patient/$everything: a searchset Bundle of the patient's resources, the clinic and the staff named.
    The id is the resource's ("patient-12") or the record's number ("12")."""
    patient = clinic_patient(authenticate(request), patient_id)
    audit(request, "view", patient, patient, detail="FHIR Patient/$everything")
    return fhir_json(everything(patient, request.build_absolute_uri(base())))


def export_types() -> list[str]:
    return sorted({e.resource_type for e in EXPORTERS} | set(CLINIC_TYPES))


@reads_patient_data
@fhir_view
def bulk_export(request: HttpRequest) -> HttpResponse:
    """$export, simplified and synchronous: the Bulk Data completion manifest at once, its files streamed
    from the database when fetched (docs/fhir.md says how this differs from the asynchronous kick-off)."""
    clinic = authenticate(request)
    audit(request, "export", clinic, detail="FHIR $export manifest")
    return fhir_json(
        {
            "transactionTime": timezone.now().isoformat(),
            "request": request.build_absolute_uri(),
            "requiresAccessToken": True,
            "output": [
                {"type": kind, "url": request.build_absolute_uri(reverse("fhir-export-file", args=[kind]))}
                for kind in export_types()
            ],
            "error": [],
        }
    )


@reads_patient_data
@fhir_view
def bulk_export_file(request: HttpRequest, resource_type: str) -> HttpResponseBase:
    """One NDJSON file of the clinic's export, written as it is read (a page of patients at a time)."""
    clinic = authenticate(request)
    if resource_type not in export_types():
        raise Http404(f"No export file for {resource_type!r}: the files are {', '.join(export_types())}.")
    audit(request, "export", clinic, detail=f"FHIR $export {resource_type}")

    def lines() -> Iterator[str]:
        for kind, resource in clinic_export(clinic):
            if kind == resource_type:
                yield ndjson_line(resource)

    return StreamingHttpResponse(lines(), content_type=FHIR_NDJSON)


@reads_patient_data
@fhir_view
def binary(request: HttpRequest, binary_id: str) -> HttpResponse:
    """A report PDF a DocumentReference points at (documents.py), rendered now: `application/pdf`, or a
    Binary resource with the PDF in `data` when the client asks for FHIR JSON. Only the documents the
    export lists exist: a signed diagnostic block's report, the packet of a patient with a request."""
    clinic = authenticate(request)
    if binary_id.startswith(documents.BLOCK_REPORT):
        procedure = _signed_block(clinic, binary_id.removeprefix(documents.BLOCK_REPORT))
        pdf = report_pdf("reports/block_report_pdf.html", report_context.block_report(procedure))
        audit(request, "export", procedure, procedure.patient, detail="FHIR Binary block report PDF")
    elif binary_id.startswith(documents.PACKET):
        patient = clinic_patient(clinic, binary_id.removeprefix(documents.PACKET))
        if not patient.prior_auths.exists():
            raise Http404("This patient has no prior-authorization request, so no packet.")
        pdf = report_pdf("reports/packet_pdf.html", report_context.packet_report(patient))
        audit(request, "export", patient, patient, detail="FHIR Binary prior-authorization packet PDF")
    else:
        raise Http404(
            f"No Binary {binary_id!r}: facetpath serves block-report-<n> and prior-auth-packet-<n>."
        )
    if FHIR_JSON in request.headers.get("Accept", ""):
        data = base64.b64encode(pdf).decode("ascii")
        return fhir_json({"resourceType": "Binary", "id": binary_id, "contentType": PDF, "data": data})
    response = HttpResponse(pdf, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{binary_id}.pdf"'
    return response


def _signed_block(clinic: Clinic, procedure_id: str) -> Procedure:
    pk = as_id(procedure_id)
    procedure = (
        Procedure.objects.select_related("patient")
        .prefetch_related("sign_offs")
        .filter(patient__clinic=clinic, pk=pk)
        .first()
        if pk is not None
        else None
    )
    if procedure is None or not documents.has_block_report(procedure):
        raise Http404("No block report: the procedure is not a signed diagnostic block of this clinic.")
    procedure.patient.clinic = clinic
    return procedure
