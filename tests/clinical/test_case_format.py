"""Validation of facetpath.case/1 documents (case-format.md §1, §3): every error names its field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facetpath.clinical import CaseError, load_case_json, parse_case

from .builders import block, case, ia, rfa

EXAMPLE = Path(__file__).parents[2] / "facetpath" / "examples" / "spec-example.json"


def errors_of(document: Any) -> list[str]:
    with pytest.raises(CaseError) as caught:
        parse_case(document)
    return caught.value.errors


def test_the_spec_example_is_valid() -> None:
    parsed = load_case_json(EXAMPLE.read_text())
    assert parsed.patient.id == "P-0001"
    assert [j.name for j in parsed.procedures[0].joints] == ["L4-L5", "L5-S1"]


def test_joint_spellings_are_accepted_and_written_canonically() -> None:
    parsed = parse_case(case(block("a", "2025-01-06", joints=["l5/s1", "L4-5"])))
    assert parsed.procedures[0].joint_names == ("L4-L5", "L5-S1")


def test_an_impossible_joint_is_named_by_its_json_path() -> None:
    document = case(block("a", "2025-01-06"), block("b", "2025-01-20", joints=["L6-S1"]))
    assert errors_of(document) == ['procedures[1].joints[0]: "L6-S1" is not a facet joint']


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda d: d.update(format="facetpath.case/2"), 'format: "facetpath.case/2" is not "facetpath.case/1"'),
        (lambda d: d.pop("patient"), "patient: required field is missing"),
        (lambda d: d.update(extra=1), "extra: unknown field"),
        (lambda d: d["patient"].update(id=""), "patient.id: must not be empty"),
        (lambda d: d["patient"].update(sex="f"), 'patient.sex: "f" is not one of female, male, other, unknown'),
        (lambda d: d["patient"].update(birth_date="1958-02-30"), 'patient.birth_date: "1958-02-30" is not a date (YYYY-MM-DD)'),
        (lambda d: d["assessment"].update(region="sacral"), 'assessment.region: "sacral" is not one of cervical, thoracic, lumbar'),
        (lambda d: d["assessment"].update(baseline_pain=11), "assessment.baseline_pain: 11 is outside the NRS-11 scale (0-10)"),
        (lambda d: d["assessment"].update(baseline_pain=-1), "assessment.baseline_pain: -1 is outside the NRS-11 scale (0-10)"),
        (lambda d: d["assessment"].update(baseline_pain="8"), 'assessment.baseline_pain: expected a number, got "8"'),
        (lambda d: d["assessment"].update(baseline_pain=True), "assessment.baseline_pain: expected a number, got true"),
        (lambda d: d["assessment"].update(axial_predominant="yes"), 'assessment.axial_predominant: expected true or false, got "yes"'),
        (lambda d: d["assessment"].update(pain_scale="VAS-10"), 'assessment.pain_scale: "VAS-10" is not one of NRS-11, VAS-100'),
        (lambda d: d["assessment"]["disability"].update(instrument="RMDQ"), 'assessment.disability.instrument: "RMDQ" is not one of ODI, NDI, PROMIS-PI'),
        (lambda d: d["assessment"]["disability"].update(score=101), "assessment.disability.score: 101 is outside 0-100 %"),
        (lambda d: d["assessment"]["conservative_care"][0].update(weeks=-2), "assessment.conservative_care[0].weeks: -2 is outside the allowed range (at least 0)"),
        (lambda d: d["assessment"]["conservative_care"][0].pop("failed"), "assessment.conservative_care[0].failed: required field is missing"),
        (lambda d: d["assessment"].update(conservative_care={}), "assessment.conservative_care: expected a list, got {}"),
        (lambda d: d["assessment"].update(date="12/10/2024"), 'assessment.date: "12/10/2024" is not a date (YYYY-MM-DD)'),
        (lambda d: d["procedures"][0].update(id=7), "procedures[0].id: expected a string, got 7"),
        (lambda d: d["procedures"][0].update(type="esi"), 'procedures[0].type: "esi" is not one of mbb, ia, rfa, cyst'),
        (lambda d: d["procedures"][0].pop("intent"), "procedures[0].intent: required for type mbb"),
        (lambda d: d["procedures"][0].update(side="both"), 'procedures[0].side: "both" is not one of left, right, bilateral'),
        (lambda d: d["procedures"][0].update(guidance="mri"), 'procedures[0].guidance: "mri" is not one of fluoroscopy, ct, ultrasound, none'),
        (lambda d: d["procedures"][0].update(sedation="light"), 'procedures[0].sedation: "light" is not one of none, moderate, mac, general'),
        (lambda d: d["procedures"][0].pop("agent"), "procedures[0].agent: required for type mbb"),
        (lambda d: d["procedures"][0]["agent"].update(name="procaine"), 'procedures[0].agent.name: "procaine" is not one of lidocaine, bupivacaine, ropivacaine, saline'),
        (lambda d: d["procedures"][0]["agent"].update(volume_ml_per_nerve=0), "procedures[0].agent.volume_ml_per_nerve: must be more than 0"),
        (lambda d: d["procedures"][0].update(joints=[]), "procedures[0].joints: expected a non-empty list of joints, got []"),
        (lambda d: d["procedures"][0].update(joints=["L4-L5", "L4-5"]), "procedures[0].joints[1]: L4-L5 is listed twice"),
        (lambda d: d["procedures"][0].update(joints=[45]), "procedures[0].joints[0]: expected a joint name, got 45"),
        (lambda d: d["procedures"][0].update(pre_pain=10.5), "procedures[0].pre_pain: 10.5 is outside the NRS-11 scale (0-10)"),
        (lambda d: d["procedures"][0]["diary"][2].update(pain=12), "procedures[0].diary[2].pain: 12 is outside the NRS-11 scale (0-10)"),
        (lambda d: d["procedures"][0]["diary"][2].update(minutes=-5), "procedures[0].diary[2].minutes: -5 is outside the allowed range (at least 0)"),
        (lambda d: d["procedures"][0]["diary"][2].update(minutes=15), "procedures[0].diary[2].minutes: 15 minutes appears twice in the diary"),
        (lambda d: d["procedures"][0]["diary"][0].update(mood=3), "procedures[0].diary[0].mood: unknown field"),
        (lambda d: d["procedures"][0].update(rfa={"technique": "thermal"}), "procedures[0].rfa: only for type rfa"),
        (lambda d: d["procedures"][0].update(early_repeat_reason=""), "procedures[0].early_repeat_reason: must not be empty"),
        (lambda d: d["procedures"][0].update(steroid={"name": "dexamethasone"}), "procedures[0].steroid.dose_mg: required field is missing"),
        (lambda d: d["procedures"][0].update(diary=[{"minutes": float("nan"), "pain": 1}]), "procedures[0].diary[0].minutes: expected a number, got NaN"),
        (lambda d: d["procedures"][0].update(follow_up=[{"date": "2025-01-01", "pain": 2}]), "procedures[0].follow_up[0].date: 2025-01-01 is before the procedure date 2025-01-06"),
    ],
)  # fmt: skip
def test_each_kind_of_bad_input_is_named_by_path(change: Any, error: str) -> None:
    document = case(block("mbb1", "2025-01-06"))
    change(document)
    assert error in errors_of(document)


def test_a_repeated_procedure_id_is_an_error() -> None:
    assert errors_of(case(block("a", "2025-01-06"), block("a", "2025-01-20"))) == [
        'procedures[1].id: "a" repeats procedures[0].id'
    ]


def test_every_error_is_reported_not_just_the_first() -> None:
    document = case(block("a", "2025-01-06", side="up", guidance="x"), block("b", "bad", joints=["L4-L6"]))
    found = errors_of(document)
    assert len(found) == 4
    assert {e.split(":")[0] for e in found} == {
        "procedures[0].side",
        "procedures[0].guidance",
        "procedures[1].date",
        "procedures[1].joints[0]",
    }


def test_the_pain_scale_decides_the_range() -> None:
    vas = case(
        block("a", "2025-01-06", pre_pain=80, diary=[{"minutes": 30, "pain": 10}]),
        pain_scale="VAS-100",
        baseline_pain=75,
    )
    assert parse_case(vas).procedures[0].pre_pain == 80
    assert "procedures[0].pre_pain: 80 is outside the NRS-11 scale (0-10)" in errors_of(
        case(block("a", "2025-01-06", pre_pain=80))
    )


def test_rfa_and_cyst_need_no_intent_but_may_not_be_diagnostic() -> None:
    assert parse_case(case(rfa("r", "2025-03-01"))).procedures[0].intent == "therapeutic"
    assert errors_of(case(rfa("r", "2025-03-01", intent="diagnostic"))) == [
        "procedures[0].intent: a rfa procedure is always therapeutic"
    ]


def test_rfa_needs_no_agent_but_ia_does() -> None:
    assert parse_case(case(rfa("r", "2025-03-01"))).procedures[0].agent is None
    assert errors_of(case(ia("i", "2025-03-01", agent=None))) == ["procedures[0].agent: required for type ia"]


def test_optional_fields_may_be_null() -> None:
    document = case(block("a", "2025-01-06", steroid=None))
    document["procedures"][0].update(sedation_reason=None, pre_pain=None, diary=None, follow_up=None)
    document["patient"].update(birth_date=None, sex=None)
    document["assessment"].update(disability=None, index_pain=None)
    parsed = parse_case(document)
    assert parsed.procedures[0].diary is None and parsed.assessment.disability is None


def test_the_diary_is_read_in_time_order() -> None:
    diary = [{"minutes": 60, "pain": 1}, {"minutes": 15, "pain": 3}]
    assert [
        p.minutes for p in parse_case(case(block("a", "2025-01-06", diary=diary))).procedures[0].diary or []
    ] == [15, 60]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{", "case: not valid JSON"),
        ("[]", "case: expected an object"),
        ("null", "case: expected an object"),
        ("", "case: not valid JSON"),
    ],
)
def test_documents_that_are_not_case_objects(text: str, fragment: str) -> None:
    with pytest.raises(CaseError) as caught:
        load_case_json(text)
    assert caught.value.errors[0].startswith(fragment)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200)
@given(st.sampled_from(["patient", "assessment", "procedures"]), JSON)
def test_garbage_anywhere_is_a_case_error_never_a_crash(key: str, garbage: Any) -> None:
    document = case(block("a", "2025-01-06"))
    document[key] = garbage
    try:
        parse_case(document)
    except CaseError as exc:
        assert exc.errors and all(": " in e for e in exc.errors)


@settings(max_examples=200)
@given(st.sampled_from(list(block("a", "2025-01-06"))), JSON)
def test_garbage_in_any_procedure_field_is_a_case_error_never_a_crash(field: str, garbage: Any) -> None:
    document = case(block("a", "2025-01-06"))
    document["procedures"][0][field] = garbage
    try:
        parse_case(document)
    except CaseError as exc:
        assert any(e.startswith(f"procedures[0].{field}") for e in exc.errors), exc.errors


def test_validation_does_not_change_the_input() -> None:
    document = case(block("a", "2025-01-06", joints=["L5/S1", "l4-5"]))
    before = copy.deepcopy(document)
    parse_case(document)
    assert json.dumps(document, sort_keys=True) == json.dumps(before, sort_keys=True)
