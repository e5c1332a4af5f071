"""After-care and warning signs, one table for the after-care sheet, the diary's warning form and the alert
that follows it (clinical-guidelines.md §6C, 6.15-6.19; §2.13-2.16 for the diary window).

What is expected and for how long comes from the procedure: the numbness and heaviness of the limbs last as
long as the local anaesthetic does, so weakness that is new *after* that window, or that gets worse, is a
red flag (6.17), while the same heaviness in the first hours is expected (6.15). The sheet says both in the
same words the warning form asks with, so a patient never reads "expected" on paper and "call 911" on the
phone for one feeling.

Sentences are English msgids: the web layer translates them (gettext) and fills the %(…)s placeholders. `_`
only marks them for the translation catalogue; the core never imports Django.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .agents import AGENTS

GUIDE = "clinical-guidelines.md"
# The anaesthetic spread that numbs a limb lasts about 3-5 h after a short-acting block (6.15); a long-acting
# agent lasts longer (§4A, its typical maximum). The window is whole hours, never under this floor.
NUMB_HOURS_FLOOR: Final = 5
RED_FLAG_DAYS: Final = 14  # bleeding or infection can show up to 2 weeks after (6.17)


def _(text: str) -> str:
    """Marks a sentence for the translation catalogue (xgettext's default keyword); returns it unchanged."""
    return text


class Urgency(StrEnum):
    EXPECTED = "expected"  # normal after the procedure, and for how long
    AVOID = "avoid"  # what to do and not do
    DIARY = "diary"  # how to answer the diary
    CALL_CLINIC = "call-clinic"  # call the clinic today
    EMERGENCY = "emergency"  # call emergency services now


@dataclass(frozen=True, slots=True)
class Visit:
    """What the after-care depends on: read off the procedure record by the caller."""

    region: str  # "cervical", "thoracic", "lumbar" or "" when unknown
    diagnostic: bool
    rfa: bool
    sedated: bool
    steroid: bool
    agent: str | None  # the local anaesthetic's name

    @property
    def numb_hours(self) -> int:
        known = AGENTS.get((self.agent or "").lower())
        longest = known.typical_max_hours if known else 0.0
        return max(NUMB_HOURS_FLOOR, math.ceil(longest))

    @property
    def limbs(self) -> str:
        return "arms" if self.region == "cervical" else "legs"


Applies = Callable[[Visit], bool]


def always(visit: Visit) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Advice:
    id: str
    urgency: Urgency
    text: str  # an English msgid, with %(hours)s, %(days)s where it needs them
    citation: str
    applies: Applies = always


@dataclass(frozen=True, slots=True)
class WarningSign:
    """A sign the patient can report from the diary; `id` is stored with the report."""

    id: str
    urgency: Urgency  # CALL_CLINIC or EMERGENCY
    question: str  # the checkbox on the warning form and the line on the sheet (a msgid)
    staff_label: str  # what staff read on the worklist and in the on-call e-mail
    citation: str


ADVICE: Final = (
    Advice("AC-SITE-SORE", Urgency.EXPECTED, _("The spot where the needle went in may be sore for 2 to 4 days."), f"{GUIDE} 6.15"),
    Advice("AC-ICE", Urgency.EXPECTED, _("For the first day, an ice pack for 20 minutes, then 20 minutes off, can help. After that, warmth may feel better."), f"{GUIDE} 6.15"),
    Advice("AC-HEADACHE-MILD", Urgency.EXPECTED, _("A mild headache or feeling a little dizzy can happen and should pass."), f"{GUIDE} 6.15"),
    Advice("AC-NUMB-ARMS", Urgency.EXPECTED, _("For up to %(hours)s hours, while the numbing medicine works, your arms or shoulders may feel heavy, weak or numb. That is expected."), f"{GUIDE} 6.15, §4A", lambda v: v.limbs == "arms"),
    Advice("AC-NUMB-LEGS", Urgency.EXPECTED, _("For up to %(hours)s hours, while the numbing medicine works, your legs may feel heavy, weak or numb. That is expected: have someone help you walk."), f"{GUIDE} 6.15, §4A", lambda v: v.limbs == "legs"),
    Advice("AC-RFA-NEURITIS", Urgency.EXPECTED, _("Burning, soreness or extra-sensitive skin for 1 to 2 weeks is common after this treatment."), f"{GUIDE} 6.19", lambda v: v.rfa),
    Advice("AC-RFA-BENEFIT", Urgency.EXPECTED, _("The full benefit usually shows after 3 to 4 weeks."), f"{GUIDE} 6.19", lambda v: v.rfa),
    Advice("AC-SEDATION-DRIVER", Urgency.AVOID, _("You had medicine to make you sleepy. An adult must drive you home."), f"{GUIDE} 6.18", lambda v: v.sedated),
    Advice("AC-SEDATION-24H", Urgency.AVOID, _("For 24 hours: do not drive, use machines, drink alcohol or make important decisions."), f"{GUIDE} 6.18", lambda v: v.sedated),
    Advice("AC-BATH", Urgency.AVOID, _("No bath, swimming pool or hot tub for 24 hours. A shower is fine."), f"{GUIDE} 6.18"),
    Advice("AC-REST", Urgency.AVOID, _("Take it easy today: no heavy lifting or hard exercise until tomorrow. Light walking is fine."), f"{GUIDE} 6.18"),
    Advice("AC-PLASTER", Urgency.AVOID, _("You may take the plaster off this evening or tomorrow morning."), f"{GUIDE} 6.18"),
    Advice("AC-NO-ANALGESIA", Urgency.AVOID, _("For the next 6 to 8 hours, do not take pain medicine unless you really need it, and do not nap: the test depends on your answers."), f"{GUIDE} 2.16", lambda v: v.diagnostic),
    Advice("AC-MEDICINES", Urgency.AVOID, _("Take your usual medicines as normal unless the clinic told you otherwise."), f"{GUIDE} 6.18"),
    Advice("AC-DIARY-MOVE", Urgency.DIARY, _("Do the movements that usually hurt, then rate only your usual pain, not the soreness where the needle went in."), f"{GUIDE} 2.13", lambda v: v.diagnostic),
    Advice("AC-DIARY-TIMES", Urgency.DIARY, _("Answer at each time in the diary. Scan the code or open the link below on your phone."), f"{GUIDE} 2.15", lambda v: v.diagnostic),
    Advice("AC-DIARY-REMINDERS", Urgency.DIARY, _("Answer the diary when it reminds you. Scan the code or open the link below on your phone."), "facetpath convention", lambda v: not v.diagnostic),
)  # fmt: skip

WARNING_SIGNS: Final = (
    WarningSign("weakness", Urgency.EMERGENCY, _("Weakness or numbness in an arm or leg that is new after the first %(hours)s hours, or getting worse"), "New or worsening weakness or numbness", f"{GUIDE} 6.17"),
    WarningSign("bowel-bladder", Urgency.EMERGENCY, _("Losing control of your bladder or bowels"), "Loss of bowel or bladder control", f"{GUIDE} 6.17"),
    WarningSign("back-pain", Urgency.EMERGENCY, _("Severe new pain in your back or neck"), "Severe new back or neck pain", f"{GUIDE} 6.17"),
    WarningSign("chest", Urgency.EMERGENCY, _("Chest pain or trouble breathing"), "Chest pain or trouble breathing", f"{GUIDE} 3.7; general safety practice"),
    WarningSign("fever", Urgency.CALL_CLINIC, _("Fever (38 °C / 100.4 °F or higher) or chills"), "Fever or chills", f"{GUIDE} 6.16"),
    WarningSign("headache", Urgency.CALL_CLINIC, _("A headache that is severe or getting worse"), "Severe or worsening headache", f"{GUIDE} 6.16"),
    WarningSign("site", Urgency.CALL_CLINIC, _("Bleeding, fluid, or redness or swelling getting worse where the needle went in"), "Bleeding, drainage or spreading redness at the injection site", f"{GUIDE} 6.16"),
    WarningSign("sickness", Urgency.CALL_CLINIC, _("Feeling sick or vomiting that does not stop"), "Persistent nausea or vomiting", f"{GUIDE} 6.16"),
)  # fmt: skip
SIGNS_BY_ID: Final = {sign.id: sign for sign in WARNING_SIGNS}
EMERGENCY_SIGNS: Final = frozenset(sign.id for sign in WARNING_SIGNS if sign.urgency is Urgency.EMERGENCY)

# The sheet's closing line under the emergency signs (its number is the clinic's).
EMERGENCY_WINDOW: Final = _(
    "These can happen up to %(days)s days after the procedure. Call emergency services (%(number)s) now."
)


def advice_for(visit: Visit) -> list[Advice]:
    return [advice for advice in ADVICE if advice.applies(visit)]


def placeholders(visit: Visit) -> dict[str, int]:
    """The values every sentence of this table may name."""
    return {"hours": visit.numb_hours, "days": RED_FLAG_DAYS}


def is_emergency(sign_ids: list[str]) -> bool:
    return any(sign in EMERGENCY_SIGNS for sign in sign_ids)
