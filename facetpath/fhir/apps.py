from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "facetpath.fhir"
    label = "fhir"
    verbose_name = "FHIR R4"

    def ready(self) -> None:
        # The exporters of the reports' documents and of prior authorization register themselves.
        from facetpath.fhir import claims, documents  # noqa: F401
