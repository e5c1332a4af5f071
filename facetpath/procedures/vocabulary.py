"""Words the procedure record shares with the diary: the movements that hurt before the block.

The procedure records them and the diary (a layer above) asks the patient about the same list. Labels are
lazy so the patient's page speaks the patient's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# (key stored on the procedure, label shown to staff and patients)
PAINFUL_MOVEMENTS: list[tuple[str, StrOrPromise]] = [
    ("standing-up", _("Standing up from a chair")),
    ("bending-back", _("Bending backwards")),
    ("bending-forward", _("Bending forwards")),
    ("twisting", _("Twisting at the waist")),
    ("turning-head", _("Turning the head")),
    ("looking-up", _("Looking up")),
    ("walking", _("Walking")),
    ("sitting", _("Sitting for a while")),
    ("lying-flat", _("Lying on your back")),
    ("reaching-overhead", _("Reaching overhead")),
]
MOVEMENT_LABELS = dict(PAINFUL_MOVEMENTS)
MOVEMENT_KEYS = frozenset(MOVEMENT_LABELS)
