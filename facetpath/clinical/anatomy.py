"""Facet joints from C2-C3 to L5-S1: names, regions, the nerves that supply them, targets and volumes.

Source: ../shared/reference/clinical-guidelines.md §3A (joint → nerves, needle targets) and §3.5
(volumes); billing regions per medicare-lcd.md D1 and R54 (T12-L1 bills in the cervical/thoracic family).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache


class Region(StrEnum):
    """Spinal region of a joint, by its upper vertebra (C7-T1 is cervical, T12-L1 thoracic)."""

    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"


class BillingRegion(StrEnum):
    """The two regions the LCD counts levels, sessions and codes in (medicare-lcd.md D1)."""

    CERVICAL_THORACIC = "cervical-thoracic"
    LUMBAR_SACRAL = "lumbar-sacral"


# Vertebrae in cranio-caudal order; a facet joint joins two neighbours from C2 down to S1.
_SPINE: tuple[str, ...] = (
    *(f"C{n}" for n in range(1, 8)),
    *(f"T{n}" for n in range(1, 13)),
    *(f"L{n}" for n in range(1, 6)),
    "S1",
)
_INDEX = {name: i for i, name in enumerate(_SPINE)}
_FIRST_FACET_VERTEBRA = "C2"  # C1-C2 is the atlanto-axial joint, not a zygapophysial joint


@dataclass(frozen=True, slots=True)
class Nerve:
    """A nerve a block or ablation must reach, with where the needle goes."""

    name: str
    order: int  # cranio-caudal sort key
    landmark: str
    lower_confidence: bool = False  # thoracic targets rest on convention, not settled anatomy (§3.2)


@dataclass(frozen=True, slots=True, eq=False)
class Joint:
    """A facet (zygapophysial) joint, e.g. L4-L5. One instance per joint (see JOINTS), compared by identity."""

    upper: str
    lower: str
    order: int
    name: str
    region: Region
    billing_region: BillingRegion

    @property
    def nerves(self) -> tuple[Nerve, ...]:
        return _nerves_for(self)

    def __str__(self) -> str:
        return self.name


def _joint(i: int) -> Joint:
    upper, lower = _SPINE[i], _SPINE[i + 1]
    region = {"C": Region.CERVICAL, "T": Region.THORACIC}.get(upper[0], Region.LUMBAR)
    billing = BillingRegion.LUMBAR_SACRAL if region is Region.LUMBAR else BillingRegion.CERVICAL_THORACIC
    return Joint(upper, lower, i, f"{upper}-{lower}", region, billing)


JOINTS: tuple[Joint, ...] = tuple(_joint(i) for i in range(_INDEX[_FIRST_FACET_VERTEBRA], len(_SPINE) - 1))
_BY_NAME = {joint.name: joint for joint in JOINTS}

_JOINT_PATTERN = re.compile(
    r"""^\s*([CTLS])\s*(\d{1,2})\s*      # upper vertebra: L4
        (?:[-/–—]\s*([CTLS])?|([CTLS]))   # a separator, optionally followed by a letter, or a letter alone
        \s*(\d{1,2})\s*$                  # lower vertebra number
    """,
    re.IGNORECASE | re.VERBOSE,
)


class JointError(ValueError):
    """A name that is not a real facet joint."""


def parse_joint(text: str) -> Joint:
    """Reads `L4-L5`, `L4-5`, `L4/5`, `l4-l5`, `C7-T1`, `L5/S1`; raises JointError for anything else."""
    joint = _parse_joint_cached(text)
    if joint is None:
        raise JointError(f'"{text}" is not a facet joint')
    return joint


@cache
def _parse_joint_cached(text: str) -> Joint | None:
    match = _JOINT_PATTERN.match(text)
    if match is None:
        return None
    letter, number, lower_letter, bare_letter, lower_number = match.groups()
    upper = f"{letter.upper()}{int(number)}"
    lower = f"{(lower_letter or bare_letter or letter).upper()}{int(lower_number)}"
    return _BY_NAME.get(f"{upper}-{lower}")


def joint_by_name(name: str) -> Joint:
    """The joint with this canonical name; KeyError for anything else."""
    return _BY_NAME[name]


def vertebra_index(name: str) -> int:
    return _INDEX[name]


# --- Nerves and targets (clinical-guidelines.md §3A) -------------------------------------------------

_THIRD_OCCIPITAL = Nerve(
    "third occipital nerve",
    order=_INDEX["C3"] * 10,
    landmark="lateral view: over the lateral C2-C3 joint, three points (above, at and below the joint line)",
)


def _cervical_landmark(n: int) -> str:
    if n == 7:
        return "C7: variable, from the junction of the C7 superior articular process and transverse process up to its apex"
    height = "at the centre" if n == 5 else "slightly above the centre"
    return f"lateral view: the waist of the C{n} articular pillar, {height}"


def _thoracic_landmark(nerve_level: str, target_vertebra: str) -> str:
    """The thoracic medial branch crosses the transverse process of the vertebra below (§3A)."""
    n = int(target_vertebra[1:]) if target_vertebra[0] == "T" else 0
    if target_vertebra[0] == "L" or n >= 11:
        return (
            f"junction of the {target_vertebra} superior articular process and transverse process "
            "(as in the lumbar spine)"
        )
    if 5 <= n <= 8:
        return (
            f"above the superolateral corner of the {target_vertebra} transverse process, where the "
            f"{nerve_level} medial branch hangs in the intertransverse space"
        )
    caveat = " (the nerve may pass above the tip)" if n == 10 else ""
    return f"superolateral corner of the {target_vertebra} transverse process{caveat}"


def _lumbar_landmark(target_vertebra: str) -> str:
    return (
        f"junction of the {target_vertebra} superior articular process and the upper border of its "
        "transverse process"
    )


@cache
def medial_branch(level: str) -> Nerve:
    """The medial branch of the dorsal ramus named by its segment (C3 … L4, C8)."""
    letter, n = level[0], int(level[1:])
    name = f"{level} medial branch"
    if letter == "C" and n <= 7:
        return Nerve(name, _INDEX[level] * 10 + 1, _cervical_landmark(n))
    # C8 sits at the T1 transverse process; thoracic and lumbar branches cross the vertebra below.
    order = _INDEX["C7"] * 10 + 5 if level == "C8" else _INDEX[level] * 10 + 1
    below = "T1" if level == "C8" else _SPINE[_INDEX[level] + 1]
    if letter == "L":
        return Nerve(name, order, _lumbar_landmark(below))
    return Nerve(name, order, _thoracic_landmark(level, below), lower_confidence=letter == "T")


_L5_DORSAL_RAMUS = Nerve(
    "L5 dorsal ramus",
    order=_INDEX["L5"] * 10 + 1,
    landmark="groove between the S1 superior articular process and the sacral ala",
)


def _segment_above(vertebra: str) -> str:
    if vertebra == "T1":
        return "C8"
    return _SPINE[_INDEX[vertebra] - 1]


@cache
def _nerves_for(joint: Joint) -> tuple[Nerve, ...]:
    if joint.name == "C2-C3":
        return (_THIRD_OCCIPITAL,)  # its sole supply (§3A, §1.46)
    if joint.region is Region.CERVICAL and joint.lower[0] == "C":
        return (medial_branch(joint.upper), medial_branch(joint.lower))
    if joint.name == "C7-T1":
        return (medial_branch("C7"), medial_branch("C8"))
    if joint.name == "L5-S1":
        return (medial_branch("L4"), _L5_DORSAL_RAMUS)
    # Thoracic and lumbar Lx-Ly: the L(x-1) and Lx medial branches.
    return (medial_branch(_segment_above(joint.upper)), medial_branch(joint.upper))


def nerves_for(joints: tuple[Joint, ...] | list[Joint]) -> tuple[Nerve, ...]:
    """Every nerve the joints need blocked, cranial to caudal, each once."""
    unique = {nerve.name: nerve for joint in joints for nerve in joint.nerves}
    return tuple(sorted(unique.values(), key=lambda nerve: nerve.order))


# --- Volumes (clinical-guidelines.md §1.9, §1.27, §3.5) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class VolumeAdvice:
    advised_ml: float
    max_ml: float | None  # above this, spread to neighbouring structures makes a block less specific
    source: str
    lower_confidence: bool = False


MBB_VOLUME: dict[Region, VolumeAdvice] = {
    Region.CERVICAL: VolumeAdvice(0.25, 0.3, "cervical consensus 2022: under 0.3 mL per nerve (§1.27, §3.5)"),
    Region.THORACIC: VolumeAdvice(
        0.5,
        0.5,
        "no thoracic figure in the guidelines; the lumbar limit is used (§3.5)",
        lower_confidence=True,
    ),
    Region.LUMBAR: VolumeAdvice(0.5, 0.5, "lumbar consensus 2020: 0.5 mL or less per nerve (§1.9)"),
}

IA_VOLUME: dict[Region, VolumeAdvice] = {
    Region.CERVICAL: VolumeAdvice(
        1.0, None, "no cervical intra-articular limit in the guidelines", lower_confidence=True
    ),
    Region.THORACIC: VolumeAdvice(
        1.0, None, "no thoracic intra-articular limit in the guidelines", lower_confidence=True
    ),
    Region.LUMBAR: VolumeAdvice(1.0, 1.5, "lumbar consensus 2020: under 1.5 mL per joint (§1.9)"),
}


def volume_advice(region: Region, procedure_type: str) -> VolumeAdvice:
    return (IA_VOLUME if procedure_type == "ia" else MBB_VOLUME)[region]


# --- SNOMED CT body sites (the FHIR export's Procedure.bodySite) ------------------------------------------
#
# One concept per facet level where a source we could read names it; every other level is exported with
# the joint's name as text and facetpath's own joint code only (never a guessed SNOMED id). Confidence as in
# the reference files: "certain" (read on the source named), "likely, verify" (quoted second-hand).
# Laterality is not pre-coordinated: these concepts carry a laterality attribute, and the export states the
# side with the qualifier codes below (SNOMED_LATERALITY).
#
# Sources: [tx] HL7's terminology server's SNOMED pages, https://tx-dev.fhir.org/snomed/ (concept
# 1179156007, "Structure of facet joint between C2 and C3 vertebra", read 2026-12-04); [interop]
# ../shared/reference/interop-and-prior-auth.md, "FHIR R4 mapping" (181879009 "T12/L1 facet joint");
# [vs] the FHIR body-structure laterality value set named in ../shared/reference/software-anchors.md B.2.


@dataclass(frozen=True, slots=True)
class SnomedSite:
    code: str
    display: str
    confidence: str
    source: str


SNOMED_FACET_JOINTS: dict[str, SnomedSite] = {
    "C2-C3": SnomedSite("1179156007", "Structure of facet joint between C2 and C3 vertebra", "certain", "tx"),
    "T12-L1": SnomedSite("181879009", "T12/L1 facet joint", "likely, verify", "interop"),
}

SNOMED_LATERALITY: dict[str, tuple[str, str]] = {
    "left": ("7771000", "Left"),
    "right": ("24028007", "Right"),
    "bilateral": ("51440002", "Bilateral"),
}  # [vs], certain


def snomed_site(joint_name: str) -> SnomedSite | None:
    """The SNOMED CT body site of a facet level, or None where no verified concept is in the table."""
    return SNOMED_FACET_JOINTS.get(joint_name)
