"""The core's vocabulary in plain words, for people: one place for every page, print and e-mail.

The codes (`diagnostic-1`, `discordant`, …) are the stable contract of facetpath.evaluation/1
(case-format.md §2) and stay in the data; pages show these words instead.
"""

from __future__ import annotations

ROLE_WORDS: dict[str, str] = {
    "diagnostic-1": "first diagnostic block",
    "diagnostic-2": "second (confirmatory) diagnostic block",
    "diagnostic-extra": "additional diagnostic block",
    "therapeutic": "therapeutic injection",
    "therapeutic-repeat": "repeat therapeutic injection",
    "rfa-initial": "first radiofrequency ablation",
    "rfa-repeat": "repeat radiofrequency ablation",
    "cyst": "facet cyst procedure",
}

RESPONSE_WORDS: dict[str, str] = {
    "positive": "positive",
    "negative": "negative",
    "discordant": "discordant",  # the findings say how the relief did not fit the agent
    "placebo": "placebo response",
    "pending": "pending",  # the findings say what the diary lacks
    "n/a": "not judged",
}

SEVERITY_WORDS: dict[str, str] = {"deny": "fails", "warn": "needs attention", "info": "note"}


def role_words(role: str) -> str:
    """'first diagnostic block' for 'diagnostic-1'; an unknown code as it is."""
    return ROLE_WORDS.get(role, role)


def response_words(response: str) -> str:
    return RESPONSE_WORDS.get(response, response)


def severity_words(severity: str) -> str:
    return SEVERITY_WORDS.get(severity, severity)
