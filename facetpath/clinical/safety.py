"""Safety screen before a facet procedure: contraindications and the antithrombotic hold plan.

Source: ../shared/reference/clinical-guidelines.md §6A (contraindications, items 6.1-6.8) and §6B
(anticoagulants and antiplatelets, items 6.9-6.14). Every result carries a stable ID, a severity, a
plain-language message and the guideline item it rests on, so a screen can show why it says what it says.

Pure Python, no Django: the web application and the CLI call `screen(SafetyInput(...))`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How hard a safety finding stops the procedure."""

    ABSOLUTE = "absolute"  # do not proceed
    OVERRIDE = "override"  # hard stop that a physician may override with a documented reason
    RELATIVE = "relative"  # weigh and document before proceeding
    PROTOCOL = "protocol"  # proceed only under a specific protocol
    INFO = "info"


STOPPING = frozenset({Severity.ABSOLUTE, Severity.OVERRIDE})


class BleedingRisk(StrEnum):
    """Procedure bleeding-risk class of the 2018 interventional pain guideline (§6B, 6.9)."""

    LOW = "low"
    INTERMEDIATE = "intermediate"
    HIGH = "high"


_ESCALATE = {
    BleedingRisk.LOW: BleedingRisk.INTERMEDIATE,
    BleedingRisk.INTERMEDIATE: BleedingRisk.HIGH,
    BleedingRisk.HIGH: BleedingRisk.HIGH,
}

REGIONS = ("cervical", "thoracic", "lumbar")
PROCEDURE_TYPES = ("mbb", "ia", "rfa", "cyst")


class BleedingDisorder(StrEnum):
    NONE = "none"
    MILD = "mild"  # a coagulopathy that is not severe: raises the bleeding risk class (6.10)
    SEVERE = "severe"  # severe bleeding diathesis: absolute contraindication (6.1)


class Pregnancy(StrEnum):
    NOT_APPLICABLE = "not-applicable"
    NO = "no"
    POSSIBLE = "possible"
    YES = "yes"


class AnaestheticAllergy(StrEnum):
    NONE = "none"
    AMIDE = "amide"
    ESTER = "ester"
    UNKNOWN_CLASS = "unknown-class"


# Patient factors that can move a procedure up one bleeding-risk class (6.10).
RISK_FACTORS: dict[str, str] = {
    "older-age": "older age (physician's judgement)",
    "liver-disease": "severe liver disease",
    "kidney-disease": "severe kidney disease",
    "prior-surgery-at-site": "prior surgery at the procedure site",
    "prior-radiation-at-site": "prior radiation at the procedure site",
}

IMPLANTED_DEVICES: dict[str, str] = {
    "pacemaker": "pacemaker",
    "icd": "implantable cardioverter-defibrillator",
    "scs": "spinal cord stimulator",
    "dbs": "deep brain stimulator",
    "intrathecal-pump": "intrathecal drug pump",
    "other": "other implanted electronic device",
}

# Every hold interval below is item 6.12, which the reference marks "likely, verify each number
# against the guideline table before encoding". Each instruction carries that confidence.
HOLD_CONFIDENCE = "likely, verify against the 2018 guideline table"
RESTART_ADVICE = "restart usually about 24 hours after the procedure"


@dataclass(frozen=True, slots=True)
class Antithrombotic:
    key: str
    label: str
    kind: str  # "anticoagulant" or "antiplatelet"
    intermediate_hold: str | None  # stop interval before an intermediate-risk procedure; None: no stop
    min_hours: float | None  # the shortest interval in hours, for scheduling
    note: str = ""


