"""Cursor pagination: a page of rows in a fixed order, and an opaque cursor to the next page.

Every list is ordered by a date and then the row id (both never change while a row exists, and the id
breaks ties), and the cursor holds the last row's (date, id), signed so that a client can only pass back a
cursor we made (a forged or cut one answers 422 naming `cursor`). The next page is the rows after that
key, so a row added or removed between two pages neither repeats nor skips the others.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core import signing
from django.db.models import Model, Q, QuerySet

from facetpath.api.errors import FieldProblem

SALT = "facetpath.api.cursor"
DEFAULT_LIMIT, MAX_LIMIT = 50, 100


def page[M: Model](
    rows: QuerySet[M], cursor: str | None, limit: int, date_field: str | None
) -> tuple[list[M], str | None]:
    """Up to `limit` rows after `cursor` in (date_field, id) order (id alone when `date_field` is None),
    and the cursor to the page after them (None on the last page)."""
    order = [date_field, "id"] if date_field else ["id"]
    rows = rows.order_by(*order)
    if cursor:
        rows = rows.filter(_after(_read(cursor, date_field is not None), date_field))
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    found = found[:limit]
    last = found[-1]
    key: list[Any] = [getattr(last, date_field).isoformat()] if date_field else []
    return found, signing.dumps([*key, last.pk], salt=SALT, compress=False)


def _read(cursor: str, dated: bool) -> list[Any]:
    try:
        key = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise FieldProblem(
            "cursor", "not a cursor this API gave: pass back `next_cursor` as it came"
        ) from None
    if not isinstance(key, list) or len(key) != (2 if dated else 1):
        raise FieldProblem("cursor", "this cursor belongs to another list")
    if dated:
        try:
            key[0] = date.fromisoformat(key[0])
        except (TypeError, ValueError):
            raise FieldProblem("cursor", "this cursor belongs to another list") from None
    return key


def _after(key: list[Any], date_field: str | None) -> Q:
    if date_field is None:
        return Q(pk__gt=key[0])
    day, pk = key
    return Q(**{f"{date_field}__gt": day}) | Q(**{date_field: day, "pk__gt": pk})
