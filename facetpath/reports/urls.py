"""The reports' staff pages, included under /staff/ by facetpath/urls.py."""

from django.urls import URLPattern, path

from facetpath.reports import views

staff_patterns: list[URLPattern] = [
    path("procedures/<int:procedure_id>/report.pdf", views.block_report_pdf, name="report-block"),
    path("patients/<int:patient_id>/prior-auth/", views.packet_page, name="report-prior-auth"),
    path("patients/<int:patient_id>/prior-auth.pdf", views.packet_pdf, name="report-prior-auth-pdf"),
]
