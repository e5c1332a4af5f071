"""WSGI entry point: `granian --interface wsgi facetpath.wsgi:application` (what `facetpath serve` runs)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facetpath.settings")
application = get_wsgi_application()
