"""Safety screen before a facet procedure: contraindications and the antithrombotic hold plan.

Source: ../shared/reference/clinical-guidelines.md §6A (contraindications, items 6.1-6.8) and §6B
(anticoagulants and antiplatelets, items 6.9-6.14). The contraindications are a declared table
(`SAFETY_RULES`), as the policies' rules are: each rule has a stable ID, a summary, the guideline item it
rests on, the reference's confidence, a grade in the core's severity vocabulary and a message whose gaps
are filled from the patient's record, so a screen can show why it says what it says.

Pure Python, no Django: the web application and the CLI call `screen(SafetyInput(...))`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from .findings import Confidence, Severity


class Grade(StrEnum):
    """How hard a safety finding stops the procedure: the core's deny / warn / info, one step finer."""

    ABSOLUTE = "absolute"  # deny: do not proceed
    OVERRIDE = "override"  # deny, until a physician overrides the stop with a documented reason
    RELATIVE = "relative"  # warn: weigh and document before proceeding
    PROTOCOL = "protocol"  # warn: proceed only under a specific protocol
    INFO = "info"

    @property
    def level(self) -> Severity:
        """The grade in the words the policies' findings use."""
        return _LEVEL_OF_GRADE[self]


_LEVEL_OF_GRADE: Final = {
    Grade.ABSOLUTE: Severity.DENY,
    Grade.OVERRIDE: Severity.DENY,
    Grade.RELATIVE: Severity.WARN,
    Grade.PROTOCOL: Severity.WARN,
    Grade.INFO: Severity.INFO,
}

STOPPING = frozenset(grade for grade, level in _LEVEL_OF_GRADE.items() if level is Severity.DENY)


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
RESTART_AFTER_HOURS = 24  # 6.12: "restart usually ~24 h after the procedure"
RESTART_ADVICE = f"restart usually about {RESTART_AFTER_HOURS} hours after the procedure"


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
class SafetyRule:
    """One contraindication of the screen. `message` and `notice` have `{gaps}` that the screen fills from
    the record; `notice` is what the rule says, graded info, when the condition is present but the plan
    at hand does not meet it (a device before a block, a fused level that is not a target)."""

    id: str
    summary: str
    item: str  # the guideline item, e.g. "6.1"
    confidence: Confidence
    severity: Grade
    message: str
    notice: str = ""
    confidence_note: str = ""  # the reference's own words, where one tag says too little

    @property
    def citation(self) -> str:
        return _cite(self.item)

    @property
    def level(self) -> Severity:
        """The rule's grade in the policies' words: deny, warn or info."""
        return self.severity.level

    @property
    def confidence_text(self) -> str:
        return self.confidence_note or self.confidence.value


C, L, U = Confidence.CERTAIN, Confidence.LIKELY, Confidence.UNCLEAR
ABSOLUTE, OVERRIDE, RELATIVE, PROTOCOL = Grade.ABSOLUTE, Grade.OVERRIDE, Grade.RELATIVE, Grade.PROTOCOL

SAFETY_RULES: Final[Mapping[str, SafetyRule]] = MappingProxyType({rule.id: rule for rule in (
    SafetyRule("SAFE-INFECTION", "infection in the body or near the injection site", "6.1", C, ABSOLUTE,
               "Infection in the body or near the injection site: do not inject until it has cleared."),
    SafetyRule("SAFE-RED-FLAGS", "fever, chills, sweats or weight loss not yet explained", "6.8", C, ABSOLUTE,
               "Fever, chills, sweats or weight loss not yet explained: rule out infection or tumour first."),
    SafetyRule("SAFE-BLEEDING-SEVERE", "severe bleeding diathesis", "6.1", C, ABSOLUTE,
               "Severe bleeding disorder: facet injections are contraindicated."),
    SafetyRule("SAFE-ANTITHROMBOTIC", "anticoagulant or antiplatelet therapy: hold plan and consent", "6.14", C,
               RELATIVE, "Takes {drugs}: follow the hold plan for a {risk}-risk procedure, and if a drug cannot "
               "be stopped, include the added bleeding risk in the consent discussion."),
    SafetyRule("SAFE-CERVICAL-RFA-ANTITHROMBOTIC", "stop anticoagulants and antiplatelets before cervical RFA",
               "6.13", C, RELATIVE, "Cervical radiofrequency ablation: stop anticoagulants and antiplatelets "
               "beforehand because of the risk of serious bleeding."),
    SafetyRule("SAFE-PREGNANCY", "pregnancy: a hard stop a physician may override", "6.2", U, OVERRIDE,
               "{state}: these procedures use X-rays. Do not proceed unless a physician overrides this stop "
               "and records why.", confidence_note="certain (sources); unclear (absolute vs relative)"),
    SafetyRule("SAFE-CONTRAST-ALLERGY", "iodinated-contrast allergy when contrast may be used", "6.3", C, RELATIVE,
               "Allergy to iodinated contrast: use an alternative (gadolinium) or no contrast, which lumbar "
               "practice allows."),
    SafetyRule("SAFE-LA-ALLERGY", "local anaesthetic allergy: record the class", "6.4", C, RELATIVE,
               "Allergy to local anaesthetic ({allergy}): record the class and the reaction; the physician "
               "decides whether and with which agent to proceed."),
    SafetyRule("SAFE-DEVICE-RFA", "implanted electronic device: RFA follows the device protocol", "6.7", L,
               PROTOCOL, "Implanted {device}: radiofrequency current can interfere with it. Any RFA follows the "
               "device protocol (device check, reprogramming, grounding pad away from the device).",
               notice="Implanted {device}: no special steps for this block; a later RFA needs the device protocol.",
               confidence_note="certain (guideline exists); likely (specific steps)"),
    SafetyRule("SAFE-FUSION", "posterior fusion at a target level", "6.6", C, ABSOLUTE,
               "Prior fusion at {levels}: facet treatment at a fused level cannot help. Remove the level from "
               "the plan.", notice="Prior fusion at {levels}: do not plan facet treatment at those levels."),
    SafetyRule("SAFE-COMORBIDITY", "uncontrolled diabetes or hypertension, especially with a steroid", "6.5", C,
               RELATIVE, "Uncontrolled {conditions}: a relative contraindication{steroid}; weigh and document."),
)})  # fmt: skip


