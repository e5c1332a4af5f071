"""`POST /api/v1/evaluate`: a facetpath.case/1 document in, exactly what `facetpath evaluate` prints out.

The same code path as the command (`load_case_json`, `evaluate_case`, `evaluation_json`), so the answer
equals the command's output byte for byte (tests/web/test_api.py checks it on the spec's example). A case
the core refuses answers 422 with each problem under the JSON path it names.
"""

from __future__ import annotations

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


@router.post("/evaluate", response={200: EvaluationDocument, **REFUSALS}, openapi_extra=CASE_BODY)
def evaluate(
    request: HttpRequest,
    policy: str | None = POLICY,
) -> Any:
    """Evaluates a case sent by an outside system: nothing is stored, and no patient of the clinic is read
    (the audit trail records the call, without the case)."""
    name = policy or clinic_of(request).default_policy
    if name not in POLICY_NAMES:
        raise FieldProblem("policy", f"unknown policy {name!r}: one of {', '.join(POLICY_NAMES)}")
    try:
        case = load_case_json(request.body)
    except CaseError as error:
        raise CaseProblems(list(error.errors)) from None
    evaluation = evaluate_case(case, get_policy(name))
    audit(request, "evaluate", detail=f"API evaluate, policy {name}")
    return HttpResponse(evaluation_json(evaluation), content_type="application/json")
