"""Policy plug-ins. Each is a `Policy` subclass registered here under its stable name."""

from __future__ import annotations

from collections.abc import Mapping

from ..findings import ParameterValue
from .base import Policy
from .consensus import Consensus2020
from .medicare_lcd import MedicareLCD
from .sis import SpineInterventionSociety

POLICIES: dict[str, type[Policy]] = {
    policy.name: policy for policy in (MedicareLCD, Consensus2020, SpineInterventionSociety)
}
POLICY_NAMES = tuple(POLICIES)
DEFAULT_POLICY = MedicareLCD.name


class UnknownPolicy(KeyError):
    pass


def get_policy(name: str, overrides: Mapping[str, ParameterValue] | None = None) -> Policy:
    """A policy by name, optionally with parameters changed from their defaults."""
    try:
        policy_class = POLICIES[name]
    except KeyError:
        raise UnknownPolicy(f"unknown policy {name!r}; choose one of {', '.join(POLICY_NAMES)}") from None
    return policy_class(overrides)


__all__ = ["DEFAULT_POLICY", "POLICIES", "POLICY_NAMES", "Policy", "UnknownPolicy", "get_policy"]
