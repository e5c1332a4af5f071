from django.apps import AppConfig


class PriorAuthConfig(AppConfig):
    name = "facetpath.priorauth"
    label = "priorauth"
    verbose_name = "Prior authorization"
