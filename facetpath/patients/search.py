"""The staff patient search: names and MRN, phone numbers however they are written, dates of birth.

A query is read word by word and every word must match. A word that is a date (2026-03-07 or 03/07/2026)
matches the date of birth; other words match a name or the MRN, and a word with enough digits also a phone
number. A query that is only a phone number ("+1 (555) 010-0100") is read whole, spaces and all.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.db.models import F, Q, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Replace

from facetpath.patients.models import Patient

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
# Characters people put between a phone number's digits; they are dropped on both sides before comparing.
PHONE_PUNCTUATION = (" ", "-", "(", ")", ".", "+")
# Fewer digits than this is a piece of an MRN or a year, not a phone number.
MIN_PHONE_DIGITS = 4
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-().]+$")


def birth_date_in(word: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(word, pattern).date()
        except ValueError:
            continue
    return None


def phone_digits(text: str) -> str:
    """The digits to look for: punctuation dropped, and a leading +1 (the US country code) too."""
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+1") or (len(digits) == 11 and digits.startswith("1")):
        digits = digits[1:]
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def _stored_digits() -> Combinable:
    text: Combinable = F("phone")
    for mark in PHONE_PUNCTUATION:
        text = Replace(text, Value(mark), Value(""))
    return text


def _word(word: str) -> Q:
    born = birth_date_in(word)
    if born is not None:
        return Q(birth_date=born)
    found = Q(family_name__icontains=word) | Q(given_name__icontains=word) | Q(mrn__icontains=word)
    digits = phone_digits(word) if _PHONE_LIKE.match(word) else ""
    return found | Q(phone_digits__contains=digits) if digits else found


def search_patients(patients: QuerySet[Patient], query: str) -> QuerySet[Patient]:
    """The patients matching every word of `query` (all of them for an empty query)."""
    query = query.strip()
    if not query:
        return patients
    patients = patients.annotate(phone_digits=_stored_digits())
    whole = phone_digits(query) if _PHONE_LIKE.match(query) and " " in query else ""
    if whole:
        return patients.filter(Q(phone_digits__contains=whole) | Q(mrn__icontains=query))
    for word in query.split():
        patients = patients.filter(_word(word))
    return patients
