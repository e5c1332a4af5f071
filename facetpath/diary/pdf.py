"""PDFs from templates (WeasyPrint): the after-care sheet here; the block report and the prior-authorization
packet (facetpath.reports) render through the same function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string


def html_to_pdf(html: str, finisher: Callable[[Any, Any], None] | None = None, **options: Any) -> bytes:
    """PDF bytes of an HTML document; `options` go to WeasyPrint's write_pdf (pdf_variant, pdf_tags…),
    `finisher` runs on the PDF before it is written.

    Everything a PDF shows is in the document itself (the QR code is inline SVG, the pain curve a data:
    image): only data: URLs are read, so a value in the page can never make the server request a URL."""
    from weasyprint import HTML  # imported on first use: it takes half a second
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf(finisher=finisher, **options))


def discharge_pdf(context: dict[str, Any]) -> bytes:
    """`context` as for diary/_discharge_sheet.html; rendered in the active language."""
    return html_to_pdf(render_to_string("diary/discharge_pdf.html", context))