@dataclass(frozen=True, slots=True)
class SafetyFinding:
    id: str
    severity: Grade
    message: str
    citation: str  # the guideline item, e.g. "clinical-guidelines §6A 6.1"
    confidence: str = "certain"

    @property
    def level(self) -> Severity:
        return self.severity.level

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "severity": str(self.severity),
            "level": str(self.level),
            "message": self.message,
            "citation": self.citation,
            "confidence": self.confidence,
        }


def _found(rule_id: str, *, notice: bool = False, **gaps: str) -> SafetyFinding:
    """The finding of a declared rule, its message filled from the record (KeyError: undeclared rule)."""
    rule = SAFETY_RULES[rule_id]
    if notice:  # a notice only names what the record holds, so none of the rule's doubt applies to it
        return SafetyFinding(rule.id, Grade.INFO, rule.notice.format(**gaps), rule.citation, C.value)
    return SafetyFinding(
        rule.id, rule.severity, rule.message.format(**gaps), rule.citation, rule.confidence_text
    )


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
        return any(finding.severity is Grade.ABSOLUTE for finding in self.findings)

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
        found.append(_found("SAFE-INFECTION"))
    if data.red_flag_symptoms:
        found.append(_found("SAFE-RED-FLAGS"))
    return found


def _bleeding(data: SafetyInput, risk: BleedingRisk) -> list[SafetyFinding]:
    found = []
    if data.bleeding_disorder is BleedingDisorder.SEVERE:
        found.append(_found("SAFE-BLEEDING-SEVERE"))
    drugs = [ANTITHROMBOTICS[key].label for key in data.antithrombotics if key in ANTITHROMBOTICS]
    if drugs:
        found.append(_found("SAFE-ANTITHROMBOTIC", drugs=", ".join(drugs), risk=risk))
        if data.region == "cervical" and data.procedure_type in (None, "rfa"):
            found.append(_found("SAFE-CERVICAL-RFA-ANTITHROMBOTIC"))
    return found


def _pregnancy(data: SafetyInput) -> list[SafetyFinding]:
    if data.pregnancy not in (Pregnancy.YES, Pregnancy.POSSIBLE):
        return []
    state = "Pregnant" if data.pregnancy is Pregnancy.YES else "Possibly pregnant"
    return [_found("SAFE-PREGNANCY", state=state)]


def _allergies(data: SafetyInput) -> list[SafetyFinding]:
    found = []
    if data.contrast_allergy and data.contrast_planned is not False:
        found.append(_found("SAFE-CONTRAST-ALLERGY"))
    if data.anaesthetic_allergy is not AnaestheticAllergy.NONE:
        known = data.anaesthetic_allergy is not AnaestheticAllergy.UNKNOWN_CLASS
        allergy = f"{data.anaesthetic_allergy} class" if known else "class not recorded"
        found.append(_found("SAFE-LA-ALLERGY", allergy=allergy))
    return found


def _device(data: SafetyInput) -> list[SafetyFinding]:
    if not data.implanted_device:
        return []
    device = IMPLANTED_DEVICES.get(data.implanted_device, data.implanted_device)
    return [_found("SAFE-DEVICE-RFA", device=device, notice=data.procedure_type not in (None, "rfa"))]


def _fusion(data: SafetyInput) -> list[SafetyFinding]:
    if not data.fused_joints:
        return []
    fused = set(data.fused_joints)
    at_target = [joint for joint in data.target_joints if joint in fused]
    if at_target:
        return [_found("SAFE-FUSION", levels=", ".join(at_target))]
    return [_found("SAFE-FUSION", levels=", ".join(sorted(fused)), notice=True)]


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
    return [_found("SAFE-COMORBIDITY", conditions=" and ".join(conditions), steroid=steroid)]
