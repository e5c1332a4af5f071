"""Planning a procedure: the nerves to reach, where, how much, and how it is coded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .anatomy import Joint, Nerve, Region, nerves_for, parse_joint, volume_advice
from .case import Procedure
from .coding import CODE_LABELS, CodeLine, SessionCoding, code_procedure, icd10_suggestions


@dataclass(frozen=True, slots=True)
class PlannedNerve:
    name: str
    landmark: str
    volume_ml: float | None  # advised per nerve; None for RFA
    lower_confidence: bool


@dataclass(frozen=True, slots=True)
class Plan:
    joints: tuple[Joint, ...]
    side: str
    type: str
    intent: str
    nerves: tuple[PlannedNerve, ...]
    codes: tuple[CodeLine, ...]
    icd10: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "joints": [joint.name for joint in self.joints],
            "side": self.side,
            "type": self.type,
            "intent": self.intent,
            "nerves": [
                {
                    "name": n.name,
                    "landmark": n.landmark,
                    "volume_ml": n.volume_ml,
                    "lower_confidence": n.lower_confidence,
                }
                for n in self.nerves
            ],
            "codes": [dict(line.to_json(), label=CODE_LABELS.get(line.code, "")) for line in self.codes],
            "icd10": [{"code": code, "label": label} for code, label in self.icd10],
            "notes": list(self.notes),
        }


def plan_procedure(
    joints: list[str] | tuple[str, ...], side: str, type: str, intent: str | None = None, *, kx: bool = True
) -> Plan:
    """The plan for a procedure at these joints. Raises JointError for a name that is not a facet joint,
    ValueError for an unknown side, type or intent."""
    parsed = tuple(sorted({parse_joint(name) for name in joints}, key=lambda j: j.order))
    if not parsed:
        raise ValueError("name at least one joint")
    intent = "therapeutic" if type in ("rfa", "cyst") else intent or "diagnostic"
    _check(side, ("left", "right", "bilateral"), "side")
    _check(type, ("mbb", "ia", "rfa", "cyst"), "type")
    _check(intent, ("diagnostic", "therapeutic"), "intent")
    procedure = Procedure(
        id="plan", date=date.today(), type=type, intent=intent, joints=parsed, side=side,
        guidance="fluoroscopy", sedation="none", position=0,
    )  # fmt: skip
    codes, code_notes = code_procedure(
        procedure, SessionCoding(), (procedure,), kx_on_diagnostic=kx, bilateral_modifier_50=True
    )
    nerves = tuple(_planned(nerve, parsed, type) for nerve in nerves_for(parsed))
    return Plan(parsed, side, type, intent, nerves, tuple(codes), tuple(icd10_suggestions(parsed)),
                tuple(_notes(parsed, type, intent)) + tuple(n.message for n in code_notes))  # fmt: skip


def _check(value: str, options: tuple[str, ...], field: str) -> None:
    if value not in options:
        raise ValueError(f"{field}: {value!r} is not one of {', '.join(options)}")


def _planned(nerve: Nerve, joints: tuple[Joint, ...], type: str) -> PlannedNerve:
    volume = None
    if type == "mbb":
        region = _nerve_region(nerve, joints)
        volume = volume_advice(region, "mbb").advised_ml
    return PlannedNerve(nerve.name, nerve.landmark, volume, nerve.lower_confidence)


def _nerve_region(nerve: Nerve, joints: tuple[Joint, ...]) -> Region:
    owners = [joint.region for joint in joints if nerve in joint.nerves]
    return min(owners, key=list(Region).index)  # the most cranial region: the smaller cervical volume wins


def _notes(joints: tuple[Joint, ...], type: str, intent: str) -> list[str]:
    notes: list[str] = []
    regions = {joint.region for joint in joints}
    if Region.THORACIC in regions:
        notes.append(
            "thoracic targets follow convention; dissection studies question them (lower confidence)"
        )
    if any(joint.name == "C2-C3" for joint in joints):
        notes.append(
            "C2-C3 is supplied by the third occipital nerve alone; a good block numbs the skin below the occiput"
        )
    if type == "ia":
        for region in sorted(regions):
            advice = volume_advice(region, "ia")
            notes.append(f"{region} intra-articular volume: {advice.source}")
    if type == "mbb" and intent == "diagnostic":
        notes.append(
            "local anaesthetic only, no steroid; no routine sedation; the patient rates the usual pain after the block"
        )
    if Region.CERVICAL in regions and type != "rfa":
        notes.append("if steroid is used in the neck, use dexamethasone (not particulate)")
    if type == "rfa":
        notes.append("thermal RFA at 80-90 degrees C with motor stimulation; lesions parallel to the nerve")
    return notes
