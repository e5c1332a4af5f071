"""facetpath's FHIR vocabulary: code systems, canonical URLs, extensions, the CodeSystems and Questionnaires it
publishes. Plain data, no Django: the export and the import (imports.py) read the same names."""

from __future__ import annotations

from typing import Any, Final

from facetpath.clinical import POLICY_NAMES, get_policy
from facetpath.clinical.agents import AGENT_NAMES
from facetpath.clinical.anatomy import JOINTS
from facetpath.clinical.results import RESPONSES, ROLES

# Canonical URLs are identifiers, not addresses: they stay the same on every server that runs facetpath.
BASE: Final = "https://facetpath.org/fhir"
FHIR_VERSION: Final = "4.0.1"

LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
CPT: Final = "http://www.ama-assn.org/go/cpt"
ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM: Final = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION: Final = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
IDENTIFIER_TYPE: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"

US_CORE: Final = "http://hl7.org/fhir/us/core/StructureDefinition/"
PROFILES: Final = {
    "Patient": US_CORE + "us-core-patient",
    "Organization": US_CORE + "us-core-organization",
    "Practitioner": US_CORE + "us-core-practitioner",
    "Condition": US_CORE + "us-core-condition-problems-health-concerns",
    "Procedure": US_CORE + "us-core-procedure",
    "ServiceRequest": US_CORE + "us-core-servicerequest",
    "QuestionnaireResponse": US_CORE + "us-core-questionnaireresponse",
    "Observation": US_CORE + "us-core-observation-screening-assessment",
}  # the block interpretation and AuditEvent have no US Core profile: none is claimed


def code_system(name: str) -> str:
    return f"{BASE}/CodeSystem/{name}"


def extension(name: str) -> str:
    return f"{BASE}/StructureDefinition/{name}"


def identifier_system(name: str) -> str:
    return f"{BASE}/sid/{name}"


# --- Pain and disability scores ----------------------------------------------------------------------

# The pain scale's LOINC code and UCUM unit (clinical-guidelines.md §5 code table).
PAIN_CODES: Final = {
    "NRS-11": ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported", "{score}"),
    "VAS-100": ("38208-5", "Pain severity - Reported", "mm"),
}
# Disability instrument → LOINC total score (clinical-guidelines.md §5: ODI and PROMIS certain, NDI likely).
DISABILITY_CODES: Final = {
    "ODI": ("97909-6", "Oswestry disability index score [ODI]", "%"),
    "NDI": ("82237-9", "Total score [NDI]", "%"),
    "PROMIS-PI": ("77865-4", "PROMIS pain interference - v1.0 T-score", "{T-score}"),
}

# Where a score sits in the pathway (extension score-context): the case format needs it back on import.
SCORE_CONTEXTS: Final = ("baseline", "pre-procedure", "diary", "follow-up")

EXT: Final = {
    name: extension(name)
    for name in (
        "score-context",  # valueCode, one of SCORE_CONTEXTS
        "minutes-after-procedure",  # valueInteger: a diary score's minutes since the procedure ended
        "laterality",  # valueCodeableConcept (SNOMED qualifier) on a bodySite
        "guidance",  # valueCode: fluoroscopy ct ultrasound none
        "sedation",  # valueCode: none moderate mac general
        "sedation-reason",  # valueString
        "agent-concentration-percent",  # valueDecimal, on the agent's usedCode
        "agent-volume-ml-per-nerve",  # valueDecimal, on the agent's usedCode
        "steroid",  # valueString: the steroid's name
        "steroid-dose-mg",  # valueDecimal
        "rfa-technique",  # valueCode: thermal pulsed cryo chemical
        "rfa-temperature-c",  # valueDecimal
        "early-repeat-reason",  # valueString
        "rfa-unsuitable-reason",  # valueString
    )
}

# --- CodeSystems facetpath publishes (one table; /fhir/r4/CodeSystem/<id>) ---------------------------

TYPE_LABELS: Final = {
    "mbb": "Medial branch block",
    "ia": "Intra-articular facet injection",
    "rfa": "Radiofrequency ablation of the medial branches",
    "cyst": "Facet cyst aspiration or rupture",
}
INTENT_LABELS: Final = {"diagnostic": "Diagnostic block", "therapeutic": "Therapeutic procedure"}
INTERPRETATION_CODES: Final = {
    "interpretation": "Block interpretation under a payer or society policy",
    "role": "The procedure's role in the pathway",
    "peak-relief": "Peak relief of the index pain (percent)",
    "relief-hours": "Hours relief stayed at or above the policy's threshold",
    "meets-criteria": "Meets the policy's criteria",
    "sign-off": "Physician sign-off of an interpretation",
}


def _policy_title(name: str) -> str:
    return str(get_policy(name).title)


