"""Prior authorization over the JSON API: requests listed and filtered at their boundaries, one request's
history, a request recorded, decided and resubmitted through priorauth.actions (audited in the token's name),
every bad input a 4xx naming its field, the packet checklist as the staff pages build it, and the report
PDFs. Time is frozen (time-machine) so the overdue and validity boundaries hold at any hour. The token
persona matrix over these operations is in test_api.py."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from webfactories import World, make_assessment, make_patient

from facetpath.audit.models import AuditEvent
from facetpath.clinics.api_tokens import make_api_token
from facetpath.clinics.models import ApiToken
from facetpath.patients.models import Patient
from facetpath.priorauth.models import Request, Submission
from facetpath.procedures.models import Procedure
from facetpath.reports import context

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
TODAY = date(2026, 12, 4)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


class Api:
    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + url, params, headers=self.headers)

    def post(self, url: str, body: Any) -> Any:
        return self.client.post(
            "/api/v1" + url, json.dumps(body), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api(world: World) -> Api:
    return Api(make_api_token(world.clinic, "EHR", "read-write")[1])


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
        decided_on=decided, utn=utn, reasons="" if state in ("waiting", "affirmed") else "no second block",
    )  # fmt: skip
    return found


def planned_rfa(patient: Patient, days_ahead: int = 10) -> Procedure:
    return Procedure.objects.create(
        patient=patient, date=TODAY + timedelta(days=days_ahead), type="rfa", joints=["L4-L5", "L5-S1"],
        side="bilateral", status="planned", rfa_technique="thermal",
    )  # fmt: skip


def fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def token_rows(detail: str) -> Any:
    return AuditEvent.objects.filter(username__startswith="API token", detail__startswith=detail)


# --- recording a request --------------------------------------------------------------------------------


def test_a_request_for_a_planned_procedure_takes_its_date_and_codes(world: World, api: Api) -> None:
    rfa = planned_rfa(world.patient)
    body = {"procedure_id": rfa.pk, "payer": "medicare", "place_of_service": "22", "sent_on": "2026-12-04"}
    response = api.post(f"/patients/{world.patient.pk}/prior-auths", body)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["date_of_service"] == rfa.date.isoformat() and answer["procedure_id"] == rfa.pk
    assert answer["codes"] == ["64635", "64636"]  # the core's plan of that RFA
    assert answer["state"] == "waiting" and answer["days_waiting"] == 0 and not answer["overdue"]
    assert [s["number"] for s in answer["submissions"]] == [1]
    row = token_rows("prior authorization for").get()
    assert row.username == ApiToken.objects.get().actor and row.patient_id == world.patient.pk
    assert Request.objects.get().created_by is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sent_on": "2026-12-05"}, "sent_on"),  # tomorrow
        ({"sent_on": "2026-02-30"}, "sent_on"),
        ({"codes": ["6463"]}, "codes"),
        ({"codes": ["64635"] * 13}, "codes"),
        ({"date_of_service": None}, "date_of_service"),
        ({"payer": "medicare-plus"}, "payer"),
        ({"place_of_service": "21"}, "place_of_service"),
        ({"procedure_id": 0}, "procedure_id"),
        ({"procedure_id": 2**63}, "procedure_id"),
    ],
)
def test_a_bad_request_is_refused_naming_its_field(
    world: World, api: Api, change: dict[str, Any], field: str
) -> None:
    body = {"date_of_service": "2026-12-20", "codes": ["64635"], "payer": "medicare",
            "place_of_service": "22", "sent_on": "2026-12-04"} | change  # fmt: skip
    response = api.post(f"/patients/{world.patient.pk}/prior-auths", body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Request.objects.exists()


def test_today_is_a_valid_sending_day(world: World, api: Api) -> None:
    body = {"date_of_service": "2026-12-20", "codes": ["64635"], "payer": "medicare",
            "place_of_service": "22", "sent_on": "2026-12-04"}  # fmt: skip
    assert api.post(f"/patients/{world.patient.pk}/prior-auths", body).status_code == 201


def test_another_patients_procedure_and_a_second_request_for_a_day_are_named(world: World, api: Api) -> None:
    other = planned_rfa(make_patient(world.clinic, mrn="A-2"))
    body = {"procedure_id": other.pk, "payer": "medicare", "place_of_service": "22", "sent_on": "2026-12-04"}
    response = api.post(f"/patients/{world.patient.pk}/prior-auths", body)
    assert (response.status_code, fields(response)[0]) == (422, "procedure_id")
    request_for(world.patient, date(2026, 12, 20), TODAY)
    body = {"date_of_service": "2026-12-20", "codes": ["64635"], "payer": "medicare",
            "place_of_service": "22", "sent_on": "2026-12-04"}  # fmt: skip
    response = api.post(f"/patients/{world.patient.pk}/prior-auths", body)
    assert (response.status_code, fields(response)) == (422, ["date_of_service"])
    assert "one request per date of service" in response.content.decode()


# --- decisions and resubmissions ------------------------------------------------------------------------


def test_an_affirmation_gives_a_utn_valid_through_day_120(world: World, api: Api) -> None:
    pa = request_for(world.patient, date(2026, 12, 20), TODAY - timedelta(days=3))
    body = {"decision": "affirmed", "decided_on": "2026-12-03", "utn": "a1b2-c3"}
    response = api.post(f"/prior-auths/{pa.pk}/decision", body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["state"], answer["utn"], answer["decided_on"]) == ("affirmed", "A1B2-C3", "2026-12-03")
    assert answer["utn_valid_through"] == (date(2026, 12, 3) + timedelta(days=120)).isoformat()
    assert answer["submissions"][0]["decision"] == "affirmed" and not answer["may_resubmit"]
    assert token_rows("prior authorization decision: affirmed").filter(patient=world.patient).exists()
    again = api.post(f"/prior-auths/{pa.pk}/decision", body)
    assert (again.status_code, fields(again)) == (409, ["state"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "affirmed", "decided_on": "2026-12-03"}, "utn"),
        ({"decision": "non-affirmed", "decided_on": "2026-12-03"}, "reasons"),
        ({"decision": "affirmed", "decided_on": "2026-11-30", "utn": "U1"}, "decided_on"),  # before sent
        ({"decision": "affirmed", "decided_on": "2026-12-05", "utn": "U1"}, "decided_on"),  # tomorrow
        ({"decision": "affirmed", "decided_on": "2026-12-03", "utn": "U 1"}, "utn"),
        ({"decision": "maybe", "decided_on": "2026-12-03"}, "decision"),
        ({"decision": "affirmed", "decided_on": "2026-12-03", "utn": "U1", "reasons": "x" * 2001}, "reasons"),
    ],
)
def test_a_bad_decision_is_refused_naming_its_field(
    world: World, api: Api, body: dict[str, Any], field: str
) -> None:
    pa = request_for(world.patient, date(2026, 12, 20), date(2026, 12, 1))
    response = api.post(f"/prior-auths/{pa.pk}/decision", body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    pa.refresh_from_db()
    assert pa.state == "waiting"


def test_the_decision_may_fall_on_the_day_it_was_sent(world: World, api: Api) -> None:
    pa = request_for(world.patient, date(2026, 12, 20), date(2026, 12, 1))
    body = {"decision": "non-affirmed", "decided_on": "2026-12-01", "utn": "N-1", "reasons": "one block only"}
    response = api.post(f"/prior-auths/{pa.pk}/decision", body)
    assert response.status_code == 200 and response.json()["utn_valid_through"] is None


def test_a_non_affirmed_request_is_resubmitted_quoting_its_utn(world: World, api: Api) -> None:
    pa = request_for(
        world.patient, date(2026, 12, 20), date(2026, 11, 20), "non-affirmed", date(2026, 11, 25), "N-9"
    )
    before = api.post(f"/prior-auths/{pa.pk}/resubmissions", {"sent_on": "2026-11-24"})
    assert (before.status_code, fields(before)) == (422, ["sent_on"])  # before the decision
    response = api.post(f"/prior-auths/{pa.pk}/resubmissions", {"sent_on": "2026-11-25", "note": "2nd diary"})
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["state"] == "waiting" and answer["sent_on"] == "2026-11-25" and answer["decided_on"] is None
    assert [(s["number"], s["quoted_utn"], s["note"]) for s in answer["submissions"]] == [
        (1, "", ""),
        (2, "N-9", "2nd diary"),
    ]
    assert token_rows("prior authorization resubmitted (2)").exists()
    again = api.post(f"/prior-auths/{pa.pk}/resubmissions", {"sent_on": "2026-12-04"})
    assert (again.status_code, fields(again)) == (409, ["state"])  # waiting: it takes a decision now


def test_an_affirmed_request_is_not_resubmitted(world: World, api: Api) -> None:
    pa = request_for(
        world.patient, date(2026, 12, 20), date(2026, 11, 20), "affirmed", date(2026, 11, 25), "A-1"
    )
    response = api.post(f"/prior-auths/{pa.pk}/resubmissions", {"sent_on": "2026-12-04"})
    assert (response.status_code, fields(response)) == (409, ["state"])
    assert Submission.objects.filter(request=pa).count() == 1


def test_another_clinics_request_is_not_found_for_every_operation(world: World, api: Api) -> None:
    theirs = request_for(world.other_patient, date(2026, 12, 20), date(2026, 12, 1))
    assert api.get(f"/prior-auths/{theirs.pk}").status_code == 404
    body = {"decision": "affirmed", "decided_on": "2026-12-03", "utn": "U1"}
    assert api.post(f"/prior-auths/{theirs.pk}/decision", body).status_code == 404
    body = {"date_of_service": "2026-12-21", "codes": ["64635"], "payer": "medicare",
            "place_of_service": "22", "sent_on": "2026-12-04"}  # fmt: skip
    assert api.post(f"/patients/{world.other_patient.pk}/prior-auths", body).status_code == 404
    assert Request.objects.count() == 1
    theirs.refresh_from_db()
    assert theirs.state == "waiting"


# --- the list and one request ---------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "overdue"), [(7, False), (8, True)])
def test_a_request_is_overdue_after_seven_days_waiting(
    world: World, api: Api, days: int, overdue: bool
) -> None:
    request_for(world.patient, date(2026, 12, 20), TODAY - timedelta(days=days))
    item = api.get("/prior-auths").json()["items"][0]
    assert (item["days_waiting"], item["overdue"]) == (days, overdue)
    assert len(api.get("/prior-auths", overdue="true").json()["items"]) == int(overdue)
    assert len(api.get("/prior-auths", overdue="false").json()["items"]) == int(not overdue)


def test_the_list_filters_by_state_patient_and_date_of_service(world: World, api: Api) -> None:
    second = make_patient(world.clinic, mrn="A-2", given_name="Bea")
    early = request_for(world.patient, date(2026, 12, 10), date(2026, 12, 1))
    late = request_for(
        world.patient, date(2026, 12, 20), date(2026, 11, 1), "non-affirmed", date(2026, 11, 5), "N"
    )
    theirs = request_for(second, date(2026, 12, 15), date(2026, 12, 2))
    request_for(world.other_patient, date(2026, 12, 15), date(2026, 12, 2))

    def ids(**params: Any) -> list[int]:
        response = api.get("/prior-auths", **params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [early.pk, theirs.pk, late.pk]  # by date of service; never another clinic's
    assert ids(state="waiting") == [early.pk, theirs.pk]
    assert ids(state="non-affirmed") == [late.pk]
    assert ids(patient_id=second.pk) == [theirs.pk]
    assert ids(since="2026-12-15") == [theirs.pk, late.pk]
    assert ids(since="2026-12-16") == [late.pk]
    assert ids(until="2026-12-10") == [early.pk]
    assert ids(until="2026-12-09") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"state": "pending"}, "state"), ({"since": "2026-13-01"}, "since"),
     ({"since": "2026-12-05", "until": "2026-12-04"}, "until"), ({"patient_id": "x"}, "patient_id"),
     ({"cursor": "nope"}, "cursor"), ({"limit": 0}, "limit"), ({"overdue": "maybe"}, "overdue")],
)  # fmt: skip
def test_a_bad_list_filter_is_422_naming_it(
    world: World, api: Api, params: dict[str, Any], field: str
) -> None:
    response = api.get("/prior-auths", **params)
    assert (response.status_code, fields(response)) == (422, [field])


def test_pages_follow_the_date_of_service_without_repeats(world: World, api: Api) -> None:
    made = [
        request_for(world.patient, date(2026, 12, 10 + n % 3) + timedelta(days=n * 3), TODAY).pk
        for n in range(5)
    ]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        answer = api.get("/prior-auths", **params).json()
        seen += [item["id"] for item in answer["items"]]
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    order = list(Request.objects.order_by("date_of_service", "id").values_list("pk", flat=True))
    assert seen == order


def test_the_list_audits_each_patient_and_one_request_names_its_patient(world: World, api: Api) -> None:
    pa = request_for(world.patient, date(2026, 12, 20), TODAY)
    api.get("/prior-auths")
    assert token_rows("API prior authorizations").get().patient_id == world.patient.pk
    response = api.get(f"/prior-auths/{pa.pk}")
    assert response.json()["submissions"][0]["sent_on"] == "2026-12-04"
    assert token_rows("API prior authorization").exclude(
        detail__contains="authorizations"
    ).get().object_id == str(pa.pk)


# --- the checklist and the PDFs -------------------------------------------------------------------------


def test_the_checklist_is_the_packets_with_what_is_missing(world: World, api: Api) -> None:
    response = api.get(f"/patients/{world.patient.pk}/prior-auth-checklist")
    assert response.status_code == 200, response.content
    answer = response.json()
    packet = context.packet(world.patient)
    assert packet.checklist is not None
    assert [item["id"] for item in answer["items"]] == [item.id for item in packet.checklist.items]
    assert answer["missing"] == [item.id for item in packet.checklist.open_items]
    assert answer["summary"] == packet.checklist.summary() and answer["ready"] is packet.checklist.ready
    assert all(item["to_add"] for item in answer["items"] if item["status"] != "met")
    assert token_rows("API prior-authorization checklist").get().patient_id == world.patient.pk


def test_without_an_assessment_the_checklist_says_why(world: World, api: Api) -> None:
    newcomer = make_patient(world.clinic, mrn="A-3")
    answer = api.get(f"/patients/{newcomer.pk}/prior-auth-checklist").json()
    assert answer["items"] == [] and answer["planned"] is None and not answer["ready"]
    assert "assessment" in answer["problems"][0]
    make_assessment(newcomer)
    answer = api.get(f"/patients/{newcomer.pk}/prior-auth-checklist").json()
    assert answer["planned"] is None and "No procedure to authorize" in answer["problems"][0]
    rfa = planned_rfa(newcomer)
    answer = api.get(f"/patients/{newcomer.pk}/prior-auth-checklist").json()
    assert (
        answer["planned"]["procedure_id"] == rfa.pk and answer["packet"] == "RFA" and not answer["problems"]
    )
    assert "PA-BLOCKS" in answer["missing"] and not answer["ready"]
    assert [line["code"] for line in answer["codes"]] == ["64635", "64636"]  # bilateral: modifier 50


@pytest.mark.parametrize("kind", ["packet", "block"])
def test_the_pdfs_download_and_are_audited_as_exports(world: World, api: Api, kind: str) -> None:
    url = (
        f"/patients/{world.patient.pk}/prior-auth-packet.pdf"
        if kind == "packet"
        else f"/procedures/{world.procedure.pk}/report.pdf"
    )
    response = api.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith('attachment; filename="')
    row = AuditEvent.objects.get(action="export")
    assert row.username == ApiToken.objects.get().actor and row.patient_id == world.patient.pk


HOSTILE: list[Any] = ["", "abc", "-1", "9" * 30, 10**30, -1, 1e308, "\x00", "x" * 5000, None, [], {}, True, "١٢",
                      "2026-02-30", ["\x00"], ["x" * 5000]]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_in_every_prior_auth_field_never_give_500(world: World, api: Api, value: Any) -> None:
    waiting = request_for(world.patient, date(2026, 12, 20), date(2026, 12, 1))
    refused = request_for(
        world.patient, date(2026, 12, 22), date(2026, 11, 1), "non-affirmed", date(2026, 11, 5), "N"
    )
    writes = [
        (f"/patients/{world.patient.pk}/prior-auths",
         {"procedure_id": None, "date_of_service": "2026-12-24", "codes": ["64635"], "payer": "medicare",
          "place_of_service": "22", "sent_on": "2026-12-04"}),
        (f"/prior-auths/{waiting.pk}/decision",
         {"decision": "partial", "decided_on": "2026-12-03", "utn": "P-1", "reasons": "one level"}),
        (f"/prior-auths/{refused.pk}/resubmissions", {"sent_on": "2026-12-04", "note": "more"}),
    ]  # fmt: skip
    for url, body in writes:
        for field in body:
            response = api.post(url, body | {field: value})
            assert response.status_code < 500, (url, field, response.content[:300])
            if response.status_code in (409, 422):
                assert response.json()["errors"], (url, field)
