"""facetpath's clinical core: pure, typed Python with no web framework.

Anatomy, injectates, relief arithmetic, the case format, policies as plug-ins and billing codes.
The command line and the web application call this package; no clinical rule lives anywhere else.
"""

from .anatomy import JOINTS, JointError, parse_joint
from .case import CASE_FORMAT, Case, CaseError, load_case_json, parse_case
from .coding import CodeLine
from .evaluate import evaluate_case
from .findings import Finding, Severity
from .plan import Plan, plan_procedure
from .policies import DEFAULT_POLICY, POLICIES, POLICY_NAMES, Policy, UnknownPolicy, get_policy
from .results import EVALUATION_FORMAT, Action, Evaluation, NextStep, ProcedureResult

__all__ = [
    "CASE_FORMAT",
    "DEFAULT_POLICY",
    "EVALUATION_FORMAT",
    "JOINTS",
    "POLICIES",
    "POLICY_NAMES",
    "Action",
    "Case",
    "CaseError",
    "CodeLine",
    "Evaluation",
    "Finding",
    "JointError",
    "NextStep",
    "Plan",
    "Policy",
    "ProcedureResult",
    "Severity",
    "UnknownPolicy",
    "evaluate_case",
    "get_policy",
    "load_case_json",
    "parse_case",
    "parse_joint",
    "plan_procedure",
]  # fmt: skip
