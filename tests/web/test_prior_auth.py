"""Prior-authorization tracking on the web: coverage, requests, decisions, resubmissions, the worklist's
three sections at their boundaries, roles and clinic isolation. Time is frozen (time-machine) so the
boundaries hold at any hour."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from webfactories import World, make_assessment, make_patient

from facetpath.audit.models import AuditEvent
from facetpath.patients.models import Patient
from facetpath.priorauth.models import Coverage, Request, Submission
from facetpath.procedures.models import Procedure

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
TODAY = date(2026, 12, 4)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def covered(patient: Patient, payer: str = "medicare", place: str = "22") -> Coverage:
    return Coverage.objects.create(patient=patient, payer=payer, place_of_service=place)


def planned(patient: Patient, days_ahead: int = 10, **extra: Any) -> Procedure:
    values: dict[str, Any] = {
        "date": TODAY + timedelta(days=days_ahead), "type": "rfa", "joints": ["L4-L5", "L5-S1"],
        "side": "bilateral", "status": "planned", "rfa_technique": "thermal",
    }  # fmt: skip
    values.update(extra)
    return Procedure.objects.create(patient=patient, **values)


def request_for(
    patient: Patient,
    day: date,
    sent: date,
    state: str = "waiting",
    decided: date | None = None,
    utn: str = "",
) -> Request:
    found = Request.objects.create(
        clinic=patient.clinic, patient=patient, date_of_service=day, codes=["64635", "64636"],
        payer="medicare", place_of_service="22", sent_on=sent, state=state, decided_on=decided, utn=utn,
    )  # fmt: skip
    Submission.objects.create(
        request=found, number=1, sent_on=sent, decision="" if state == "waiting" else state,
        decided_on=decided, utn=utn,
    )  # fmt: skip
    return found


def section(page: str, key: str) -> str:
    start = page.index(f'id="{key}-h"')
    return page[start : page.index("</section>", start)]


def worklist(world: World, who: str = "frontdesk") -> str:
    response = world.client_for(who).get(reverse("worklist"))
    assert response.status_code == 200
    return str(response.content.decode())


# --- the worklist's rules at their boundaries ------------------------------------------------------------


@pytest.mark.parametrize(("days", "covered_then"), [(120, True), (121, False)])
def test_a_utn_covers_a_date_of_service_through_day_120(world: World, days: int, covered_then: bool) -> None:
    covered(world.patient)
    procedure = planned(world.patient, days_ahead=5)
    decided = procedure.date - timedelta(days=days)
    request_for(world.patient, procedure.date, decided - timedelta(days=3), "affirmed", decided, "UTN120")
    needed = section(worklist(world), "prior-auth-needed")
    assert ("Lovelace, Ada" not in needed) is covered_then
    page = world.client_for("nurse").get(reverse("prior-auth", args=[world.patient.pk])).content.decode()
    assert ("UTN UTN120 valid" in page) is covered_then
    assert ("needs a UTN" in page) is not covered_then


@pytest.mark.parametrize(("days", "listed"), [(7, False), (8, True)])
def test_a_request_is_chased_after_more_than_7_days(world: World, days: int, listed: bool) -> None:
    request_for(world.patient, TODAY + timedelta(days=20), sent=TODAY - timedelta(days=days))
    waiting = section(worklist(world), "prior-auth-waiting")
    assert ("Lovelace, Ada" in waiting) is listed
    if listed:
        assert "waiting 8 days" in waiting


@pytest.mark.parametrize(("left", "listed"), [(14, True), (15, False), (0, True), (-1, False)])
def test_a_utn_is_listed_when_it_expires_within_14_days(world: World, left: int, listed: bool) -> None:
    decided = TODAY - timedelta(days=120 - left)
    request_for(
        world.patient, TODAY + timedelta(days=3), decided - timedelta(days=5), "affirmed", decided, "U1"
    )
    expiring = section(worklist(world), "prior-auth-expiring")
    assert ("Lovelace, Ada" in expiring) is listed
    if left == 14:
        assert "14 days left" in expiring


@pytest.mark.parametrize(
    ("payer", "place", "kind", "needed"),
    [
        ("medicare", "22", "rfa", True),
        ("medicare", "19", "rfa", True),
        ("commercial", "22", "rfa", False),
        ("medicare-advantage", "22", "rfa", False),
        ("medicare", "11", "rfa", False),
        ("medicare", "24", "rfa", False),
        ("medicare", "22", "cyst", False),  # no CPT code on the programme's list
    ],
)
def test_a_planned_procedure_needs_a_utn_only_for_medicare_hospital_outpatient_pa_codes(
    world: World, payer: str, place: str, kind: str, needed: bool
) -> None:
    covered(world.patient, payer, place)
    planned(world.patient, type=kind)
    assert ("Lovelace, Ada" in section(worklist(world), "prior-auth-needed")) is needed


def test_a_utn_for_another_date_or_a_non_affirmation_does_not_cover(world: World) -> None:
    covered(world.patient)
    procedure = planned(world.patient)
    request_for(world.patient, procedure.date + timedelta(days=1), TODAY, "affirmed", TODAY, "OTHERDAY")
    assert "Lovelace, Ada" in section(worklist(world), "prior-auth-needed")
    request_for(world.patient, procedure.date, TODAY, "non-affirmed", TODAY, "NOPE")
    assert "Lovelace, Ada" in section(worklist(world), "prior-auth-needed")


def test_a_done_or_past_procedure_is_not_listed_as_needing_a_utn(world: World) -> None:
    covered(world.patient)
    planned(world.patient, days_ahead=-1)  # "planned, date passed" has its own section
    assert "Lovelace, Ada" not in section(worklist(world), "prior-auth-needed")


# --- recording: a request, its decision, a resubmission ------------------------------------------------


def test_request_decision_resubmission_and_affirmation_keep_their_history(world: World) -> None:
    covered(world.patient)
    procedure = planned(world.patient)
    desk = world.client_for("frontdesk")
    new = reverse("prior-auth-new", args=[world.patient.pk])
    assert f'value="{procedure.pk}" selected' in desk.get(f"{new}?procedure={procedure.pk}").content.decode()
    response = desk.post(
        new,
        {"procedure": procedure.pk, "payer": "medicare", "place_of_service": "22", "sent_on": "2026-12-01"},
    )
    assert response.status_code == 302
    pa = Request.objects.get()
    assert (pa.date_of_service, pa.codes, pa.state) == (procedure.date, ["64635", "64636"], "waiting")
    page = reverse("prior-auth-request", args=[pa.pk])
    refused = {"decision": "non-affirmed", "decided_on": "2026-12-03", "utn": "A111", "reasons": "no diary"}
    assert desk.post(page, refused).status_code == 302
    pa.refresh_from_db()
    assert (pa.state, pa.utn) == ("non-affirmed", "A111")
    assert desk.post(page, {"sent_on": "2026-12-04", "note": "added the diary"}).status_code == 302
    pa.refresh_from_db()
    assert (pa.state, pa.sent_on, pa.decided_on) == ("waiting", TODAY, None)
    second = pa.submissions.get(number=2)
    assert second.quoted_utn == "A111"  # the resubmission quotes the latest UTN
    assert (
        desk.post(page, {"decision": "affirmed", "decided_on": "2026-12-04", "utn": "b222"}).status_code
        == 302
    )
    pa.refresh_from_db()
    assert (pa.state, pa.utn, pa.decided_on) == ("affirmed", "B222", TODAY)
    shown = desk.get(page).content.decode()
    assert "Resubmission 1" in shown and "quoting A111" in shown and "no diary" in shown
    assert 'id="step-h"' not in shown  # an affirmed request has no next step
    assert "Lovelace, Ada" not in section(worklist(world), "prior-auth-needed")
    details = list(
        AuditEvent.objects.filter(patient=world.patient, action__in=["create", "update"])
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert details == [
        f"prior authorization for {procedure.date}",
        "prior authorization decision: non-affirmed",
        "prior authorization resubmitted (2)",
        "prior authorization decision: affirmed",
    ]


def test_one_request_per_date_of_service(world: World) -> None:
    request_for(world.patient, TODAY + timedelta(days=9), TODAY)
    response = world.client_for("nurse").post(
        reverse("prior-auth-new", args=[world.patient.pk]),
        {"date_of_service": str(TODAY + timedelta(days=9)), "codes": "64635", "payer": "medicare",
         "place_of_service": "22", "sent_on": str(TODAY)},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Date of service: a request for this date of service exists" in response.content.decode()
    assert Request.objects.count() == 1


BAD_REQUESTS = [
    ({"sent_on": "2026-13-45"}, "Sent on: Enter a valid date."),
    ({"sent_on": "2026-12-05"}, "Sent on: cannot be in the future"),
    ({"date_of_service": "99999-01-01"}, "Date of service: Enter a valid date."),
    ({"date_of_service": ""}, "Date of service: enter the date of service"),
    ({"codes": "=SUM(A1)"}, "CPT codes: &#x27;=SUM(A1)&#x27; is not a CPT code"),
    ({"codes": ""}, "CPT codes: enter the CPT codes"),
    ({"payer": "nobody"}, "Payer: Select a valid choice."),
    ({"place_of_service": "99"}, "Place of service: Select a valid choice."),
    ({"procedure": "999999999999999999999"}, "Planned procedure: Select a valid choice."),
]


@pytest.mark.parametrize(("change", "message"), BAD_REQUESTS)
def test_a_bad_request_names_its_field_and_keeps_the_rest(
    world: World, change: dict[str, str], message: str
) -> None:
    data = {"date_of_service": "2026-12-20", "codes": "64635 64636", "payer": "medicare",
            "place_of_service": "22", "sent_on": "2026-12-01", **change}  # fmt: skip
    response = world.client_for("frontdesk").post(reverse("prior-auth-new", args=[world.patient.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'value="2026-12-01"' in page or "sent_on" in change
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "affirmed", "decided_on": "2026-12-03"}, "UTN: an affirmation carries a UTN"),
        ({"decision": "non-affirmed", "decided_on": "2026-12-03", "utn": "X1"}, "Reasons: say why"),
        ({"decision": "affirmed", "decided_on": "2026-11-01", "utn": "X1"}, "Decided on: cannot be before"),
        (
            {"decision": "affirmed", "decided_on": "2026-12-05", "utn": "X1"},
            "Decided on: cannot be in the future",
        ),
        ({"decision": "affirmed", "decided_on": "2026-12-03", "utn": "X 1<"}, "UTN: letters, digits"),
        ({"decision": "maybe", "decided_on": "junk"}, "Decision: Select a valid choice."),
    ],
)
def test_a_bad_decision_names_its_field(world: World, data: dict[str, str], message: str) -> None:
    pa = request_for(world.patient, TODAY + timedelta(days=9), TODAY - timedelta(days=2))
    response = world.client_for("nurse").post(reverse("prior-auth-request", args=[pa.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    pa.refresh_from_db()
    assert pa.state == "waiting"


def test_a_resubmission_cannot_predate_the_decision(world: World) -> None:
    pa = request_for(world.patient, TODAY + timedelta(days=9), TODAY - timedelta(days=5), "non-affirmed",
                     TODAY - timedelta(days=1), "N1")  # fmt: skip
    response = world.client_for("nurse").post(
        reverse("prior-auth-request", args=[pa.pk]), {"sent_on": str(TODAY - timedelta(days=2))}
    )
    assert response.status_code == 400
    assert "Sent on: cannot be before the last decision" in response.content.decode()
    assert pa.submissions.count() == 1


def test_coverage_is_recorded_and_bad_input_named(world: World) -> None:
    client = world.client_for("frontdesk")
    url = reverse("prior-auth-coverage", args=[world.patient.pk])
    bad = client.post(url, {"payer": "medicare", "place_of_service": "7"})
    assert bad.status_code == 400 and "Place of service: Select a valid choice." in bad.content.decode()
    assert client.post(url, {"payer": "medicare", "place_of_service": "22"}).status_code == 302
    assert Coverage.objects.get(patient=world.patient).payer == "medicare"
    card = client.get(reverse("patient", args=[world.patient.pk])).content.decode()
    assert 'id="prior-auth-h"' in card and "Original Medicare" in card


# --- who may do what, in which clinic ---------------------------------------------------------------------

ALLOWED = {"physician", "nurse", "frontdesk"}


@pytest.mark.parametrize("role", ["physician", "nurse", "frontdesk", "admin"])
def test_persona_matrix(world: World, role: str) -> None:
    pa = request_for(world.patient, TODAY + timedelta(days=9), TODAY)
    client = world.client_for(role)
    urls = [
        reverse("prior-auth", args=[world.patient.pk]),
        reverse("prior-auth-coverage", args=[world.patient.pk]),
        reverse("prior-auth-new", args=[world.patient.pk]),
        reverse("prior-auth-request", args=[pa.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == (200 if role in ALLOWED else 403), url
    export = client.get(reverse("block-export")).status_code
    assert export == (200 if role in ("physician", "nurse") else 403)
    page = client.get(reverse("patient", args=[world.patient.pk])).content.decode()
    assert ('id="prior-auth-h"' in page) is (role in ALLOWED)
    worklist_page = client.get(reverse("worklist")).content.decode()
    assert ('id="prior-auth-waiting-h"' in worklist_page) is (role in ALLOWED)


def test_another_clinic_gets_404_and_sees_no_lines(world: World) -> None:
    pa = request_for(world.patient, TODAY + timedelta(days=9), TODAY - timedelta(days=20))
    outsider = world.client_for("other-clinic")
    for url in (
        reverse("prior-auth", args=[world.patient.pk]),
        reverse("prior-auth-coverage", args=[world.patient.pk]),
        reverse("prior-auth-new", args=[world.patient.pk]),
        reverse("prior-auth-request", args=[pa.pk]),
    ):
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url, {"sent_on": str(TODAY)}).status_code == 404, url
    assert "Lovelace" not in outsider.get(reverse("worklist")).content.decode()
    assert Request.objects.get().submissions.count() == 1


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    response = Client().get(reverse("prior-auth", args=[world.patient.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_hostile_ids_answer_404(world: World) -> None:
    client = world.client_for("nurse")
    assert client.get("/staff/prior-auth/99999999999999999999999/").status_code == 404
    assert client.get(f"{reverse('prior-auth-new', args=[world.patient.pk])}?procedure=%00x").status_code in (
        200,
        400,
    )


def test_pages_are_audited_with_their_patient(world: World) -> None:
    pa = request_for(world.patient, TODAY + timedelta(days=9), TODAY)
    client = world.client_for("frontdesk")
    for url in (reverse("prior-auth", args=[world.patient.pk]), reverse("prior-auth-request", args=[pa.pk])):
        before = AuditEvent.objects.filter(patient=world.patient, action="view").count()
        client.get(url)
        assert AuditEvent.objects.filter(patient=world.patient, action="view").count() == before + 1


def test_worklist_sections_take_the_same_queries_for_2_and_8_patients(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(start: int, count: int) -> None:
        for i in range(start, start + count):
            patient = make_patient(world.clinic, mrn=f"PA-{i}", family_name=f"Payer{i}")
            make_assessment(patient)
            covered(patient)
            planned(patient, days_ahead=3 + i % 5)
            planned(patient, days_ahead=30 + i % 5)
            request_for(patient, TODAY + timedelta(days=3 + i % 5), TODAY - timedelta(days=9))
            decided = TODAY - timedelta(days=110)
            request_for(
                patient,
                TODAY + timedelta(days=30 + i % 5),
                decided - timedelta(days=4),
                "affirmed",
                decided,
                f"U{i}",
            )

    client = world.client_for("frontdesk")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("worklist")).status_code == 200
        return len(captured)

    add(0, 2)
    with_two = count()
    add(100, 6)
    page = client.get(reverse("worklist")).content.decode()
    for key in ("prior-auth-needed", "prior-auth-waiting", "prior-auth-expiring"):
        assert "Payer105" in section(page, key), key
    assert count() == with_two


HOSTILE = [
    "",
    "abc",
    "-1",
    "1e309",
    "99999999999999999999999",
    "\x00",
    "x" * 5000,
    "<script>",
    "2026-02-30",
    "١٢",
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_never_give_500(world: World, value: str) -> None:
    client = Client(raise_request_exception=True)
    client.force_login(world.users["nurse"])
    waiting = request_for(world.patient, TODAY + timedelta(days=9), TODAY - timedelta(days=2))
    refused = request_for(world.patient, TODAY + timedelta(days=19), TODAY - timedelta(days=9), "non-affirmed",
                          TODAY - timedelta(days=2), "N1")  # fmt: skip
    valid = {"date_of_service": "2026-12-28", "codes": "64635", "payer": "medicare", "place_of_service": "22",
             "sent_on": "2026-12-01", "decision": "affirmed", "decided_on": "2026-12-03", "utn": "A1",
             "reasons": "", "note": "", "plan_name": "", "member_id": "", "procedure": ""}  # fmt: skip
    targets = [
        reverse("prior-auth-new", args=[world.patient.pk]),
        reverse("prior-auth-coverage", args=[world.patient.pk]),
        reverse("prior-auth-request", args=[waiting.pk]),
        reverse("prior-auth-request", args=[refused.pk]),
    ]
    for url in targets:
        for field in valid:
            response = client.post(url, {**valid, field: value})
            assert response.status_code < 500, (url, field)
    query = value[:100].replace("\x00", "%00")
    for name in ("date_from", "date_to"):
        assert (
            client.get(
                f"{reverse('block-export')}?date_from=2026-01-01&date_to=2026-02-01&{name}={query}"
            ).status_code
            < 500
        )


def test_the_demo_clinic_shows_each_prior_authorization_line(db: None) -> None:
    from facetpath.web.demo import DEMO_STAFF, load_demo

    clinic = load_demo()
    client = Client()
    client.force_login(User.objects.get(username=DEMO_STAFF[2][0]))  # the front desk
    page = client.get(reverse("worklist")).content.decode()
    assert "Record request" in section(page, "prior-auth-needed")
    assert "waiting 9 days" in section(page, "prior-auth-waiting")
    assert "UTN DEMO0000000002 · 10 days left" in section(page, "prior-auth-expiring")
    resubmitted = Request.objects.get(patient__clinic=clinic, utn="DEMO0000000002")
    history = client.get(reverse("prior-auth-request", args=[resubmitted.pk])).content.decode()
    assert "Resubmission 1" in history and "quoting DEMO0000000001" in history


def test_a_procedure_moved_within_the_utns_days_stays_covered(world: World) -> None:
    covered(world.patient)
    procedure = planned(world.patient, days_ahead=10)
    pa = request_for(
        world.patient, procedure.date, TODAY - timedelta(days=9), "affirmed", TODAY - timedelta(days=2), "M1"
    )
    Request.objects.filter(pk=pa.pk).update(procedure=procedure)
    Procedure.objects.filter(pk=procedure.pk).update(date=TODAY - timedelta(days=2) + timedelta(days=120))
    assert "Lovelace, Ada" not in section(worklist(world), "prior-auth-needed")
    Procedure.objects.filter(pk=procedure.pk).update(date=TODAY - timedelta(days=2) + timedelta(days=121))
    assert "Lovelace, Ada" in section(worklist(world), "prior-auth-needed")


def test_a_request_saved_first_by_someone_else_is_named_not_a_500(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facetpath.priorauth.forms import RequestForm

    day = TODAY + timedelta(days=9)
    original = RequestForm.clean

    def clean_then_lose_the_race(self: RequestForm) -> dict[str, Any]:
        data = original(self)
        request_for(world.patient, day, TODAY)  # another tab saves between the check and the write
        return data

    monkeypatch.setattr(RequestForm, "clean", clean_then_lose_the_race)
    response = world.client_for("nurse").post(
        reverse("prior-auth-new", args=[world.patient.pk]),
        {"date_of_service": str(day), "codes": "64635", "payer": "medicare", "place_of_service": "22",
         "sent_on": str(TODAY)},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Date of service: a request for this date of service exists" in response.content.decode()
    assert Request.objects.count() == 1
