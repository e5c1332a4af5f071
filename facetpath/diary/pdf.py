"""The after-care sheet as a PDF (WeasyPrint), for printing at discharge or keeping on the phone."""

from __future__ import annotations

from typing import Any, NoReturn

from django.template.loader import render_to_string


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    # Everything the sheet shows is inline (the QR code is SVG); nothing is fetched while rendering, so a
    # value in the page can never make the server request a URL.
    raise ValueError(f"the discharge PDF does not load {url[:60]}")


def discharge_pdf(context: dict[str, Any]) -> bytes:
    """`context` as for diary/_discharge_sheet.html; rendered in the active language."""
    from weasyprint import HTML  # imported on first use: it takes half a second

    html = render_to_string("diary/discharge_pdf.html", context)
    return bytes(HTML(string=html, url_fetcher=_no_fetching).write_pdf())
