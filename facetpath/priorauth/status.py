"""A planned procedure's prior-authorization status, asked of the core: does it need a UTN, and does one
cover its date? (facetpath.clinical.prior_auth decides; this module only gathers the inputs.)"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from facetpath.clinical import JointError
from facetpath.clinical.coding import CodeLine
from facetpath.clinical.prior_auth import in_programme, needs_prior_authorization, utn_covers
from facetpath.priorauth.models import Coverage, Request
from facetpath.procedures import interpretation
from facetpath.procedures.models import Procedure


def planned_code_lines(procedure: Procedure) -> list[CodeLine]:
    """The CPT lines the core's plan gives a procedure; none when it cannot be planned."""
    return list(_plan_codes(tuple(procedure.joints), procedure.side, procedure.type, procedure.intent))


@lru_cache(maxsize=512)
def _plan_codes(joints: tuple[str, ...], side: str, type: str, intent: str) -> tuple[CodeLine, ...]:
    """A clinic plans the same few shapes again and again (two lumbar levels, both sides): the worklist
    asks the core once per shape, not once per line."""
    try:
        plan = interpretation.plan(list(joints), side, type, intent)
    except (JointError, ValueError):
        return ()
    return tuple(plan.codes)


def planned_codes(procedure: Procedure) -> list[str]:
    return list(dict.fromkeys(line.code for line in planned_code_lines(procedure)))


def needs_utn(procedure: Procedure, coverage: Coverage | None) -> bool:
    if coverage is None:
        return False
    return needs_prior_authorization(
        planned_code_lines(procedure), coverage.place_of_service, in_programme(coverage.payer)
    )


def covering_request(procedure: Procedure, requests: Iterable[Request]) -> Request | None:
    """The patient's request whose UTN covers the procedure on its current date: the request made for this
    procedure (which may have been moved since, within the UTN's days) or for its date of service."""
    return next(
        (
            r
            for r in requests
            if (r.procedure_id == procedure.pk or r.date_of_service == procedure.date)
            and r.decided_on is not None
            and utn_covers(r.state, r.decided_on, procedure.date)
        ),
        None,
    )


@dataclass(frozen=True)
class PlannedStatus:
    procedure: Procedure
    needs_utn: bool
    covered_by: Request | None

    @property
    def missing(self) -> bool:
        return self.needs_utn and self.covered_by is None


def planned_statuses(
    procedures: Iterable[Procedure], coverage: Coverage | None, requests: list[Request]
) -> list[PlannedStatus]:
    return [PlannedStatus(p, needs_utn(p, coverage), covering_request(p, requests)) for p in procedures]
