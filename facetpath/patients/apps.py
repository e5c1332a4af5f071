from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "facetpath.patients"
    label = "patients"
    verbose_name = "Patients and assessments"
