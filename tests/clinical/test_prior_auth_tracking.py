"""Prior-authorization tracking rules: decisions, UTN cover and expiry, a request waiting (no database)."""

from __future__ import annotations

from datetime import date, timedelta

from facetpath.clinical.coding import CodeLine
from facetpath.clinical.prior_auth import (
    Decision,
    days_left,
    decision_overdue,
    expiring_if_decided_between,
    in_programme,
    may_resubmit,
    needs_prior_authorization,
    overdue_if_sent_before,
    tracking_rules,
    utn_covers,
    utn_expiring,
)

TODAY = date(2026, 12, 4)


def test_a_request_is_overdue_after_seven_days_not_on_the_seventh() -> None:
    assert not decision_overdue(TODAY - timedelta(days=7), TODAY)
    assert decision_overdue(TODAY - timedelta(days=8), TODAY)
    bound = overdue_if_sent_before(TODAY)
    assert not TODAY - timedelta(days=7) < bound
    assert TODAY - timedelta(days=8) < bound


def test_only_an_affirmation_covers_and_only_through_day_120() -> None:
    decided = TODAY
    assert utn_covers(Decision.AFFIRMED, decided, decided + timedelta(days=120))
    assert not utn_covers(Decision.AFFIRMED, decided, decided + timedelta(days=121))
    assert utn_covers(Decision.PARTIAL, decided, decided + timedelta(days=10))
    assert not utn_covers(Decision.NON_AFFIRMED, decided, decided + timedelta(days=10))
    assert not utn_covers(Decision.AFFIRMED, decided, decided - timedelta(days=1))


def test_a_utn_is_expiring_with_14_days_left_not_15() -> None:
    assert utn_expiring(TODAY - timedelta(days=120 - 14), TODAY)
    assert not utn_expiring(TODAY - timedelta(days=120 - 15), TODAY)
    assert utn_expiring(TODAY - timedelta(days=120), TODAY)  # its last valid day
    assert not utn_expiring(TODAY - timedelta(days=121), TODAY)  # expired
    assert days_left(TODAY - timedelta(days=106), TODAY) == 14
    earliest, latest = expiring_if_decided_between(TODAY)
    assert (earliest, latest) == (TODAY - timedelta(days=120), TODAY - timedelta(days=106))


def test_resubmission_follows_a_non_affirmation_or_a_partial_one() -> None:
    assert may_resubmit(Decision.NON_AFFIRMED) and may_resubmit(Decision.PARTIAL)
    assert not may_resubmit(Decision.AFFIRMED)


def test_only_original_medicare_is_in_the_programme() -> None:
    assert in_programme("medicare")
    assert not in_programme("medicare-advantage") and not in_programme("commercial")


def test_needs_a_utn_both_ways() -> None:
    rfa = [CodeLine("64635", ("50",), 1)]
    assert needs_prior_authorization(rfa, "22", medicare=True)
    assert not needs_prior_authorization(rfa, "22", medicare=False)
    assert not needs_prior_authorization(rfa, "11", medicare=True)
    assert not needs_prior_authorization([CodeLine("64492", (), 1)], "22", medicare=True)


def test_tracking_rules_name_their_parameters() -> None:
    rules = {rule_id: text for rule_id, text, _ in tracking_rules()}
    assert "day 120" in rules["PA-TRACK-UTN"]
    assert "more than 7 days" in rules["PA-TRACK-WAITING"]
    assert "within 14 days" in rules["PA-TRACK-EXPIRING"]
