"""`facetpath evaluate --fhir`: a Bundle written by hand, as another system would, read into the case the spec
describes, with no Django loaded; what cannot be mapped is named by resource and element (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from facetpath.clinical import evaluate_case, parse_case
from facetpath.fhir.codes import EXT, code_system, questionnaire_canonical
from facetpath.fhir.imports import BundleError, case_from_bundle

FACETPATH = Path(sys.executable).parent / "facetpath"
LOINC, SNOMED = "http://loinc.org", "http://snomed.info/sct"
BILATERAL = {"coding": [{"system": SNOMED, "code": "51440002"}]}


def answer(link_id: str, kind: str, value: Any) -> dict[str, Any]:
    return {"linkId": link_id, "answer": [{f"value{kind}": value}]}


def pain(
    obs_id: str, value: int, effective: str, part_of: str | None = None, **context: str
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": obs_id,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "72514-3"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": effective,
        "valueQuantity": {"value": value},
    }
    if part_of:
        resource["partOf"] = [{"reference": part_of}]
    if context:
        resource["extension"] = [{"url": EXT["score-context"], "valueCode": context["context"]}]
    return resource


def bundle() -> dict[str, Any]:
    """The spec's example case (facetpath/examples/spec-example.json) as an outside system would send it:
    diary scores by their times after the block's end, no minutes extension."""
    assessment = {
        "resourceType": "QuestionnaireResponse",
        "id": "a1",
        "status": "completed",
        "questionnaire": questionnaire_canonical("facet-assessment"),
        "authored": "2024-12-10",
        "item": [
            answer("region", "Coding", {"code": "lumbar"}),
            answer("index-pain", "String", "axial low back pain, worse on extension and twisting"),
            answer("pain-duration-months", "Decimal", 8),
            answer("axial-predominant", "Boolean", True),
            answer("pain-scale", "Coding", {"code": "NRS-11"}),
            {
                "linkId": "conservative-care",
                "item": [
                    answer("modality", "String", "physical therapy"),
                    answer("weeks", "Decimal", 10),
                    answer("failed", "Boolean", True),
                ],
            },
            {
                "linkId": "conservative-care",
                "item": [
                    answer("modality", "String", "NSAIDs"),
                    answer("weeks", "Decimal", 12),
                    answer("failed", "Boolean", True),
                ],
            },
            *[
                answer(flag, "Boolean", False)
                for flag in (
                    "untreated-radiculopathy",
                    "neurogenic-claudication",
                    "non-facet-cause",
                    "facet-synovial-cyst",
                )
            ],
        ],
    }
    procedure = {
        "resourceType": "Procedure",
        "id": "block",
        "status": "completed",
        "identifier": [{"system": "https://facetpath.org/fhir/sid/case-procedure", "value": "mbb1"}],
        "extension": [
            {"url": EXT["guidance"], "valueCode": "fluoroscopy"},
            {"url": EXT["sedation"], "valueCode": "none"},
        ],
        "category": {"coding": [{"system": code_system("procedure-type"), "code": "diagnostic"}]},
        "code": {"coding": [{"system": code_system("procedure-type"), "code": "mbb"}]},
        "subject": {"reference": "Patient/p1"},
        "performedPeriod": {"start": "2025-01-06T09:00:00-06:00", "end": "2025-01-06T09:20:00-06:00"},
        "bodySite": [
            {
                "extension": [{"url": EXT["laterality"], "valueCodeableConcept": BILATERAL}],
                "coding": [{"system": code_system("facet-joint"), "code": joint}],
            }
            for joint in ("L4-L5", "L5-S1")
        ],
        "usedCode": [
            {
                "extension": [
                    {"url": EXT["agent-concentration-percent"], "valueDecimal": 2},
                    {"url": EXT["agent-volume-ml-per-nerve"], "valueDecimal": 0.5},
                ],
                "coding": [{"system": code_system("agent"), "code": "lidocaine"}],
            }
        ],
    }
    diary = [(15, 2), (30, 1), (60, 1), (120, 1), (180, 5), (240, 8)]
    observations = [
        pain("base", 8, "2024-12-10", context="baseline"),
        {**pain("odi", 44, "2024-12-10"), "code": {"coding": [{"system": LOINC, "code": "97909-6"}]}},
        pain("pre", 8, "2025-01-06T09:00:00-06:00", "Procedure/block", context="pre-procedure"),
        *[
            pain(
                f"d{m}",
                score,
                f"2025-01-06T{9 + (20 + m) // 60:02d}:{(20 + m) % 60:02d}:00-06:00",
                "Procedure/block",
            )
            for m, score in diary
        ],
    ]
    patient = {
        "resourceType": "Patient",
        "id": "p1",
        "gender": "female",
        "birthDate": "1958-03-01",
        "identifier": [
            {
                "type": {
                    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]
                },
                "value": "P-0001",
            }
        ],
    }
    resources = [patient, assessment, procedure, *observations]
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def test_a_hand_written_bundle_reads_as_the_spec_example() -> None:
    example = json.loads((Path(__file__).parents[2] / "facetpath/examples/spec-example.json").read_text())
    case = case_from_bundle(bundle())
    assert evaluate_case(parse_case(case)).to_json() == evaluate_case(parse_case(example)).to_json()
    assert case["procedures"][0]["diary"][0] == {"minutes": 15, "pain": 2}


@pytest.mark.parametrize(
    ("damage", "resource", "element"),
    [
        (lambda b: b["entry"].pop(0), "Bundle", "entry"),
        (lambda b: b["entry"].pop(1), "QuestionnaireResponse", "questionnaire"),
        (lambda b: b["entry"][2]["resource"].pop("performedPeriod"), "Procedure/block", "performed[x]"),
        (
            lambda b: b["entry"][2]["resource"]["bodySite"][0].pop("extension"),
            "Procedure/block",
            "bodySite[0].extension",
        ),
        (lambda b: b["entry"][2]["resource"].pop("extension"), "Procedure/block", "extension"),
        (
            lambda b: b["entry"][6]["resource"].update(valueQuantity={"value": "two"}),
            "Observation/d15",
            "valueQuantity.value",
        ),
        (
            lambda b: b["entry"][6]["resource"].update(partOf=[{"reference": "Procedure/gone"}]),
            "Observation/d15",
            "partOf[0]",
        ),
    ],
)
def test_what_cannot_be_mapped_is_named(damage: Any, resource: str, element: str) -> None:
    broken = bundle()
    damage(broken)
    with pytest.raises(BundleError) as caught:
        case_from_bundle(broken)
    assert (resource, element) in {(p.resource, p.element) for p in caught.value.problems}


@pytest.mark.parametrize(
    "junk", [None, [], "Bundle", {"resourceType": "Bundle"}, {"resourceType": "Bundle", "entry": [1]}]
)
def test_junk_is_refused_not_crashed(junk: object) -> None:
    with pytest.raises(BundleError):
        case_from_bundle(junk)


def test_the_command_reads_a_bundle_without_loading_django(tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle()))
    done = subprocess.run(
        [str(FACETPATH), "evaluate", "--fhir", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["procedures"][0]["response"] == "positive"
    probe = "import sys, facetpath.cli, facetpath.fhir.imports; assert 'django' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", probe], timeout=60).returncode == 0
    broken = bundle()
    broken["entry"].pop(1)
    path.write_text(json.dumps(broken))
    done = subprocess.run(
        [str(FACETPATH), "evaluate", "--fhir", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "QuestionnaireResponse: questionnaire:" in done.stderr
