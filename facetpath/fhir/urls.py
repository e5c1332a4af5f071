"""/fhir/r4/: the FHIR R4 endpoints (docs/fhir.md)."""

from django.urls import path

from facetpath.fhir import views

urlpatterns = [
    path("metadata", views.metadata, name="fhir-metadata"),
    path("Patient/<str:patient_id>/$everything", views.patient_everything, name="fhir-everything"),
    path("$export", views.bulk_export, name="fhir-export"),
    path("$export/<str:resource_type>.ndjson", views.bulk_export_file, name="fhir-export-file"),
    path("Binary/<str:binary_id>", views.binary, name="fhir-binary"),
    path("Questionnaire/<str:name>", views.questionnaire, name="fhir-questionnaire"),
    path("CodeSystem/<str:name>", views.code_system, name="fhir-codesystem"),
]
