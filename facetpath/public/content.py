"""Education page text: the clinic's own Markdown when an admin has saved some, else the shipped default.

Defaults live in content/<language>/<topic>.md: a `title:` and a `description:` line, a `---` line, then the
Markdown body. Markdown becomes HTML through python-markdown and then nh3, which keeps only the tags a
page of text needs, so an admin's typo (or a pasted <script>) can never run in a reader's browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

from facetpath.clinical.schedule import DIARY_SCHEDULE_MINUTES
from facetpath.clinics.models import Clinic
from facetpath.public.models import EducationPage, Topic

CONTENT_DIR = Path(__file__).resolve().parent / "content"
ALLOWED_TAGS = {"h2", "h3", "p", "ul", "ol", "li", "strong", "em", "a", "br", "blockquote", "hr"}


@dataclass(frozen=True)
class PageText:
    topic: str
    language: str
    title: str
    description: str
    body: str  # Markdown

    @property
    def html(self) -> SafeString:
        return render_markdown(self.body)


def render_markdown(text: str) -> SafeString:
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    # "#" headings would make a second h1 under the page's own title: shift them one level down.
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)


@cache
def default_page(topic: str, language: str) -> PageText:
    raw = (CONTENT_DIR / language / f"{topic}.md").read_text(encoding="utf-8")
    head, _, body = raw.partition("\n---\n")
    meta = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    return PageText(topic, language, meta["title"].strip(), meta["description"].strip(), body.strip())


# In the shipped pages, where the clinic's emergency number goes (911 in the US, 112 in much of Europe).
EMERGENCY_NUMBER = "{emergency_number}"


# Where the diary's times go: written from the schedule the diary really uses, so a page cannot promise
# other times than the patient's link asks for.
DIARY_TIMES = "{diary_times}"
# How each language lists the times: the join word, and the two phrases (minutes, then hours).
_TIME_WORDS = {
    "en": (" and ", "{minutes} minutes, and at {hours} hours"),
    "es": (" y ", "los {minutes} minutos, y a la {hours} horas"),
}


def _listed(numbers: list[int], last_join: str) -> str:
    words = [str(n) for n in numbers]
    return ", ".join(words[:-1]) + last_join + words[-1] if len(words) > 1 else "".join(words)


def diary_times(language: str) -> str:
    """The diary's times as a reader says them: "15, 30 and 45 minutes, and at 1, 2, … and 8 hours"."""
    join, phrase = _TIME_WORDS.get(language, _TIME_WORDS["en"])
    minutes = [m for m in DIARY_SCHEDULE_MINUTES if m < 60]
    hours = [m // 60 for m in DIARY_SCHEDULE_MINUTES if m >= 60]
    return phrase.format(minutes=_listed(minutes, join), hours=_listed(hours, join))


def shipped_page(clinic: Clinic, topic: str, language: str) -> PageText:
    """The page as shipped, with this clinic's emergency number and the diary's times."""
    text = default_page(topic, language)
    body = text.body.replace(EMERGENCY_NUMBER, clinic.emergency_number)
    return replace(text, body=body.replace(DIARY_TIMES, diary_times(language)))


def page_for(clinic: Clinic, topic: str, language: str) -> PageText:
    saved = EducationPage.objects.filter(clinic=clinic, topic=topic, language=language).first()
    if saved is not None:
        return PageText(topic, language, saved.title, saved.description, saved.body)
    return shipped_page(clinic, topic, language)


def install_defaults(clinic: Clinic) -> None:
    """Saves the shipped text as the clinic's own pages, so admins start editing from it."""
    for topic in Topic.values:
        for language in ("en", "es"):
            text = shipped_page(clinic, topic, language)
            EducationPage.objects.get_or_create(
                clinic=clinic,
                topic=topic,
                language=language,
                defaults={"title": text.title, "description": text.description, "body": text.body},
            )
