"""Which language a page speaks.

Patient-facing pages (the public site, the diary, discharge sheets) follow, in order: the language the
visitor chose with the switch (a cookie), the page's own default (for a diary, the patient's preferred
language), then the browser's Accept-Language. The staff workspace and sign-in stay in English whatever
the browser asks, so a clinician never sees a half-translated screen.

It lives in clinics, below the diary and the public site that both speak to patients.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

STAFF_PREFIXES = ("/staff/", "/login/", "/logout/")


class PatientLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(STAFF_PREFIXES):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return
        super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if request.path.startswith(STAFF_PREFIXES):
            return response
        return super().process_response(request, response)


def use_patient_language(request: HttpRequest, preferred: str | None) -> str:
    """Speaks `preferred` (e.g. the patient's language) unless the visitor chose one with the switch."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    supported = {code for code, _ in settings.LANGUAGES}
    language = chosen if chosen in supported else preferred if preferred in supported else None
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
    return translation.get_language()
