"""The reports as tagged, archival PDFs: PDF/A-3a (archival, with the tagged structure level A asks for)
that also declares PDF/UA-1 (universal accessibility), through the project's one HTML-to-PDF function."""

from __future__ import annotations

from typing import Any, Final

from django.template.loader import render_to_string

from facetpath.diary.pdf import html_to_pdf

PDF_VARIANT: Final = "pdf/a-3a"  # WeasyPrint: PDF/A-3 level A, which turns on the tags (pdf_tags)
PDFUA_PART: Final = (
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>'
)


def report_pdf(template: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_to_string(template, context), finisher=_declare_pdfua, pdf_variant=PDF_VARIANT)


def report_html(template: str, context: dict[str, Any]) -> str:
    """The same document as HTML only (what the PDF is rendered from; the benchmark's floor)."""
    return render_to_string(template, context)


def _declare_pdfua(document: Any, pdf: Any) -> None:
    """WeasyPrint writes one variant's identifier into the XMP metadata; the PDF/UA-1 one joins it there.
    The tags, the document title shown in the window and the language are already set by the PDF/A-3a
    variant, which is what PDF/UA asks of the file itself."""
    reference = pdf.catalog["Metadata"]  # b"19 0 R"
    metadata = pdf.objects[int(reference.split()[0])]
    content = b"".join(metadata.stream)
    metadata.stream = [content.replace(b"</rdf:RDF>", PDFUA_PART + b"</rdf:RDF>", 1)]
