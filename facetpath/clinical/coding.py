"""CPT lines and ICD-10-CM suggestions for facet procedures.

Levels are counted by joint, never by nerve (medicare-lcd.md R50, D2). Codes are session-wide: the
first level of a session takes the primary code and later levels the add-ons, even when they sit in
separate procedures of that session; an IA injection and an MBB at the same joint and side in one
session are one level (R56). Labels are our own short words; CPT descriptors are AMA text and are not
shipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from .anatomy import BillingRegion, Joint, Region
from .case import Procedure

CT, LS = BillingRegion.CERVICAL_THORACIC, BillingRegion.LUMBAR_SACRAL

# (first level, second level, third and further levels) by family
INJECTION_CODES = {CT: ("64490", "64491", "64492"), LS: ("64493", "64494", "64495")}
ULTRASOUND_CODES = {CT: ("0213T", "0214T", "0215T"), LS: ("0216T", "0217T", "0218T")}
RFA_CODES = {CT: ("64633", "64634"), LS: ("64635", "64636")}
UNLISTED = "64999"

CODE_LABELS: dict[str, str] = {
    "64490": "facet injection, cervical/thoracic, imaging-guided: first level",
    "64491": "facet injection, cervical/thoracic: second level (add-on)",
    "64492": "facet injection, cervical/thoracic: third and further levels (add-on)",
    "64493": "facet injection, lumbar/sacral, imaging-guided: first level",
    "64494": "facet injection, lumbar/sacral: second level (add-on)",
    "64495": "facet injection, lumbar/sacral: third and further levels (add-on)",
    "64633": "facet nerve ablation, cervical/thoracic: first joint",
    "64634": "facet nerve ablation, cervical/thoracic: each further joint (add-on)",
    "64635": "facet nerve ablation, lumbar/sacral: first joint",
    "64636": "facet nerve ablation, lumbar/sacral: each further joint (add-on)",
    "0213T": "facet injection, cervical/thoracic, ultrasound-guided: first level",
    "0214T": "facet injection, cervical/thoracic, ultrasound-guided: second level",
    "0215T": "facet injection, cervical/thoracic, ultrasound-guided: third and further levels",
    "0216T": "facet injection, lumbar/sacral, ultrasound-guided: first level",
    "0217T": "facet injection, lumbar/sacral, ultrasound-guided: second level",
    "0218T": "facet injection, lumbar/sacral, ultrasound-guided: third and further levels",
    "64999": "unlisted nervous system procedure",
}

SIDE_MODIFIERS = {"left": "LT", "right": "RT"}


@dataclass(frozen=True, slots=True)
class CodeLine:
    code: str
    modifiers: tuple[str, ...]
    units: int

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "modifiers": list(self.modifiers), "units": self.units}

    def __str__(self) -> str:
        return "-".join((self.code, *self.modifiers)) + f" x{self.units}"


@dataclass(frozen=True, slots=True)
class CodingNote:
    """Something a coder must know about the lines; policies turn these into findings."""

    kind: str  # "unlisted", "ultrasound", "bundled", "cyst"
    message: str


@dataclass(slots=True)
class SessionCoding:
    """Codes already assigned in one session (one date), so later procedures continue the level count."""

    levels: dict[str, list[str]] = field(default_factory=dict)  # "kind:group" → joint names, in level order
    coded_sites: dict[tuple[str, str, str], str] = field(
        default_factory=dict
    )  # (kind, joint, side) → procedure id
    further_level_coded: set[tuple[str, str]] = field(default_factory=set)  # (group, side)


def level_groups(joints: Iterable[Joint]) -> dict[str, list[Joint]]:
    return _level_groups(frozenset(joints))


@cache
def _level_groups(joints: frozenset[Joint]) -> dict[str, list[Joint]]:
    """Joints of one session by the region their levels are counted in.

    T12-L1 bills with the cervical/thoracic family (R54) but is counted with the lumbar levels when the
    session's other joints are all lumbar (unilateral T12-L1 + L1-L2 is 64490 + 64494).
    """
    ordered = sorted(joints, key=lambda joint: joint.order)
    groups: dict[str, list[Joint]] = {}
    has_lumbar = any(joint.billing_region is LS for joint in ordered)
    other_ct = any(joint.billing_region is CT and joint.name != "T12-L1" for joint in ordered)
    for joint in ordered:
        group = joint.billing_region.value
        if joint.name == "T12-L1" and has_lumbar and not other_ct:
            group = LS.value
        groups.setdefault(group, []).append(joint)
    return groups


def code_procedure(
    procedure: Procedure,
    session: SessionCoding,
    session_procedures: Iterable[Procedure],
    *,
    kx_on_diagnostic: bool,
    bilateral_modifier_50: bool,
) -> tuple[list[CodeLine], list[CodingNote]]:
    """CPT lines for one procedure, continuing the session's level count."""
    if procedure.type == "cyst":
        return [], [CodingNote("cyst", "no settled code for facet cyst aspiration or rupture")]
    kind = _kind(procedure)
    # Injections and ablations count their levels separately: an RFA's first joint takes the primary code.
    groups = level_groups(j for p in session_procedures if _kind(p) == kind for j in p.joints)
    group_of = {joint.name: f"{kind}:{name}" for name, members in groups.items() for joint in members}
    for name, members in groups.items():
        session.levels.setdefault(f"{kind}:{name}", [joint.name for joint in members])
    lines: list[CodeLine] = []
    notes: list[CodingNote] = []
    for side_set in _side_sets(procedure, bilateral_modifier_50):
        modifiers = _side_modifiers(side_set)
        for joint in procedure.joints:
            new_sides = [s for s in side_set if (kind, joint.name, s) not in session.coded_sites]
            if len(new_sides) < len(side_set):
                earlier = session.coded_sites[(kind, joint.name, side_set[0])]
                if earlier != procedure.id:
                    notes.append(
                        CodingNote("bundled", f"{joint.name} was coded with {earlier}: one level (R56)")
                    )
                continue
            for s in side_set:
                session.coded_sites[(kind, joint.name, s)] = procedure.id
            group = group_of[joint.name]
            level = session.levels[group].index(joint.name) + 1
            line = _line(procedure, joint, level, group, side_set, modifiers, session, notes)
            if line is not None:
                lines.append(line)
    if kind == "injection" and procedure.intent == "diagnostic" and kx_on_diagnostic:
        lines = [
            CodeLine(c.code, (*c.modifiers, "KX"), c.units) if _is_facet_code(c.code) else c for c in lines
        ]
    return _merge_units(lines), notes


