from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "facetpath.fhir"
    label = "fhir"
    verbose_name = "FHIR R4"
