"""ASGI entry point, for servers that want one; `facetpath serve` uses WSGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facetpath.settings")
application = get_asgi_application()
