"""The block report (PDF), the prior-authorization packet (page and PDF). Clinical staff only: the reports
carry pain scores, results and findings, which front desk and clinic admins do not read (docs/roles.md)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from facetpath.audit.coverage import reads_patient_data
from facetpath.audit.log import audit
from facetpath.clinics.roles import Capability
from facetpath.patients.access import access_patient
from facetpath.procedures.access import access_procedure
from facetpath.reports import context
from facetpath.reports.pdf import report_pdf


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@reads_patient_data
def block_report_pdf(request: HttpRequest, procedure_id: int) -> HttpResponse:
    procedure = access_procedure(request, procedure_id, Capability.VIEW_CLINICAL)
    pdf = report_pdf("reports/block_report_pdf.html", context.block_report(procedure))
    audit(request, "export", procedure, procedure.patient, detail="block report PDF")
    return _pdf_response(pdf, f"block-report-{slugify(procedure.patient.mrn)}-{procedure.date:%Y-%m-%d}.pdf")


@reads_patient_data
def packet_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The checklist as it stands, with a link to where each item is added or corrected."""
    patient = access_patient(request, patient_id, Capability.VIEW_CLINICAL)
    found = context.packet(patient)
    audit(request, "view", patient, patient, detail="prior-authorization packet")
    return render(request, "reports/packet.html", {"patient": patient, "packet": found})


@reads_patient_data
def packet_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = access_patient(request, patient_id, Capability.VIEW_CLINICAL)
    pdf = report_pdf("reports/packet_pdf.html", context.packet_report(patient))
    audit(request, "export", patient, patient, detail="prior-authorization packet PDF")
    return _pdf_response(pdf, f"prior-auth-{slugify(patient.mrn)}-{patient.clinic.today():%Y-%m-%d}.pdf")
