from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "facetpath.public"
    label = "public"
    verbose_name = "Public site"
