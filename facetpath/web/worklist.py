"""The sections other apps offer the worklist, and the order the page shows them in.

The worklist shows its own sections (today's procedures, diaries, blocks and RFA due, overdue
follow-ups; facetpath/web/sections.py) and then every `Section` listed in `SECTIONS`, in `order`.
The apps below web know nothing of the worklist: each offers a plain function in its own module
(`facetpath.diary.worklist`, `facetpath.public.queue`) and a template for its lines, and this module
lists them.

`load(membership, today, limit)` returns the items (at most `limit + 1`, so the template can offer
"show all") in a fixed number of queries, whatever the clinic's size. The template receives `section`,
`items` and `limit`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from facetpath.clinics.models import Membership
from facetpath.clinics.roles import Capability
from facetpath.diary import worklist as diary
from facetpath.priorauth import worklist as priorauth
from facetpath.public import queue

WORKLIST_LIMIT = 15


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str
    load: Callable[[Membership, date, int], list[Any]]
    order: int = 100  # lower comes first; a negative order puts the section above the worklist's own
    capability: str | None = None  # shown only to roles that have it


SECTIONS: list[Section] = [
    # Warning signs come before everything else on the worklist.
    Section(
        "diary-warnings",
        "Diary warning signs",
        template="diary/worklist_warnings.html",
        load=diary.open_warnings,
        order=-10,
        capability=Capability.VIEW_CLINICAL,
    ),
    Section(
        "requests-due",
        "Appointment requests overdue or due soon",
        template="public/worklist_requests.html",
        load=queue.overdue_and_due_soon,
        order=5,  # a promise made to the public: first after the worklist's own sections
        capability=Capability.EDIT_DEMOGRAPHICS,
    ),
    Section(
        "diary-reminder-failures",
        "Diary reminders that failed",
        template="diary/worklist_failures.html",
        load=diary.failed_reminders,
        order=20,
        capability=Capability.VIEW_CLINICAL,
    ),
    # Prior authorization (facetpath/priorauth/worklist.py): the roles that handle the paperwork.
    Section(
        "prior-auth-needed",
        "Planned procedures needing a UTN",
        template="priorauth/worklist_needed.html",
        load=priorauth.needing_utn,
        order=10,
        capability=Capability.EDIT_DEMOGRAPHICS,
    ),
    Section(
        "prior-auth-waiting",
        "Prior authorizations waiting too long",
        template="priorauth/worklist_waiting.html",
        load=priorauth.waiting_too_long,
        order=11,
        capability=Capability.EDIT_DEMOGRAPHICS,
    ),
    Section(
        "prior-auth-expiring",
        "UTNs expiring soon",
        template="priorauth/worklist_expiring.html",
        load=priorauth.utns_expiring,
        order=12,
        capability=Capability.EDIT_DEMOGRAPHICS,
    ),
]


def sections_for(membership: Membership, today: date) -> list[tuple[Section, list[Any]]]:
    """The listed sections this member may see, each with its items."""
    chosen = sorted(SECTIONS, key=lambda s: (s.order, s.key))
    return [
        (section, section.load(membership, today, WORKLIST_LIMIT))
        for section in chosen
        if section.capability is None or membership.can(section.capability)
    ]
