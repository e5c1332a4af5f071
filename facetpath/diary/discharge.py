"""Discharge instructions chosen by region, intent and sedation (facts: clinical-guidelines §6C, 2.13-2.16).

The sentences are the clinic's own plain-language wording; which ones apply is decided here from the
procedure record, never from a clinical rule of the evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

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


def instructions(procedure: Procedure) -> Sheet:
    region = region_of(procedure)
    place = {
        "cervical": _("your neck"),
        "thoracic": _("your upper or middle back"),
        "lumbar": _("your lower back"),
    }.get(region, _("your back"))
    sedated = procedure.sedation != Procedure.Sedation.NONE
    diagnostic = procedure.is_diagnostic_block
    rfa = procedure.type == Procedure.Type.RFA

    if rfa:
        title = _("After your nerve ablation in %(place)s") % {"place": place}
    elif diagnostic:
        title = _("After your test injection in %(place)s") % {"place": place}
    else:
        title = _("After your injection in %(place)s") % {"place": place}
    sheet = Sheet(title=title)

    sheet.normal = [
        _("The spot where the needle went in may be sore for 2 to 4 days."),
        _(
            "For the first day, an ice pack for 20 minutes, then 20 minutes off, can help. After that, warmth may feel better."
        ),
        _("A mild headache or feeling a little dizzy can happen and should pass."),
    ]
    if region == "cervical":
        sheet.normal.append(
            _(
                "Your arms or shoulders may feel heavy, weak or numb for 3 to 5 hours from the numbing medicine."
            )
        )
    else:
        sheet.normal.append(
            _(
                "Your legs may feel weak or numb for 3 to 5 hours from the numbing medicine. Have someone help you walk."
            )
        )
    if rfa:
        sheet.normal.append(
            _("Burning, soreness or extra-sensitive skin for 1 to 2 weeks is common after this treatment.")
        )
        sheet.normal.append(_("The full benefit usually shows after 3 to 4 weeks."))

    sheet.avoid = [
        _("No bath, swimming pool or hot tub for 24 hours. A shower is fine."),
        _("Take it easy today: no heavy lifting or hard exercise until tomorrow. Light walking is fine."),
        _("You may take the plaster off this evening or tomorrow morning."),
    ]
    if sedated:
        sheet.avoid[:0] = [
            _("You had medicine to make you sleepy. An adult must drive you home."),
            _("For 24 hours: do not drive, use machines, drink alcohol or make important decisions."),
        ]
    if diagnostic:
        sheet.avoid.append(
            _(
                "For the next 6 to 8 hours, do not take pain medicine unless you really need it, and do not nap: the test depends on your answers."
            )
        )
    sheet.avoid.append(_("Take your usual medicines as normal unless the clinic told you otherwise."))

    if diagnostic:
        sheet.diary = [
            _(
                "Do the movements that usually hurt, then rate only your usual pain, not the soreness where the needle went in."
            ),
            _("Answer at each time in the diary. Scan the code or open the link below on your phone."),
        ]
    else:
        sheet.diary = [
            _("Answer the diary when it reminds you. Scan the code or open the link below on your phone.")
        ]

    sheet.call_clinic = [
        _("A temperature of 38 °C (100.4 °F) or higher, twice, 4 hours apart, or chills."),
        _("Redness or swelling that is getting worse, or fluid coming from where the needle went in."),
        _("Bleeding that does not stop."),
        _("Feeling sick or vomiting that does not stop."),
        _("A headache that does not go away or becomes severe."),
    ]
    sheet.emergency = [
        _("New weakness or numbness in your arms or legs, or weakness that is getting worse."),
        _("Losing control of your bladder or bowels."),
        _("Severe new pain in your back or neck."),
        _("These can happen up to 2 weeks after the procedure. Call emergency services (%(number)s) now.")
        % {"number": procedure.patient.clinic.emergency_number},
    ]
    return sheet
