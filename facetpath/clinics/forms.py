"""The clinic settings form of the clinic admin: the time zone is picked from a list, never typed."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms

from facetpath.clinics.models import Clinic, validate_time_zone

ChoiceGroups = list[tuple[str, list[tuple[str, str]]]]


@cache
def time_zone_groups() -> ChoiceGroups:
    """Every zoneinfo name, grouped by its area ("America", "Europe" …) and sorted; names without an area
    (UTC) go last under "Other". A label is the rest of the name as people write it ("New York")."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        area, _slash, place = name.partition("/")
        if place:
            groups.setdefault(area, []).append((name, place.replace("_", " ")))
        else:
            groups.setdefault("Other", []).append((name, name))
    other = groups.pop("Other", [])
    return [*sorted(groups.items()), *([("Other", other)] if other else [])]


class ClinicForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        help_text="Where the clinic is: its days, diary times and quiet hours follow this clock.",
        validators=[validate_time_zone],
    )

    class Meta:
        model = Clinic
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = list(time_zone_groups())
        current = self.instance.time_zone if self.instance.pk else ""
        if current and current not in zoneinfo.available_timezones():
            # A value typed before the list existed stays visible (and fails validation until replaced).
            choices.insert(0, ("Current (not a known time zone)", [(current, current)]))
        field = self.fields["time_zone"]
        field.choices = choices  # type: ignore[attr-defined]
        field.initial = self.instance.time_zone
