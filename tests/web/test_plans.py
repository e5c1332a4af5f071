"""Plans follow the next step: each next step opens the procedure form the core's evaluation asks for."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from webfactories import GOOD_DIARY, World, make_block

from facetpath.clinical.results import Action
from facetpath.procedures import interpretation, plans
from facetpath.procedures.models import Procedure
from facetpath.procedures.stage import refresh_stage

NEGATIVE_DIARY = ((15, 8), (30, 8), (60, 8), (120, 8), (180, 8), (240, 8))


def _two_positive_blocks(world: World) -> None:
    world.procedure.delete()
    make_block(world.patient, days_ago=30, diary=GOOD_DIARY)
    make_block(world.patient, days_ago=10, diary=GOOD_DIARY)
    refresh_stage(world.patient)  # what each recording action does


def _evaluation(world: World) -> Any:
    result = interpretation.evaluate(world.patient)
    assert result.ok, result.errors
    return result.evaluation


def _only_block(world: World, **extra: Any) -> Procedure:
    world.procedure.delete()
    return make_block(world.patient, days_ago=10, **{"diary": GOOD_DIARY, **extra})


def test_first_positive_block_under_medicare_keeps_the_agent(world: World) -> None:
    world.clinic.default_policy = "medicare-lcd"
    world.clinic.save()
    _only_block(world, joints=["L5-S1"], side="left")
    evaluation = _evaluation(world)
    assert evaluation.next.action is Action.SECOND_BLOCK
    defaults = plans.plan_defaults(evaluation, world.clinic.today())
    assert defaults["type"] == "mbb" and defaults["intent"] == "diagnostic"
    assert defaults["joints"] == ["L5-S1"] and defaults["side"] == "left"
    assert defaults["agent_name"] == "lidocaine" and defaults["agent_concentration_percent"] == 2
    assert defaults["date"] >= world.clinic.today()


@pytest.mark.parametrize(("given", "swapped"), [("lidocaine", "bupivacaine"), ("bupivacaine", "lidocaine")])
def test_first_positive_block_under_sis_swaps_the_agent(world: World, given: str, swapped: str) -> None:
    world.clinic.default_policy = "sis"
    world.clinic.save()
    _only_block(world, agent_name=given, side="right")
    evaluation = _evaluation(world)
    assert evaluation.next.action is Action.COMPARATIVE_BLOCK
    defaults = plans.plan_defaults(evaluation, world.clinic.today())
    assert defaults["agent_name"] == swapped
    assert "agent_concentration_percent" not in defaults  # the other agent's strength is the physician's
    assert defaults["side"] == "right" and defaults["intent"] == "diagnostic"


def test_negative_block_plans_nothing(world: World) -> None:
    _only_block(world, diary=NEGATIVE_DIARY)
    evaluation = _evaluation(world)
    assert evaluation.next.action not in plans.PLANNED_BY
    assert plans.plan_defaults(evaluation, world.clinic.today()) == {}
    assert plans.next_step_link(evaluation, world.patient.pk) is None


def test_two_positive_blocks_plan_rfa_at_the_confirmed_joints(world: World) -> None:
    _two_positive_blocks(world)
    evaluation = _evaluation(world)
    assert evaluation.next.action is Action.RFA
    defaults = plans.plan_defaults(evaluation, world.clinic.today())
    assert defaults["type"] == "rfa" and defaults["intent"] == ""
    assert defaults["joints"] == ["L4-L5", "L5-S1"] and defaults["side"] == "bilateral"
    assert "agent_name" not in defaults


def test_after_rfa_the_button_opens_the_follow_up(world: World) -> None:
    _two_positive_blocks(world)
    rfa = make_block(world.patient, days_ago=2, type="rfa", intent="", agent_name="", pre_pain=None,
                     agent_concentration_percent=None, agent_volume_ml_per_nerve=None)  # fmt: skip
    evaluation = _evaluation(world)
    assert evaluation.next.action is Action.FOLLOW_UP
    assert plans.plan_defaults(evaluation, world.clinic.today()) == {}
    link = plans.next_step_link(evaluation, world.patient.pk)
    assert link is not None
    assert link["url"] == reverse("procedure", args=[rfa.pk]) + "#fu-h"


def test_plan_rfa_from_the_patient_page_end_to_end(world: World) -> None:
    _two_positive_blocks(world)
    client = world.client_for("physician")
    page = client.get(reverse("patient", args=[world.patient.pk])).content.decode()
    assert "meets criteria for RFA at L4-L5, L5-S1" in page, page[
        page.find("Next step") - 200 : page.find("Next step") + 400
    ]
    url = reverse("procedure-new", args=[world.patient.pk]) + "?next=rfa"
    assert f'href="{url}">Plan RFA</a>' in page
    form = client.get(url).context["form"]
    assert form.initial["type"] == "rfa" and form.initial["intent"] == ""
    assert form.initial["joints"] == ["L4-L5", "L5-S1"] and form.initial["side"] == "bilateral"
    # Saved as it opened (only the required choices the form always shows), it is the planned RFA.
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["date"] = form.initial["date"].isoformat()
    before = Procedure.objects.count()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    rfa = Procedure.objects.latest("id")
    assert Procedure.objects.count() == before + 1
    assert (rfa.type, rfa.status, rfa.intent) == ("rfa", "planned", "")
    assert (rfa.joints, rfa.side) == (["L4-L5", "L5-S1"], "bilateral")


def test_a_stale_next_link_opens_the_plain_form(world: World) -> None:
    _only_block(world, diary=NEGATIVE_DIARY)
    client = world.client_for("physician")
    form = client.get(reverse("procedure-new", args=[world.patient.pk]) + "?next=rfa").context["form"]
    assert form.initial["type"] == "mbb" and form.initial["joints"] == []


def test_the_front_desk_sees_no_next_step_button(world: World) -> None:
    _two_positive_blocks(world)
    page = world.client_for("frontdesk").get(reverse("patient", args=[world.patient.pk])).content.decode()
    assert "Plan RFA" not in page and "L4-L5" not in page


@pytest.mark.parametrize(("kind", "intent"), [("rfa", ""), ("mbb", "diagnostic"), ("ia", "therapeutic")])
def test_intent_follows_type(world: World, kind: str, intent: str) -> None:
    data = {
        "date": (world.clinic.today() + timedelta(days=7)).isoformat(), "status": "planned", "type": kind,
        "intent": "diagnostic" if kind != "ia" else "therapeutic", "joints": ["L4-L5"], "side": "left",
        "guidance": "fluoroscopy", "sedation": "none",
    }  # fmt: skip
    if kind != "rfa":
        data.update(agent_name="lidocaine", agent_concentration_percent="2", agent_volume_ml_per_nerve="0.5")
    response = world.client_for("physician").post(reverse("procedure-new", args=[world.patient.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Procedure.objects.latest("id").intent == intent


@pytest.mark.parametrize(
    ("kind", "intent", "words"),
    [
        ("rfa", "diagnostic", "treatment (an ablation"),
        ("mbb", "diagnostic", "Diagnostic"),
        ("ia", "therapeutic", "Therapeutic"),
    ],
)
def test_the_live_preview_says_the_intent_the_type_gives(
    world: World, kind: str, intent: str, words: str
) -> None:
    data = {"type": kind, "intent": intent, "joints": ["L4-L5"], "side": "left", "date": "2026-02-01",
            "status": "planned", "guidance": "fluoroscopy", "sedation": "none"}  # fmt: skip
    response = world.client_for("physician").post(reverse("procedure-preview", args=[world.patient.pk]), data)
    assert f"<strong>Intent:</strong> {words}" in response.content.decode()