def _kind(procedure: Procedure) -> str:
    return {"rfa": "rfa", "cyst": "cyst"}.get(procedure.type, "injection")


def _side_sets(procedure: Procedure, bilateral_modifier_50: bool) -> list[tuple[str, ...]]:
    if procedure.side != "bilateral":
        return [(procedure.side,)]
    return [("left", "right")] if bilateral_modifier_50 else [("right",), ("left",)]


def _side_modifiers(side_set: tuple[str, ...]) -> tuple[str, ...]:
    return ("50",) if len(side_set) == 2 else (SIDE_MODIFIERS[side_set[0]],)


def _line(
    procedure: Procedure,
    joint: Joint,
    level: int,
    group: str,
    side_set: tuple[str, ...],
    modifiers: tuple[str, ...],
    session: SessionCoding,
    notes: list[CodingNote],
) -> CodeLine | None:
    if procedure.type == "rfa":
        technique = procedure.rfa.technique if procedure.rfa else "thermal"
        if procedure.guidance not in ("fluoroscopy", "ct") or technique in ("pulsed", "cryo"):
            notes.append(CodingNote("unlisted", _unlisted_reason(procedure, technique)))
            return CodeLine(UNLISTED, modifiers, 1) if level == 1 else None
        first, additional = RFA_CODES[joint.billing_region]
        return CodeLine(first if level == 1 else additional, modifiers, 1)
    if procedure.guidance == "none":
        notes.append(
            CodingNote("unlisted", "no facet injection code covers an injection without imaging guidance")
        )
        return CodeLine(UNLISTED, modifiers, 1) if level == 1 else None
    table = ULTRASOUND_CODES if procedure.guidance == "ultrasound" else INJECTION_CODES
    if procedure.guidance == "ultrasound":
        notes.append(
            CodingNote("ultrasound", "ultrasound-guided facet injections take the 0213T-0218T codes")
        )
    codes = table[joint.billing_region]
    if level <= 2:
        return CodeLine(codes[level - 1], modifiers, 1)
    # One line with one unit covers the third and every further level (R51).
    key = (group, "".join(side_set))
    if key in session.further_level_coded:
        return None
    session.further_level_coded.add(key)
    return CodeLine(codes[2], modifiers, 1)


def _unlisted_reason(procedure: Procedure, technique: str) -> str:
    if technique in ("pulsed", "cryo"):
        return f"{technique} denervation has no facet ablation code: it is reported as unlisted (64999)"
    return "facet ablation codes need fluoroscopy or CT guidance: reported as unlisted (64999)"


def _is_facet_code(code: str) -> bool:
    return code in CODE_LABELS and code.startswith("644")


def _merge_units(lines: list[CodeLine]) -> list[CodeLine]:
    """Add-on ablation codes count further joints in units: 64636 x2, not two lines."""
    merged: list[CodeLine] = []
    for line in lines:
        if (
            merged
            and line.code in ("64634", "64636")
            and (merged[-1].code, merged[-1].modifiers)
            == (
                line.code,
                line.modifiers,
            )
        ):
            merged[-1] = CodeLine(line.code, line.modifiers, merged[-1].units + line.units)
        else:
            merged.append(line)
    return merged


# --- ICD-10-CM (medicare-lcd.md §4.3) ---------------------------------------------------------------


def icd10_for_joint(joint: Joint) -> tuple[str, str]:
    """Spondylosis without myelopathy or radiculopathy, by the joint's region (billable 6th character)."""
    if joint.name == "C7-T1":
        return "M47.813", "spondylosis, cervicothoracic"
    if joint.name == "T12-L1":
        return "M47.815", "spondylosis, thoracolumbar"
    if joint.name == "L5-S1":
        return "M47.817", "spondylosis, lumbosacral"
    return {
        Region.CERVICAL: ("M47.812", "spondylosis, cervical"),
        Region.THORACIC: ("M47.814", "spondylosis, thoracic"),
        Region.LUMBAR: ("M47.816", "spondylosis, lumbar"),
    }[joint.region]


def icd10_suggestions(joints: Iterable[Joint]) -> list[tuple[str, str]]:
    """Diagnosis codes that support the procedure at these joints, one per region touched.

    Symptom codes such as M54.2 or M54.50 are not on the covered list (§4.3) and are never suggested.
    """
    seen: dict[str, str] = {}
    for joint in sorted(joints, key=lambda j: j.order):
        code, label = icd10_for_joint(joint)
        seen.setdefault(code, label)
    return list(seen.items())
