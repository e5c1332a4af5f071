"""`@reads_patient_data`: marks a view whose answers can show patient data, so the audit coverage test
(tests/web/test_security_audit.py) can walk every route and request each marked view.

The mark only marks: the view itself still calls `audit()` with the record and patient it shows, on every
answer that shows them (a form shown again after an invalid POST, an htmx preview, a search).
"""

from __future__ import annotations

from collections.abc import Callable

_MARK = "reads_patient_data"


def reads_patient_data[View: Callable[..., object]](view: View) -> View:
    setattr(view, _MARK, True)
    return view


def marked_as_reading(view: Callable[..., object]) -> bool:
    """Whether `view`, or a view it wraps (require_POST, never_cache… keep `__wrapped__`), is marked."""
    current: object = view
    while current is not None:
        if getattr(current, _MARK, False):
            return True
        current = getattr(current, "__wrapped__", None)
    return False