CODE_SYSTEMS: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "procedure-type": ("Facet procedure types and intents", {**TYPE_LABELS, **INTENT_LABELS}),
    "facet-joint": (
        "Facet joints C2-C3 to L5-S1",
        {joint.name: f"{joint.name} facet joint" for joint in JOINTS},
    ),
    "block-interpretation": (
        "Block interpretation: observation codes and responses",
        {**INTERPRETATION_CODES, **{response: f"Response: {response}" for response in RESPONSES}},
    ),
    "agent": ("Injected agents", {name: name.capitalize() for name in AGENT_NAMES}),
    "pathway-role": ("Roles of a procedure in the facet pathway", {role: role for role in ROLES}),
    "policy": ("Policies facetpath evaluates under", {name: _policy_title(name) for name in POLICY_NAMES}),
    "disability-instrument": (
        "Disability instruments",
        {
            "ODI": "Oswestry Disability Index",
            "NDI": "Neck Disability Index",
            "PROMIS-PI": "PROMIS pain interference",
        },
    ),
}
CODE_SYSTEM_VERSION: Final = "1"


def code_system_resource(system_id: str) -> dict[str, Any]:
    title, concepts = CODE_SYSTEMS[system_id]
    return {
        "resourceType": "CodeSystem",
        "id": system_id,
        "url": code_system(system_id),
        "version": CODE_SYSTEM_VERSION,
        "name": "".join(part.capitalize() for part in system_id.split("-")),
        "title": title,
        "status": "active",
        "publisher": "facetpath",
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": [{"code": code, "display": display} for code, display in concepts.items()],
    }


def coding(system_id: str, code: str) -> dict[str, str]:
    """A Coding in one of facetpath's CodeSystems, with its display."""
    return {"system": code_system(system_id), "code": code, "display": CODE_SYSTEMS[system_id][1][code]}


# --- Questionnaires facetpath publishes -------------------------------------------------------------

DIARY_QUESTIONNAIRE: Final = "pain-diary"
ASSESSMENT_QUESTIONNAIRE: Final = "facet-assessment"
QUESTIONNAIRE_VERSION: Final = "1"


def questionnaire_url(questionnaire_id: str) -> str:
    return f"{BASE}/Questionnaire/{questionnaire_id}"


def questionnaire_canonical(questionnaire_id: str) -> str:
    return f"{questionnaire_url(questionnaire_id)}|{QUESTIONNAIRE_VERSION}"


def _item(link_id: str, text: str, kind: str, **more: Any) -> dict[str, Any]:
    return {"linkId": link_id, "text": text, "type": kind, **more}


QUESTIONNAIRE_ITEMS: Final[dict[str, tuple[str, list[dict[str, Any]]]]] = {
    DIARY_QUESTIONNAIRE: (
        "Pain diary after a facet procedure",
        [
            _item(
                "pain",
                "Your usual pain right now, 0 (none) to 10 (worst imaginable)",
                "integer",
                required=True,
                code=[{"system": LOINC, "code": "72514-3"}],
            ),
            _item("relief", "How much better than before the procedure, in percent", "integer"),
            _item(
                "movements",
                "Movements that hurt before",
                "group",
                repeats=True,
                item=[
                    _item("movement", "Movement", "string"),
                    _item(
                        "change",
                        "Easier, same or harder",
                        "choice",
                        answerOption=[{"valueCoding": {"code": c}} for c in ("easier", "same", "harder")],
                    ),
                ],
            ),
            _item("took-pain-medicine", "Took pain medicine since the last answer", "boolean"),
            _item("note", "Anything else", "string"),
        ],
    ),
    ASSESSMENT_QUESTIONNAIRE: (
        "Facet-joint assessment (the case's history; scores are Observations)",
        [
            _item(
                "region",
                "Region of the index pain",
                "choice",
                required=True,
                answerOption=[{"valueCoding": {"code": r}} for r in ("cervical", "thoracic", "lumbar")],
            ),
            _item("index-pain", "The index pain, in words", "string"),
            _item(
                "pain-duration-months",
                "How long the index pain has lasted (months)",
                "decimal",
                required=True,
            ),
            _item("axial-predominant", "Mainly axial pain", "boolean", required=True),
            _item(
                "pain-scale",
                "The pain scale used for every score",
                "choice",
                required=True,
                answerOption=[{"valueCoding": {"code": s}} for s in PAIN_CODES],
            ),
            _item(
                "conservative-care",
                "Conservative care tried",
                "group",
                repeats=True,
                item=[
                    _item("modality", "Modality", "string"),
                    _item("weeks", "Weeks", "decimal"),
                    _item("failed", "Failed", "boolean"),
                ],
            ),
            _item("untreated-radiculopathy", "Untreated radiculopathy", "boolean", required=True),
            _item("neurogenic-claudication", "Neurogenic claudication", "boolean", required=True),
            _item("non-facet-cause", "Another cause explains the pain", "boolean", required=True),
            _item("facet-synovial-cyst", "Facet cyst compressing a nerve root", "boolean", required=True),
        ],
    ),
}


def questionnaire_resource(questionnaire_id: str) -> dict[str, Any]:
    title, items = QUESTIONNAIRE_ITEMS[questionnaire_id]
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire_id,
        "url": questionnaire_url(questionnaire_id),
        "version": QUESTIONNAIRE_VERSION,
        "name": "".join(part.capitalize() for part in questionnaire_id.split("-")),
        "title": title,
        "status": "active",
        "publisher": "facetpath",
        "subjectType": ["Patient"],
        "item": items,
    }