ANTITHROMBOTICS: dict[str, Antithrombotic] = {
    drug.key: drug
    for drug in (
        Antithrombotic("warfarin", "warfarin", "anticoagulant", "5 days", 120, "with a normal INR before"),
        Antithrombotic("clopidogrel", "clopidogrel", "antiplatelet", "7 days", 168),
        Antithrombotic("prasugrel", "prasugrel", "antiplatelet", "7 to 10 days", 168),
        Antithrombotic("ticagrelor", "ticagrelor", "antiplatelet", "5 days", 120),
        Antithrombotic(
            "dabigatran",
            "dabigatran",
            "anticoagulant",
            "4 to 5 days",
            96,
            "6 days if kidney function is impaired",
        ),
        Antithrombotic("rivaroxaban", "rivaroxaban", "anticoagulant", "3 days", 72),
        Antithrombotic("apixaban", "apixaban", "anticoagulant", "3 days", 72),
        Antithrombotic("edoxaban", "edoxaban", "anticoagulant", "3 days", 72),
        Antithrombotic(
            "lmwh-prophylactic",
            "low-molecular-weight heparin, preventive dose",
            "anticoagulant",
            "12 hours",
            12,
        ),
        Antithrombotic(
            "lmwh-therapeutic",
            "low-molecular-weight heparin, treatment dose",
            "anticoagulant",
            "24 hours",
            24,
        ),
        Antithrombotic(
            "aspirin",
            "aspirin",
            "antiplatelet",
            None,
            None,
            "shared assessment; generally continued for intermediate risk",
        ),
        Antithrombotic(
            "nsaid",
            "NSAID (e.g. ibuprofen, naproxen)",
            "antiplatelet",
            None,
            None,
            "shared assessment; generally continued for intermediate risk",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class SafetyInput:
    """What the screen needs; `procedure_type` and `target_joints` are empty at assessment time."""

    region: str
    procedure_type: str | None = None
    target_joints: tuple[str, ...] = ()
    infection: bool = False
    red_flag_symptoms: bool = False
    bleeding_disorder: BleedingDisorder = BleedingDisorder.NONE
    antithrombotics: tuple[str, ...] = ()
    risk_factors: tuple[str, ...] = ()
    pregnancy: Pregnancy = Pregnancy.NOT_APPLICABLE
    contrast_allergy: bool = False
    contrast_planned: bool | None = None  # None: not yet decided
    anaesthetic_allergy: AnaestheticAllergy = AnaestheticAllergy.NONE
    implanted_device: str | None = None
    fused_joints: tuple[str, ...] = ()
    uncontrolled_diabetes: bool = False
    uncontrolled_hypertension: bool = False
    steroid_planned: bool | None = None


@dataclass(frozen=True, slots=True)
class SafetyFinding:
    id: str
    severity: Severity
    message: str
    citation: str  # the guideline item, e.g. "clinical-guidelines §6A 6.1"
    confidence: str = "certain"

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "severity": str(self.severity),
            "message": self.message,
            "citation": self.citation,
            "confidence": self.confidence,
        }


@dataclass(frozen=True, slots=True)
class HoldInstruction:
    drug: str
    label: str
    action: str  # "stop" or "shared-assessment"
    interval: str | None
    message: str
    citation: str
    confidence: str


@dataclass(frozen=True, slots=True)
class SafetyReport:
    bleeding_risk: BleedingRisk
    bleeding_risk_reasons: tuple[str, ...]
    findings: tuple[SafetyFinding, ...]
    hold_plan: tuple[HoldInstruction, ...] = field(default=())

    @property
    def stops(self) -> bool:
        """True when at least one finding stops the procedure (absolute, or pending an override)."""
        return any(finding.severity in STOPPING for finding in self.findings)

    @property
    def absolute_stop(self) -> bool:
        """True when a finding stops the procedure whatever anyone decides."""
        return any(finding.severity is Severity.ABSOLUTE for finding in self.findings)

    @property
    def needs_override(self) -> bool:
        """True when the only stops are ones a physician may override (pregnancy)."""
        return self.stops and not self.absolute_stop


def _cite(item: str) -> str:
    section = "6A" if int(item.split(".")[1]) <= 8 else "6B"  # 6.1-6.8 contraindications, 6.9-6.14 drugs
    return f"clinical-guidelines §{section} {item}"


def bleeding_risk(
    region: str, risk_factors: tuple[str, ...] = (), mild_coagulopathy: bool = False
) -> tuple[BleedingRisk, tuple[str, ...]]:
    """Bleeding-risk class of a facet procedure in `region`, one class up for patient factors (6.9, 6.10)."""
    if region not in REGIONS:
        raise ValueError(f'"{region}" is not a spinal region (cervical, thoracic, lumbar)')
    base = BleedingRisk.INTERMEDIATE if region == "cervical" else BleedingRisk.LOW
    reasons = [f"{region} facet procedures are {base} bleeding risk"]
    factors = [RISK_FACTORS[key] for key in risk_factors if key in RISK_FACTORS]
    if mild_coagulopathy:
        factors.append("a coagulopathy")
    if not factors:
        return base, tuple(reasons)
    reasons.append("raised one class for " + ", ".join(factors))
    return _ESCALATE[base], tuple(reasons)


def hold_plan(drugs: tuple[str, ...], risk: BleedingRisk) -> tuple[HoldInstruction, ...]:
    """What to do with each antithrombotic before a procedure of this bleeding-risk class (6.11, 6.12)."""
    return tuple(_hold_for(ANTITHROMBOTICS[key], risk) for key in drugs if key in ANTITHROMBOTICS)


def _hold_for(drug: Antithrombotic, risk: BleedingRisk) -> HoldInstruction:
    if risk is BleedingRisk.LOW:
        return HoldInstruction(
            drug.key,
            drug.label,
            "shared-assessment",
            None,
            f"{drug.label}: decide with the prescriber; continuing is often acceptable for a low-risk "
            "procedure, and stopping carries a risk of clots",
            _cite("6.11"),
            "likely",
        )
    if drug.intermediate_hold is None:
        return HoldInstruction(
            drug.key,
            drug.label,
            "shared-assessment",
            None,
            f"{drug.label}: {drug.note}",
            _cite("6.12"),
            HOLD_CONFIDENCE,
        )
    note = f" ({drug.note})" if drug.note else ""
    high = (
        "; this patient is high risk, so the physician confirms the interval"
        if risk is BleedingRisk.HIGH
        else ""
    )
    return HoldInstruction(
        drug.key,
        drug.label,
        "stop",
        drug.intermediate_hold,
        f"{drug.label}: stop {drug.intermediate_hold} before{note}; {RESTART_ADVICE}{high}",
        _cite("6.12"),
        HOLD_CONFIDENCE,
    )


def screen(data: SafetyInput) -> SafetyReport:
    """Every contraindication and the hold plan for one patient and (optionally) one planned procedure."""
    risk, reasons = bleeding_risk(
        data.region, data.risk_factors, data.bleeding_disorder is BleedingDisorder.MILD
    )
    findings = [
        *_infection(data),
        *_bleeding(data, risk),
        *_pregnancy(data),
        *_allergies(data),
        *_device(data),
        *_fusion(data),
        *_comorbidities(data),
    ]
    return SafetyReport(risk, reasons, tuple(findings), hold_plan(data.antithrombotics, risk))


def _infection(data: SafetyInput) -> list[SafetyFinding]:
    found = []
    if data.infection:
        found.append(
            SafetyFinding(
                "SAFE-INFECTION",
                Severity.ABSOLUTE,
                "Infection in the body or near the injection site: do not inject until it has cleared.",
                _cite("6.1"),
            )
        )
    if data.red_flag_symptoms:
        found.append(
            SafetyFinding(
                "SAFE-RED-FLAGS",
                Severity.ABSOLUTE,
                "Fever, chills, sweats or weight loss not yet explained: rule out infection or tumour first.",
                _cite("6.8"),
            )
        )
    return found


def _bleeding(data: SafetyInput, risk: BleedingRisk) -> list[SafetyFinding]:
    found = []
    if data.bleeding_disorder is BleedingDisorder.SEVERE:
        found.append(
            SafetyFinding(
                "SAFE-BLEEDING-SEVERE",
                Severity.ABSOLUTE,
                "Severe bleeding disorder: facet injections are contraindicated.",
                _cite("6.1"),
            )
        )
    drugs = [ANTITHROMBOTICS[key].label for key in data.antithrombotics if key in ANTITHROMBOTICS]
    if drugs:
        found.append(
            SafetyFinding(
                "SAFE-ANTITHROMBOTIC",
                Severity.RELATIVE,
                f"Takes {', '.join(drugs)}: follow the hold plan for a {risk}-risk procedure, and if a drug "
                "cannot be stopped, include the added bleeding risk in the consent discussion.",
                _cite("6.14"),
            )
        )
        if data.region == "cervical" and data.procedure_type in (None, "rfa"):
            found.append(
                SafetyFinding(
                    "SAFE-CERVICAL-RFA-ANTITHROMBOTIC",
                    Severity.RELATIVE,
                    "Cervical radiofrequency ablation: stop anticoagulants and antiplatelets beforehand "
                    "because of the risk of serious bleeding.",
                    _cite("6.13"),
                )
            )
    return found


def _pregnancy(data: SafetyInput) -> list[SafetyFinding]:
    if data.pregnancy not in (Pregnancy.YES, Pregnancy.POSSIBLE):
        return []
    state = "Pregnant" if data.pregnancy is Pregnancy.YES else "Possibly pregnant"
    return [
        SafetyFinding(
            "SAFE-PREGNANCY",
            Severity.OVERRIDE,
            f"{state}: these procedures use X-rays. Do not proceed unless a physician overrides this stop "
            "and records why.",
            _cite("6.2"),
            "certain (sources); unclear (absolute vs relative)",
        )
    ]


def _allergies(data: SafetyInput) -> list[SafetyFinding]:
    found = []
    if data.contrast_allergy and data.contrast_planned is not False:
        found.append(
            SafetyFinding(
                "SAFE-CONTRAST-ALLERGY",
                Severity.RELATIVE,
                "Allergy to iodinated contrast: use an alternative (gadolinium) or no contrast, which lumbar "
                "practice allows.",
                _cite("6.3"),
            )
        )
    if data.anaesthetic_allergy is not AnaestheticAllergy.NONE:
        known = data.anaesthetic_allergy is not AnaestheticAllergy.UNKNOWN_CLASS
        which = f"{data.anaesthetic_allergy} class" if known else "class not recorded"
        found.append(
            SafetyFinding(
                "SAFE-LA-ALLERGY",
                Severity.RELATIVE,
                f"Allergy to local anaesthetic ({which}): record the class and the reaction; the physician "
                "decides whether and with which agent to proceed.",
                _cite("6.4"),
            )
        )
    return found


def _device(data: SafetyInput) -> list[SafetyFinding]:
    if not data.implanted_device:
        return []
    device = IMPLANTED_DEVICES.get(data.implanted_device, data.implanted_device)
    if data.procedure_type in (None, "rfa"):
        return [
            SafetyFinding(
                "SAFE-DEVICE-RFA",
                Severity.PROTOCOL,
                f"Implanted {device}: radiofrequency current can interfere with it. Any RFA follows the "
                "device protocol (device check, reprogramming, grounding pad away from the device).",
                _cite("6.7"),
                "certain (guideline exists); likely (specific steps)",
            )
        ]
    return [
        SafetyFinding(
            "SAFE-DEVICE-RFA",
            Severity.INFO,
            f"Implanted {device}: no special steps for this block; a later RFA needs the device protocol.",
            _cite("6.7"),
        )
    ]


def _fusion(data: SafetyInput) -> list[SafetyFinding]:
    if not data.fused_joints:
        return []
    fused = set(data.fused_joints)
    at_target = [joint for joint in data.target_joints if joint in fused]
    if at_target:
        return [
            SafetyFinding(
                "SAFE-FUSION",
                Severity.ABSOLUTE,
                f"Prior fusion at {', '.join(at_target)}: facet treatment at a fused level cannot help. "
                "Remove the level from the plan.",
                _cite("6.6"),
            )
        ]
    return [
        SafetyFinding(
            "SAFE-FUSION",
            Severity.INFO,
            f"Prior fusion at {', '.join(sorted(fused))}: do not plan facet treatment at those levels.",
            _cite("6.6"),
        )
    ]


def _comorbidities(data: SafetyInput) -> list[SafetyFinding]:
    conditions = [
        name
        for name, present in (
            ("diabetes", data.uncontrolled_diabetes),
            ("high blood pressure", data.uncontrolled_hypertension),
        )
        if present
    ]
    if not conditions:
        return []
    steroid = ", especially with a steroid in the plan" if data.steroid_planned is not False else ""
    return [
        SafetyFinding(
            "SAFE-COMORBIDITY",
            Severity.RELATIVE,
            f"Uncontrolled {' and '.join(conditions)}: a relative contraindication{steroid}; "
            "weigh and document.",
            _cite("6.5"),
        )
    ]
