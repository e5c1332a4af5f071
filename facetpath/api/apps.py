from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "facetpath.api"
    label = "api"
    verbose_name = "JSON API"
