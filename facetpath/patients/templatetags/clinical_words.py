"""The core's codes in plain words in templates (facetpath.clinical.words holds the words)."""

from __future__ import annotations

from django import template

from facetpath.clinical import words
from facetpath.clinical.coding import CODE_LABELS

register = template.Library()
register.filter("role_words", words.role_words)
register.filter("response_words", words.response_words)
register.filter("severity_words", words.severity_words)


@register.filter
def code_label(line: object) -> str:
    """facetpath's own short words for a CPT line's code (never the AMA descriptor); "" when unknown."""
    code = line["code"] if isinstance(line, dict) else getattr(line, "code", "")
    return CODE_LABELS.get(code, "")
