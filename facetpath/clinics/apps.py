from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "facetpath.clinics"
    label = "clinics"
    verbose_name = "Clinics and staff"
