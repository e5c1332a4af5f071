from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "facetpath.web"
    label = "web"
    verbose_name = "Web pages"
