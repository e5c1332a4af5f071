from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "facetpath.reports"
    label = "reports"
    verbose_name = "Reports"
