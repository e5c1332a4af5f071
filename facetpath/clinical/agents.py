"""Injectates: local anaesthetics (and saline as placebo) and steroids.

Relief windows are the clinical conventions of clinical-guidelines.md §2.9 and §4A; no payer quantifies
"a duration consistent with the agent" (medicare-lcd.md OQ3), so policies treat them as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Acting(StrEnum):
    SHORT = "short"
    LONG = "long"
    PLACEBO = "placebo"


@dataclass(frozen=True, slots=True)
class Anaesthetic:
    name: str
    acting: Acting
    # Hours of relief a positive diagnostic block is expected to show: at least min_hours; beyond
    # typical_max_hours the relief outlasts what the drug usually does (may be read as non-specific).
    min_hours: float
    typical_max_hours: float
    concentrations: str
    source: str

    @property
    def expected_hours(self) -> tuple[float, float]:
        return (self.min_hours, self.typical_max_hours)


AGENTS: dict[str, Anaesthetic] = {
    "lidocaine": Anaesthetic(
        "lidocaine",
        Acting.SHORT,
        1.0,
        3.0,
        "1-2 %",
        "§2.9, §4A: about 1-2 h of relief after a diagnostic MBB",
    ),
    "bupivacaine": Anaesthetic(
        "bupivacaine",
        Acting.LONG,
        3.0,
        8.0,
        "0.25-0.5 %",
        "§2.9, §4A: about 3-4 h or more; outlasts lidocaine",
    ),
    "ropivacaine": Anaesthetic(
        "ropivacaine", Acting.LONG, 3.0, 8.0, "0.2-0.75 %", "§4A: long-acting, like bupivacaine"
    ),
    "saline": Anaesthetic(
        "saline", Acting.PLACEBO, 0.0, 0.0, "0.9 %", "§2.2: normal saline, the placebo of a controlled block"
    ),
}

AGENT_NAMES = tuple(AGENTS)


@dataclass(frozen=True, slots=True)
class Steroid:
    name: str
    particulate: bool


# §4.6: particulate suspensions can embolise if injected into an artery; dexamethasone is not particulate.
STEROIDS: dict[str, Steroid] = {
    "dexamethasone": Steroid("dexamethasone", particulate=False),
    "triamcinolone": Steroid("triamcinolone", particulate=True),
    "methylprednisolone": Steroid("methylprednisolone", particulate=True),
    "betamethasone": Steroid("betamethasone", particulate=True),
}


def steroid_is_particulate(name: str) -> bool | None:
    """True or False for a known steroid, None when the name is not one we know."""
    steroid = STEROIDS.get(name.strip().lower())
    return None if steroid is None else steroid.particulate
