"""`POST /api/v1/evaluate`: a facetpath.case/1 document in, exactly what `facetpath evaluate` prints out.

The same code path as the command (`load_case_json`, `evaluate_case`, `evaluation_json`), so the answer
equals the command's output byte for byte (tests/web/test_api.py checks it on the spec's example). A case
the core refuses answers 422 with each problem under the JSON path it names.

`POST /api/v1/evaluate/fhir`: a FHIR R4 Bundle in, read into a case by `facetpath.fhir.imports` (as
`facetpath evaluate --fhir` reads it), then the same path. What cannot be mapped is a 422 naming the
resource and the element (`field` is "Procedure/proc-12.bodySite[0]").
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from facetpath.api.auth import clinic_of
from facetpath.api.errors import CaseProblems, FieldProblem
from facetpath.api.reads import REFUSALS
from facetpath.api.schemas import EvaluationDocument
from facetpath.audit.log import audit
from facetpath.clinical import POLICY_NAMES, CaseError, evaluate_case, get_policy, load_case_json
from facetpath.clinical.text import evaluation_json
from facetpath.fhir.imports import BundleError, case_from_bundle

router = Router(tags=["evaluate"])
POLICY = Query(
    None, max_length=40, description=f"One of {', '.join(POLICY_NAMES)}; default: the clinic's policy"
)

CASE_BODY = {
    "requestBody": {
        "required": True,
        "description": "A facetpath.case/1 document (../shared/spec/case-format.md)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["format", "patient", "assessment", "procedures"],
                    "properties": {
                        "format": {"type": "string", "enum": ["facetpath.case/1"]},
                        "patient": {"type": "object"},
                        "assessment": {"type": "object"},
                        "procedures": {"type": "array", "items": {"type": "object"}},
                    },
                }
            }
        },
    }
}


BUNDLE_BODY = {
    "requestBody": {
        "required": True,
        "description": "A FHIR R4 Bundle of one Patient and their Procedure, Observation and "
        "QuestionnaireResponse resources (docs/fhir.md, Import)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["resourceType", "entry"],
                    "properties": {
                        "resourceType": {"type": "string", "enum": ["Bundle"]},
                        "entry": {"type": "array", "items": {"type": "object"}},
                    },
                }
            },
            "application/fhir+json": {"schema": {"type": "object"}},
        },
    }
}


def _bundle_problems(error: BundleError) -> FieldProblem:
    """The 422 for a Bundle: each problem under "<resource>.<element>" ("Procedure/proc-12.bodySite[0]")."""
    count = len(error.problems)
    refused = FieldProblem("Bundle", f"cannot be read as a case ({count} problem{'s' * (count != 1)})")
    refused.errors = [
        {"field": f"{problem.resource}.{problem.element}", "message": str(problem)}
        for problem in error.problems
    ]
    return refused


def _policy_name(request: HttpRequest, policy: str | None) -> str:
    name = policy or clinic_of(request).default_policy
    if name not in POLICY_NAMES:
        raise FieldProblem("policy", f"unknown policy {name!r}: one of {', '.join(POLICY_NAMES)}")
    return name


def _evaluated(request: HttpRequest, case_text: str | bytes, name: str, detail: str) -> HttpResponse:
    try:
        case = load_case_json(case_text)
    except CaseError as error:
        raise CaseProblems(list(error.errors)) from None
    evaluation = evaluate_case(case, get_policy(name))
    audit(request, "evaluate", detail=f"{detail}, policy {name}")
    return HttpResponse(evaluation_json(evaluation), content_type="application/json")


@router.post("/evaluate", response={200: EvaluationDocument, **REFUSALS}, openapi_extra=CASE_BODY)
def evaluate(
    request: HttpRequest,
    policy: str | None = POLICY,
) -> Any:
    """Evaluates a case sent by an outside system: nothing is stored, and no patient of the clinic is read
    (the audit trail records the call, without the case)."""
    return _evaluated(request, request.body, _policy_name(request, policy), "API evaluate")


@router.post("/evaluate/fhir", response={200: EvaluationDocument, **REFUSALS}, openapi_extra=BUNDLE_BODY)
def evaluate_fhir(
    request: HttpRequest,
    policy: str | None = POLICY,
) -> Any:
    """Evaluates the case a FHIR Bundle describes (what `facetpath evaluate --fhir` prints); nothing is
    stored. A resource or element that cannot be mapped is a 422 naming both."""
    name = _policy_name(request, policy)
    try:
        bundle = json.loads(request.body)
    except (ValueError, RecursionError):
        raise FieldProblem("body", "not JSON: send a FHIR R4 Bundle") from None
    try:
        case = case_from_bundle(bundle)
    except BundleError as error:
        raise _bundle_problems(error) from None
    return _evaluated(request, json.dumps(case), name, "API evaluate FHIR Bundle")
