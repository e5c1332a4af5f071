"""The core's codes in plain words in templates (facetpath.clinical.words holds the words)."""

from __future__ import annotations

from django import template

from facetpath.clinical import words

register = template.Library()
register.filter("role_words", words.role_words)
register.filter("response_words", words.response_words)
register.filter("severity_words", words.severity_words)
