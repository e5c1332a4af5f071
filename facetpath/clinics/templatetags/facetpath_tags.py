"""Small display helpers for every app's templates (`{% load facetpath_tags %}`); they live in clinics, below
every app that uses them, so no app needs the web app for them."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """87.5 → '87.5 %'; None → '—'. Display only: the number itself comes from the core."""
    if value is None:
        return "—"
    return f"{value:.1f} %".replace(".0 %", " %")


@register.filter
def hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g} h"


@register.filter
def code_line(line: object) -> str:
    """A core CodeLine (object or JSON dict) as '64493-50-KX ×1'."""
    if isinstance(line, dict):
        code, modifiers, units = line["code"], line["modifiers"], line["units"]
    else:
        code, modifiers, units = line.code, line.modifiers, line.units  # type: ignore[attr-defined]
    return "-".join([code, *modifiers]) + f" ×{units}"


@register.filter
def diary_percent(count: int, total: int) -> int:
    return min(100, round(100 * count / total)) if total else 0


@register.filter
def age_today(patient: object, today: object) -> str:
    age = patient.age_on(today)  # type: ignore[attr-defined]
    return "—" if age is None else str(age)


@register.filter
def num(value: float | None) -> str:
    """0.5 → '0.5', 2.0 → '2'; None → '—'."""
    return "—" if value is None else f"{value:g}"
