"""The after-care sheet and the warning form's choices, in the patient's language, from one table in the core
(`facetpath.clinical.aftercare`): the sheet says what is expected and for how long in the same words the
warning form asks with, and the same signs send the patient to the clinic or to emergency care.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from facetpath.clinical import aftercare
from facetpath.clinical.aftercare import Urgency, Visit
from facetpath.clinical.anatomy import JointError, parse_joint
from facetpath.procedures.models import Procedure


@dataclass
class Sheet:
    title: str
    normal: list[str] = field(default_factory=list)
    avoid: list[str] = field(default_factory=list)
    diary: list[str] = field(default_factory=list)
    call_clinic: list[str] = field(default_factory=list)
    emergency: list[str] = field(default_factory=list)


def region_of(procedure: Procedure) -> str:
    for joint in procedure.joints or []:
        try:
            return str(parse_joint(joint).region)
        except JointError:
            continue
    return ""


def visit_of(procedure: Procedure) -> Visit:
    """What the after-care depends on, read off the procedure record."""
    return Visit(
        region=region_of(procedure),
        diagnostic=procedure.is_diagnostic_block,
        rfa=procedure.type == Procedure.Type.RFA,
        sedated=procedure.sedation != Procedure.Sedation.NONE,
        steroid=bool(procedure.steroid_name),
        agent=procedure.agent_name or None,
    )


def warning_choices(visit: Visit) -> list[tuple[str, str]]:
    """The warning form's checkboxes, emergency signs first, in the sheet's own words."""
    values = aftercare.placeholders(visit)
    return [(sign.id, _(sign.question) % values) for sign in aftercare.WARNING_SIGNS]


def instructions(procedure: Procedure) -> Sheet:
    visit = visit_of(procedure)
    place = {
        "cervical": _("your neck"),
        "thoracic": _("your upper or middle back"),
        "lumbar": _("your lower back"),
    }.get(visit.region, _("your back"))
    if visit.rfa:
        title = _("After your nerve ablation in %(place)s") % {"place": place}
    elif visit.diagnostic:
        title = _("After your test injection in %(place)s") % {"place": place}
    else:
        title = _("After your injection in %(place)s") % {"place": place}
    values = aftercare.placeholders(visit)
    advice: dict[Urgency, list[str]] = {}
    for item in aftercare.advice_for(visit):
        advice.setdefault(item.urgency, []).append(_(item.text) % values)
    signs: dict[Urgency, list[str]] = {}
    for sign in aftercare.WARNING_SIGNS:
        signs.setdefault(sign.urgency, []).append(_(sign.question) % values)
    window = _(aftercare.EMERGENCY_WINDOW) % {**values, "number": procedure.patient.clinic.emergency_number}
    return Sheet(
        title=title,
        normal=advice.get(Urgency.EXPECTED, []),
        avoid=advice.get(Urgency.AVOID, []),
        diary=advice.get(Urgency.DIARY, []),
        call_clinic=signs.get(Urgency.CALL_CLINIC, []),
        emergency=[*signs.get(Urgency.EMERGENCY, []), window],
    )
