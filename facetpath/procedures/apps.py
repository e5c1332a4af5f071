from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "facetpath.procedures"
    label = "procedures"
    verbose_name = "Procedures, diaries and sign-off"
