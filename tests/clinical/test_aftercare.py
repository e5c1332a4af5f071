"""After-care and warning signs come from one table: what is expected, for how long, and what needs a call."""

from __future__ import annotations

import pytest

from facetpath.clinical import aftercare
from facetpath.clinical.aftercare import NUMB_HOURS_FLOOR, Urgency, Visit


def visit(**changes: object) -> Visit:
    values: dict[str, object] = {
        "region": "lumbar", "diagnostic": True, "rfa": False, "sedated": False, "steroid": False,
        "agent": "lidocaine",
    }  # fmt: skip
    values.update(changes)
    return Visit(**values)  # type: ignore[arg-type]


def ids(v: Visit) -> set[str]:
    return {advice.id for advice in aftercare.advice_for(v)}


def test_every_entry_has_a_unique_id_and_a_citation() -> None:
    all_ids = [a.id for a in aftercare.ADVICE] + [s.id for s in aftercare.WARNING_SIGNS]
    assert len(all_ids) == len(set(all_ids))
    assert all(a.citation for a in aftercare.ADVICE) and all(s.citation for s in aftercare.WARNING_SIGNS)


@pytest.mark.parametrize(
    ("agent", "hours"),
    [("lidocaine", NUMB_HOURS_FLOOR), ("bupivacaine", 8), ("ropivacaine", 8), (None, 5), ("saline", 5)],
)
def test_the_numb_window_lasts_as_long_as_the_anaesthetic(agent: str | None, hours: int) -> None:
    assert visit(agent=agent).numb_hours == hours


def test_expected_heaviness_and_the_weakness_warning_name_the_same_window() -> None:
    v = visit(agent="bupivacaine")
    values = aftercare.placeholders(v)
    expected = next(a for a in aftercare.advice_for(v) if a.id == "AC-NUMB-LEGS").text % values
    warning = aftercare.SIGNS_BY_ID["weakness"].question % values
    assert "up to 8 hours" in expected and "after the first 8 hours" in warning
    assert aftercare.SIGNS_BY_ID["weakness"].urgency is Urgency.EMERGENCY


def test_the_neck_numbs_arms_and_the_low_back_legs() -> None:
    assert "AC-NUMB-ARMS" in ids(visit(region="cervical")) and "AC-NUMB-LEGS" not in ids(
        visit(region="cervical")
    )
    assert "AC-NUMB-LEGS" in ids(visit(region="lumbar")) and "AC-NUMB-ARMS" not in ids(visit(region="lumbar"))


def test_sedation_rfa_and_the_diagnostic_window_add_their_advice() -> None:
    assert {"AC-SEDATION-DRIVER", "AC-SEDATION-24H"} <= ids(visit(sedated=True))
    assert not {"AC-SEDATION-DRIVER", "AC-SEDATION-24H"} & ids(visit())
    assert {"AC-RFA-NEURITIS", "AC-RFA-BENEFIT"} <= ids(visit(rfa=True, diagnostic=False))
    assert "AC-NO-ANALGESIA" in ids(visit()) and "AC-NO-ANALGESIA" not in ids(visit(diagnostic=False))
    assert "AC-DIARY-REMINDERS" in ids(visit(diagnostic=False)) and "AC-DIARY-TIMES" in ids(visit())


def test_the_signs_that_need_emergency_care() -> None:
    assert {"weakness", "bowel-bladder", "back-pain", "chest"} == aftercare.EMERGENCY_SIGNS
    assert aftercare.is_emergency(["fever", "chest"]) and not aftercare.is_emergency(["fever", "headache"])
