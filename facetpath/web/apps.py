from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The database cache's table (settings.CACHES), made with the schema so no deployment step is forgotten."""
    call_command("createcachetable", database=using, verbosity=0)


class WebConfig(AppConfig):
    name = "facetpath.web"
    label = "web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self)
