"""Evaluating a case: every procedure, in date order, against one policy."""

from __future__ import annotations

from datetime import date

from .case import Case
from .coding import SessionCoding
from .policies import Policy, get_policy
from .policies.base import Context
from .results import Evaluation, ProcedureResult


def evaluate_case(case: Case, policy: str | Policy = "medicare-lcd") -> Evaluation:
    """The evaluation of a validated case under a policy (a name or a configured Policy)."""
    rules = get_policy(policy) if isinstance(policy, str) else policy
    gate = tuple(rules.assess_patient(case.assessment))
    by_date: dict[date, list[int]] = {}
    for procedure in case.procedures:
        by_date.setdefault(procedure.date, []).append(procedure.position)
    sessions = {day: tuple(case.procedures[i] for i in positions) for day, positions in by_date.items()}
    coding = {day: SessionCoding() for day in sessions}
    done: list[ProcedureResult] = []
    for procedure in sorted(case.procedures, key=lambda p: (p.date, p.position)):
        ctx = Context(case, gate, tuple(done), sessions[procedure.date], procedure.date)
        done.append(rules.evaluate(procedure, ctx, coding[procedure.date]))
    done.sort(key=lambda result: result.procedure.position)
    return Evaluation(rules.name, rules.version, case.patient.id, list(gate), done)
