"""Worklist sections contributed by other apps.

The worklist shows its own sections (today's procedures, diaries, blocks and RFA due, overdue
follow-ups) and then every registered `Section`, in `order`. An app registers its sections in its
`AppConfig.ready()`, so the worklist view never needs to know about it:

    register(Section("requests-overdue", "Appointment requests overdue", order=10,
                     template="public/worklist_requests.html", load=overdue_requests,
                     capability=Capability.EDIT_DEMOGRAPHICS))

`load(membership, today)` returns the items (at most `limit + 1`, so the template can offer "show
all"); it must make a fixed number of queries, whatever the clinic's size. The template receives
`section`, `items` and `limit`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from facetpath.clinics.models import Membership

WORKLIST_LIMIT = 15


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str
    load: Callable[[Membership, date], list[Any]]
    order: int = 100  # lower comes first; a negative order puts the section above the worklist's own
    capability: str | None = None  # shown only to roles that have it


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    """Adds (or, with the same key, replaces) a section; safe to call again when apps reload."""
    _SECTIONS[section.key] = section


def sections_for(membership: Membership, today: date) -> list[tuple[Section, list[Any]]]:
    """The registered sections this member may see, each with its items."""
    chosen = sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
    return [
        (section, section.load(membership, today))
        for section in chosen
        if section.capability is None or membership.can(section.capability)
    ]
