"""The MAC prior-authorization checklist, read off the record, and UTN validity (no database)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from facetpath.clinical import CaseError
from facetpath.clinical.coding import CodeLine
from facetpath.clinical.prior_auth import (
    CHECKLIST,
    PlanError,
    Status,
    checklist,
    needs_prior_authorization,
    utn_last_valid_day,
    utn_valid_on,
)

from .builders import block, case, follow_ups, ia, rfa

FIRST, SECOND = block("b1", "2025-01-10"), block("b2", "2025-01-31")
PLANNED_RFA = rfa("ignored", "2025-02-20")


def statuses(document: dict[str, Any], planned: dict[str, Any], **params: Any) -> dict[str, Status]:
    return {item.id: item.status for item in checklist(document, planned, params).items}


def item(document: dict[str, Any], planned: dict[str, Any], item_id: str) -> Any:
    return next(i for i in checklist(document, planned).items if i.id == item_id)


def test_a_complete_record_makes_a_ready_rfa_packet() -> None:
    packet = checklist(case(FIRST, SECOND), PLANNED_RFA)
    assert packet.packet == "rfa-initial"
    assert packet.ready, [i.to_json() for i in packet.open_items]
    assert packet.summary() == "RFA packet: every item met"
    assert [str(line) for line in packet.codes] == ["64635-50 x1", "64636-50 x1"]
    blocks = next(i for i in packet.items if i.id == "PA-BLOCKS")
    assert "block 1 2025-01-10: 87.5 % peak" in blocks.value and "positive" in blocks.value
    assert blocks.source == "diagnostic blocks and their diaries"


def test_every_item_has_a_stable_id_and_a_citation() -> None:
    ids = [item.id for item in CHECKLIST]
    assert len(ids) == len(set(ids))
    assert all(item.id.startswith("PA-") and item.citation for item in CHECKLIST)


def test_a_gap_says_what_is_missing_and_where_to_add_it() -> None:
    document = case(FIRST, block("b2", "2025-01-31", pre_pain=None), disability=None)
    packet = checklist(document, PLANNED_RFA)
    assert not packet.ready
    disability = next(i for i in packet.items if i.id == "PA-DISABILITY")
    assert (disability.status, disability.source) == (Status.MISSING, "assessment of 2024-12-10")
    assert "disability scale" in disability.to_add
    scale = next(i for i in packet.items if i.id == "PA-SAME-SCALE")
    assert scale.status is Status.MISSING
    assert scale.value == "block 2 (2025-01-31) has no pre-block score"
    # Without its pre-block score the second block's relief is unknown, so the blocks item is missing too.
    assert packet.summary() == (
        "RFA packet: 3 items missing: disability scale at baseline; the same pain scale at baseline and after "
        "each block; diagnostic blocks with the relief the LCD asks"
    )


def test_a_block_without_its_diary_is_missing_not_failed() -> None:
    document = case(FIRST, block("b2", "2025-01-31", diary=None))
    found = statuses(document, PLANNED_RFA)
    assert found["PA-SAME-SCALE"] is Status.MISSING
    assert found["PA-BLOCKS"] is Status.MISSING


def test_a_negative_second_block_fails_the_rfa_packet() -> None:
    document = case(
        FIRST, block("b2", "2025-01-31", diary=[{"minutes": 30, "pain": 6}, {"minutes": 60, "pain": 7}])
    )
    blocks = item(document, PLANNED_RFA, "PA-BLOCKS")
    assert blocks.status is Status.NOT_MET
    assert "80 %" in blocks.to_add


@pytest.mark.parametrize(
    ("months", "expected"), [(3, Status.MET), (2, Status.NOT_MET)], ids=["exactly 3 months", "2 months"]
)
def test_pain_duration_at_the_boundary(months: int, expected: Status) -> None:
    assert statuses(case(FIRST, SECOND, pain_duration_months=months), PLANNED_RFA)["PA-DURATION"] is expected


def test_labels_follow_the_policys_parameters() -> None:
    packet = checklist(case(FIRST, SECOND), PLANNED_RFA, {"min_pain_months": 6})
    duration = next(i for i in packet.items if i.id == "PA-DURATION")
    assert duration.label == "pain for at least 6 months"
    assert duration.status is Status.MET  # 8 months recorded


@pytest.mark.parametrize(("pain", "expected"), [(4, Status.MET), (3, Status.NOT_MET)])
def test_baseline_pain_must_be_at_least_moderate(pain: int, expected: Status) -> None:
    assert statuses(case(FIRST, SECOND, baseline_pain=pain), PLANNED_RFA)["PA-SEVERITY"] is expected


def test_conservative_care_missing_or_not_failed() -> None:
    assert (
        statuses(case(FIRST, SECOND, conservative_care=[]), PLANNED_RFA)["PA-CONSERVATIVE"] is Status.MISSING
    )
    tried = [{"modality": "physical therapy", "weeks": 8, "failed": False}]
    assert (
        statuses(case(FIRST, SECOND, conservative_care=tried), PLANNED_RFA)["PA-CONSERVATIVE"]
        is Status.NOT_MET
    )


def test_untreated_radiculopathy_and_non_facet_cause_fail() -> None:
    found = statuses(case(FIRST, SECOND, untreated_radiculopathy=True, non_facet_cause=True), PLANNED_RFA)
    assert found["PA-RADICULOPATHY"] is Status.NOT_MET
    assert found["PA-NON-FACET"] is Status.NOT_MET


def test_the_second_block_packet_checks_the_first_block_and_the_interval() -> None:
    on_day_14 = checklist(case(FIRST), block("x", "2025-01-24", diary=None))
    assert on_day_14.packet == "diagnostic-2"
    assert on_day_14.summary().startswith("second diagnostic block packet")
    assert {i.id for i in on_day_14.items} >= {"PA-BLOCKS", "PA-INTERVAL", "PA-SAME-SCALE"}
    assert "PA-SUSTAINED" not in {i.id for i in on_day_14.items}
    assert next(i for i in on_day_14.items if i.id == "PA-INTERVAL").status is Status.MET
    day_13 = statuses(case(FIRST), block("x", "2025-01-23", diary=None))
    assert day_13["PA-INTERVAL"] is Status.NOT_MET


def test_a_repeat_rfa_packet_asks_for_six_months_of_relief() -> None:
    done = rfa("r1", "2025-03-01", follow_up=follow_ups("2025-03-01", [1, 3, 6], pain=2))
    enough = checklist(case(FIRST, SECOND, done), rfa("x", "2025-09-15"))
    assert enough.packet == "rfa-repeat"
    sustained = next(i for i in enough.items if i.id == "PA-SUSTAINED")
    assert sustained.status is Status.MET and sustained.value == "at least 50 % for at least 6 months"
    relapsed = [*follow_ups("2025-03-01", [1, 3], pain=2), {"date": "2025-07-01", "pain": 8}]
    short = rfa("r1", "2025-03-01", follow_up=relapsed)
    assert statuses(case(FIRST, SECOND, short), rfa("x", "2025-09-15"))["PA-SUSTAINED"] is Status.NOT_MET


def test_a_therapeutic_injection_needs_a_reason_rfa_does_not_suit() -> None:
    with_reason = statuses(case(FIRST, SECOND), ia("x", "2025-02-20"))
    assert with_reason["PA-RFA-UNSUITABLE"] is Status.MET
    without = statuses(case(FIRST, SECOND), ia("x", "2025-02-20", rfa_unsuitable_reason=None))
    assert without["PA-RFA-UNSUITABLE"] is Status.NOT_MET


def test_three_levels_fail_the_technique_item() -> None:
    planned = rfa("x", "2025-02-20", joints=["L3-L4", "L4-L5", "L5-S1"])
    assert statuses(case(FIRST, SECOND), planned)["PA-TECHNIQUE"] is Status.NOT_MET


def test_a_bad_plan_or_case_names_the_field() -> None:
    with pytest.raises(PlanError, match=r"procedures\[2\]\.joints\[0\]"):
        checklist(case(FIRST, SECOND), rfa("x", "2025-02-20", joints=["L6-S1"]))
    with pytest.raises(CaseError):
        checklist({"format": "facetpath.case/1"}, PLANNED_RFA)


def test_the_json_form_carries_every_item() -> None:
    document = checklist(case(FIRST, SECOND), PLANNED_RFA).to_json()
    assert document["ready"] is True and document["name"] == "RFA"
    assert {"id", "label", "status", "value", "source", "to_add", "citation"} <= set(document["items"][0])


@pytest.mark.parametrize(
    ("days", "valid"), [(0, True), (119, True), (120, True), (121, False), (-1, False)], ids=str
)
def test_a_utn_covers_dates_of_service_through_day_120(days: int, valid: bool) -> None:
    decided = date(2026, 1, 15)
    assert utn_valid_on(decided, decided + timedelta(days=days)) is valid
    assert utn_last_valid_day(decided) == date(2026, 5, 15)


@pytest.mark.parametrize(
    ("codes", "place", "medicare", "needed"),
    [
        (["64635", "64636"], "22", True, True),
        (["64635"], "19", True, True),
        (["64635"], "11", True, False),  # the physician's office
        (["64635"], "22", False, False),  # not Medicare fee-for-service
        (["64495"], "22", True, False),  # third level: off the list since 2024
        (["64490"], "22", True, True),
    ],
)
def test_which_procedures_need_prior_authorization(
    codes: list[str], place: str, medicare: bool, needed: bool
) -> None:
    lines = [CodeLine(code, (), 1) for code in codes]
    assert needs_prior_authorization(lines, place, medicare) is needed


def test_each_item_names_the_parts_of_the_record_it_read() -> None:
    document = case(FIRST, SECOND, disability=None)
    refs = {i.id: i.refs for i in checklist(document, PLANNED_RFA).items}
    assert refs["PA-DISABILITY"] == ("assessment",)
    assert refs["PA-BLOCKS"] == refs["PA-SAME-SCALE"] == ("b1", "b2")
    assert refs["PA-TECHNIQUE"] == ("planned",)
    assert refs["PA-FREQUENCY"] == ("b1", "b2")


def test_a_repeat_rfa_packet_points_at_the_last_rfas_follow_ups() -> None:
    done = rfa("r1", "2025-03-01", follow_up=follow_ups("2025-03-01", [1, 3, 6], pain=2))
    sustained = item(case(FIRST, SECOND, done), rfa("x", "2025-09-15"), "PA-SUSTAINED")
    assert sustained.refs == ("r1",)
    assert checklist(case(FIRST, SECOND, done), rfa("x", "2025-09-15")).to_json()["items"][0]["refs"] == [
        "assessment"
    ]
