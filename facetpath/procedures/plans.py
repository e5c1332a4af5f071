"""A next step → the procedure form's starting values.

The core decides what comes next (`Evaluation.next`, an `Action`) and which joints and side the last
procedure covered; this module only translates that decision into the form's initial data, so a
"Plan RFA" button opens an RFA form at the confirmed joints. No clinical rule is decided here.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from facetpath.clinical.results import Action

# SIS comparative blocks: the second block uses an agent of the other duration.
OTHER_DURATION = {"lidocaine": "bupivacaine", "bupivacaine": "lidocaine"}

# Actions that plan a procedure, and the button's words for each.
PLANNED_BY = {
    Action.SECOND_BLOCK: "Plan the second block",
    Action.COMPARATIVE_BLOCK: "Plan the comparative block",
    Action.RFA: "Plan RFA",
    Action.THERAPEUTIC_INJECTION: "Plan a therapeutic injection",
}


def latest_result(evaluation: Any) -> Any:
    """The result whose next step is the evaluation's next step (the latest procedure), or None."""
    if evaluation is None or not evaluation.procedures:
        return None
    return max(evaluation.procedures, key=lambda r: (r.procedure.date, r.procedure.position))


def button_label(evaluation: Any) -> str:
    """The next-step button's words, or "" when the next step is not a procedure to plan."""
    step = evaluation.next if evaluation is not None else None
    if step is None:
        return "Plan the first diagnostic block" if evaluation is not None and evaluation.candidate else ""
    if step.action is Action.FOLLOW_UP:
        return "Record the follow-up"
    return PLANNED_BY.get(step.action, "")


def plan_defaults(evaluation: Any, today: Any) -> dict[str, Any]:
    """Initial data for the procedure form that the evaluation's next step asks for ({} when none)."""
    result = latest_result(evaluation)
    step = evaluation.next if evaluation is not None else None
    if result is None or step is None or step.action not in PLANNED_BY:
        return {}
    last = result.procedure
    defaults: dict[str, Any] = {
        "date": max(step.due, today) if step.due else today,
        "status": "planned",
        "joints": list(last.joint_names),
        "side": last.side,
        "guidance": last.guidance,
    }
    if step.action is Action.RFA:
        return {**defaults, "type": "rfa", "intent": ""}  # an ablation treats: it has no block intent
    if step.action is Action.THERAPEUTIC_INJECTION:
        return {**defaults, "type": last.type, "intent": "therapeutic", **_agent(last.agent, swap=False)}
    swap = step.action is Action.COMPARATIVE_BLOCK
    return {**defaults, "type": last.type, "intent": "diagnostic", **_agent(last.agent, swap=swap)}


def _agent(agent: Any, swap: bool) -> dict[str, Any]:
    if agent is None:
        return {}
    name = OTHER_DURATION.get(agent.name, agent.name) if swap else agent.name
    same = {"agent_name": name, "agent_volume_ml_per_nerve": agent.volume_ml_per_nerve}
    # Another agent's concentration is the physician's to enter: left blank, the form asks for it.
    return (
        same if name != agent.name else {**same, "agent_concentration_percent": agent.concentration_percent}
    )


def next_step_link(evaluation: Any, patient_id: int) -> dict[str, str] | None:
    """The core's next step as a button: {"text", "label", "url"}; None when it is nothing to open."""
    label = button_label(evaluation)
    if not label:
        return None
    step, text = evaluation.next, evaluation.next_step
    if step is not None and step.action is Action.FOLLOW_UP:
        treated = latest_result(evaluation).id  # "p<pk>": the case id of the last treatment
        url = reverse("procedure", args=[int(treated[1:])]) + "#fu-h"
        return {"text": text, "label": label, "url": url}
    url = reverse("procedure-new", args=[patient_id])
    return {
        "text": text,
        "label": label,
        "url": f"{url}?next={step.action.value}" if step is not None else url,
    }
