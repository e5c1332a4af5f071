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

The worklist is the page staff open most, so its rows are built here as ready-to-print `Row`s (plain
strings and links, from `.values()` queries), not model instances walked by the template: that made the
page several times cheaper (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from html import escape  # the standard library's: Django's lazy-aware one costs more per row
from typing import TYPE_CHECKING, Any

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import html_safe

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


# Worklist lines print themselves: `{{ row }}` in a template gives their HTML (`html_safe`). The page
# shows about a hundred of them on every view, and walking each one's fields in a template loop cost
# more than the rest of the page. Every value is escaped here.


@html_safe
@dataclass(frozen=True, slots=True)
class Row:
    """One line of a worklist list: a link, then plain text."""

    href: str
    label: str
    detail: str = ""
    tone: str = ""  # "warn" or "deny" colours the line
    phone: str = ""
    badge: str = ""
    badge_tone: str = ""  # "negative" for a red badge

    def __str__(self) -> str:
        parts = [f'<li class="{escape(self.tone)}">' if self.tone else "<li>", link(self.href, self.label)]
        if self.badge:
            parts.append(f' <span class="badge {escape(self.badge_tone)}">{escape(self.badge)}</span>')
        if self.detail:
            parts.append(f' <span class="muted">{escape(self.detail)}</span>')
        if self.phone:
            parts.append(f" · {link('tel:' + self.phone, self.phone)}")
        return "".join(parts) + "</li>"  # every part escaped above


def link(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def url_for(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` for a URL with one integer argument, without resolving it each time."""
    return urls_for(name)(pk)


def urls_for(name: str) -> Callable[[int], str]:
    """`url_for(name, …)` for a list of rows: the request's URL configuration is read once, not per row
    (each read goes through a context-local, which cost more than the rest of building the link)."""
    before, after = _url_around_pk(name, get_urlconf(), get_script_prefix())
    return lambda pk: f"{before}{pk}{after}"


_PK_MARKER = 987654321


@cache
def _url_around_pk(name: str, urlconf: str | None, prefix: str) -> tuple[str, str]:
    before, _marker, after = reverse(name, args=[_PK_MARKER], urlconf=urlconf).partition(str(_PK_MARKER))
    return before, after


def full_name(family: str, given: str) -> str:
    return f"{family}, {given}"


def day_month(day: date) -> str:
    return f"{day.day} {day:%b}"
