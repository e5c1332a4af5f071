"""The JSON API (/api/v1/): every endpoint for each kind of caller (the persona matrix, with tokens),
clinic isolation, cursor pagination, filters, `POST /evaluate` equal to the command line, bad input.

Callers: a read token and a read-write token of clinic A, the same for clinic B, a revoked token, a
made-up one, none, and a signed-in physician's session without a token (sessions never open the API).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from webfactories import GOOD_DIARY, World, make_assessment, make_block, make_patient

from facetpath.audit.models import AuditEvent
from facetpath.clinics.api_tokens import make_api_token
from facetpath.clinics.models import ApiToken
from facetpath.fhir.export import everything
from facetpath.patients.models import Patient
from facetpath.priorauth.models import Request, Submission
from facetpath.procedures.models import FollowUp, Procedure

EXAMPLE = Path(__file__).resolve().parents[2] / "facetpath" / "examples" / "spec-example.json"


class Caller:
    def __init__(self, secret: str | None = None, session: Client | None = None) -> None:
        self.client = session or Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(url, params, headers=self.headers)

    def post(self, url: str, body: Any, **params: Any) -> Any:
        text = body if isinstance(body, str | bytes) else json.dumps(body)
        query = ("?" + "&".join(f"{k}={v}" for k, v in params.items())) if params else ""
        return self.client.post(url + query, text, content_type="application/json", headers=self.headers)


@pytest.fixture
def callers(world: World) -> dict[str, Caller]:
    made = {
        "read": make_api_token(world.clinic, "EHR read", "read"),
        "write": make_api_token(world.clinic, "EHR write", "read-write"),
        "other-read": make_api_token(world.other_clinic, "B read", "read"),
        "other-write": make_api_token(world.other_clinic, "B write", "read-write"),
        "revoked": make_api_token(world.clinic, "old", "read-write"),
    }
    ApiToken.objects.filter(pk=made["revoked"][0].pk).update(
        revoked_at=world.clinic.patients.first().created_at
    )
    callers = {name: Caller(secret) for name, (_, secret) in made.items()}
    callers["made-up"] = Caller("fp_" + "x" * 43)
    callers["nobody"] = Caller()
    callers["session"] = Caller(session=world.client_for("physician"))
    return callers


def bundle_of(patient: Patient) -> dict[str, Any]:
    return everything(patient, "http://testserver/fhir/r4/")


def follow_up_body(world: World) -> dict[str, Any]:
    return {"date": world.procedure.date.isoformat(), "pain": 3}


def prior_auth_of(world: World) -> Request:
    """The patient's waiting prior-authorization request (made on first use)."""
    found = Request.objects.filter(patient=world.patient).first()
    if found is None:
        sent = world.clinic.today() - timedelta(days=2)
        found = Request.objects.create(
            clinic=world.clinic, patient=world.patient, date_of_service=sent + timedelta(days=20),
            codes=["64635"], payer="medicare", place_of_service="22", sent_on=sent,
        )  # fmt: skip
        Submission.objects.create(request=found, number=1, sent_on=sent)
    return found


def prior_auth_body(world: World) -> dict[str, Any]:
    day = world.clinic.today()
    return {"date_of_service": (day + timedelta(days=30)).isoformat(), "codes": ["64635"], "payer": "medicare",
            "place_of_service": "22", "sent_on": day.isoformat()}  # fmt: skip


def decision_body(world: World) -> dict[str, Any]:
    return {"decision": "affirmed", "decided_on": world.clinic.today().isoformat(), "utn": "UTN-1"}


def patient_body(world: World) -> dict[str, Any]:
    return {"mrn": "EHR-77", "given_name": "Grace", "family_name": "Hopper", "birth_date": "1950-12-09"}


# path from the world, method, body, is it one record of clinic A (another clinic's token: 404)
Endpoint = tuple[str, Callable[[World], str], str, Callable[[World], Any] | None, bool]
READS: list[Endpoint] = [
    ("patients", lambda w: "/api/v1/patients", "get", None, False),
    ("patient", lambda w: f"/api/v1/patients/{w.patient.pk}", "get", None, True),
    ("evaluation", lambda w: f"/api/v1/patients/{w.patient.pk}/evaluation", "get", None, True),
    ("assessments", lambda w: "/api/v1/assessments", "get", None, False),
    ("procedures", lambda w: "/api/v1/procedures", "get", None, False),
    ("procedure", lambda w: f"/api/v1/procedures/{w.procedure.pk}", "get", None, True),
    ("diary", lambda w: f"/api/v1/procedures/{w.procedure.pk}/diary", "get", None, True),
    ("follow-ups", lambda w: f"/api/v1/procedures/{w.procedure.pk}/follow-ups", "get", None, True),
    ("schedule", lambda w: "/api/v1/schedule", "get", None, False),
    ("evaluate", lambda w: "/api/v1/evaluate", "post", lambda w: json.loads(EXAMPLE.read_text()), False),
    ("prior-auths", lambda w: "/api/v1/prior-auths", "get", None, False),
    ("prior-auth", lambda w: f"/api/v1/prior-auths/{prior_auth_of(w).pk}", "get", None, True),
    ("checklist", lambda w: f"/api/v1/patients/{w.patient.pk}/prior-auth-checklist", "get", None, True),
    ("packet pdf", lambda w: f"/api/v1/patients/{w.patient.pk}/prior-auth-packet.pdf", "get", None, True),
    ("block report pdf", lambda w: f"/api/v1/procedures/{w.procedure.pk}/report.pdf", "get", None, True),
    ("evaluate fhir", lambda w: "/api/v1/evaluate/fhir", "post", lambda w: bundle_of(w.patient), False),
]
WRITES: list[Endpoint] = [
    ("new patient", lambda w: "/api/v1/patients", "post", patient_body, False),
    ("follow-up", lambda w: f"/api/v1/procedures/{w.procedure.pk}/follow-ups", "post", follow_up_body, True),
    (
        "prior-auth request",
        lambda w: f"/api/v1/patients/{w.patient.pk}/prior-auths",
        "post",
        prior_auth_body,
        True,
    ),
    (
        "decision",
        lambda w: f"/api/v1/prior-auths/{prior_auth_of(w).pk}/decision",
        "post",
        decision_body,
        True,
    ),
    (
        "resubmission",
        lambda w: f"/api/v1/prior-auths/{prior_auth_of(w).pk}/resubmissions",
        "post",
        lambda w: {"sent_on": w.clinic.today().isoformat()},
        True,
    ),
]


def call(world: World, caller: Caller, endpoint: Endpoint) -> Any:
    _, url, method, body, _ = endpoint
    if method == "get":
        return caller.get(url(world))
    return caller.post(url(world), body(world) if body else {})


@pytest.mark.parametrize("endpoint", READS + WRITES, ids=[e[0] for e in READS + WRITES])
@pytest.mark.parametrize("who", ["revoked", "made-up", "nobody", "session"])
def test_without_a_valid_token_nothing_opens(
    world: World, callers: dict[str, Caller], who: str, endpoint: Endpoint
) -> None:
    before = AuditEvent.objects.exclude(action__startswith="api-token").count()
    response = call(world, callers[who], endpoint)
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"]
    assert AuditEvent.objects.count() == before  # nothing was read, so nothing to audit


@pytest.mark.parametrize("endpoint", READS, ids=[e[0] for e in READS])
@pytest.mark.parametrize("who", ["read", "write"])
def test_both_scopes_read_their_clinic(
    world: World, callers: dict[str, Caller], who: str, endpoint: Endpoint
) -> None:
    response = call(world, callers[who], endpoint)
    assert response.status_code == 200, response.content
    token = ApiToken.objects.get(name="EHR read" if who == "read" else "EHR write")
    rows = AuditEvent.objects.filter(username=token.actor, clinic=world.clinic)
    assert rows.exists()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "endpoint", [e for e in READS + WRITES if e[4]], ids=[e[0] for e in READS + WRITES if e[4]]
)
@pytest.mark.parametrize("who", ["other-read", "other-write"])
def test_another_clinics_token_gets_404_for_our_records(
    world: World, callers: dict[str, Caller], who: str, endpoint: Endpoint
) -> None:
    response = call(world, callers[who], endpoint)
    expected = 403 if endpoint in WRITES and who == "other-read" else 404
    assert response.status_code == expected, response.content
    assert "Lovelace" not in response.content.decode()


@pytest.mark.parametrize(
    "endpoint",
    [e for e in READS if not e[4] and e[2] == "get"],
    ids=[e[0] for e in READS if not e[4] and e[2] == "get"],
)
def test_another_clinics_lists_do_not_show_our_records(
    world: World, callers: dict[str, Caller], endpoint: Endpoint
) -> None:
    make_block(world.other_patient, status="planned", days_ago=-1)
    response = call(world, callers["other-read"], endpoint)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Lovelace" not in text and f'"patient_id": {world.patient.pk},' not in text.replace(
        f'"patient_id": {world.other_patient.pk},', ""
    )


@pytest.mark.parametrize("endpoint", WRITES, ids=[e[0] for e in WRITES])
def test_a_read_token_may_not_write(world: World, callers: dict[str, Caller], endpoint: Endpoint) -> None:
    prior_auth_of(world)
    counts = [model.objects.count() for model in (Patient, FollowUp, Request, Submission)]
    response = call(world, callers["read"], endpoint)
    assert response.status_code == 403
    assert "only read" in response.json()["detail"]
    assert [model.objects.count() for model in (Patient, FollowUp, Request, Submission)] == counts
    assert Request.objects.get().state == "waiting"


def test_a_read_write_token_refers_a_patient_audited_in_its_name(
    world: World, callers: dict[str, Caller]
) -> None:
    response = call(world, callers["write"], WRITES[0])
    assert response.status_code == 201, response.content
    made = Patient.objects.get(mrn="EHR-77")
    assert made.clinic == world.clinic and response.json()["id"] == made.pk
    row = AuditEvent.objects.get(action="create", patient=made)
    assert row.username == ApiToken.objects.get(name="EHR write").actor and row.who is None
    again = call(world, callers["write"], WRITES[0])
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "mrn"


def test_a_read_write_token_records_a_follow_up_and_the_stage_moves(
    world: World, callers: dict[str, Caller]
) -> None:
    rfa = make_block(
        world.patient, type="rfa", intent="", days_ago=100, agent_name="", rfa_technique="thermal"
    )
    url = f"/api/v1/procedures/{rfa.pk}/follow-ups"
    response = callers["write"].post(url, {"date": world.clinic.today().isoformat(), "pain": 2})
    assert response.status_code == 201, response.content
    visit = FollowUp.objects.get(procedure=rfa)
    assert visit.pain == 2 and visit.entered_by is None
    assert AuditEvent.objects.filter(action="create", object_type="followup", patient=world.patient).exists()
    assert callers["read"].get(f"/api/v1/procedures/{rfa.pk}/follow-ups").json()[0]["pain"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2020-01-01", "pain": 3}, "date"),  # before the procedure
        ({"date": "tomorrow", "pain": 3}, "date"),
        ({"pain": 3}, "date"),
        ({"date": "{today}", "pain": 11}, "pain"),  # NRS-11 tops at 10
        ({"date": "{today}", "pain": 10**30}, "pain"),
        ({"date": "{today}"}, "pain"),  # neither score
        ({"date": "{today}", "pain": "three"}, "pain"),
    ],
)
def test_a_bad_follow_up_names_its_field(
    world: World, callers: dict[str, Caller], body: dict[str, Any], field: str
) -> None:
    body = {
        k: (v.replace("{today}", world.clinic.today().isoformat()) if isinstance(v, str) else v)
        for k, v in body.items()
    }
    response = callers["write"].post(f"/api/v1/procedures/{world.procedure.pk}/follow-ups", body)
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"given_name": "A", "family_name": "B"}, "mrn"),
        ({"mrn": "X\x00", "given_name": "A", "family_name": "B"}, "mrn"),
        ({"mrn": "X-1", "given_name": "A" * 101, "family_name": "B"}, "given_name"),
        ({"mrn": "X-1", "given_name": "A", "family_name": "B", "sex": "robot"}, "sex"),
        ({"mrn": "X-1", "given_name": "A", "family_name": "B", "email": "not an address"}, "email"),
        ({"mrn": "X-1", "given_name": "A", "family_name": "B", "birth_date": "99999-01-01"}, "birth_date"),
        (
            {"mrn": "X-1", "given_name": "A", "family_name": "B", "preferred_language": "xx"},
            "preferred_language",
        ),
    ],
)
def test_a_bad_referral_names_its_field(
    world: World, callers: dict[str, Caller], body: dict[str, Any], field: str
) -> None:
    count = Patient.objects.count()
    response = callers["write"].post("/api/v1/patients", body)
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert Patient.objects.count() == count


# --- pagination and filters --------------------------------------------------------------------------


def test_pages_cover_every_row_once_in_a_stable_order(world: World, callers: dict[str, Caller]) -> None:
    today = world.clinic.today()
    for n in range(23):  # several on the same day: the id breaks the tie
        make_block(world.patient, date=today - timedelta(days=n % 4), status="planned")
    expected = list(
        Procedure.objects.filter(patient__clinic=world.clinic)
        .order_by("date", "id")
        .values_list("id", flat=True)
    )
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        body = callers["read"].get("/api/v1/procedures", **params).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected and pages == 5  # 24 rows, 5 a page


def test_a_row_added_between_pages_neither_repeats_nor_skips(
    world: World, callers: dict[str, Caller]
) -> None:
    for n in range(6):
        make_patient(world.clinic, mrn=f"P-{n}")
    first = callers["read"].get("/api/v1/patients", limit=4).json()
    make_patient(world.clinic, mrn="late")
    second = callers["read"].get("/api/v1/patients", limit=10, cursor=first["next_cursor"]).json()
    ids = [p["id"] for p in first["items"] + second["items"]]
    assert ids == sorted(set(ids)) and len(ids) == Patient.objects.filter(clinic=world.clinic).count()


@pytest.mark.parametrize("cursor", ["junk", "W10", "a" * 500, "[1]:forged"])
def test_a_cursor_we_did_not_make_is_refused_by_name(
    world: World, callers: dict[str, Caller], cursor: str
) -> None:
    response = callers["read"].get("/api/v1/procedures", cursor=cursor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


def test_a_patients_cursor_does_not_page_procedures(world: World, callers: dict[str, Caller]) -> None:
    for n in range(3):
        make_patient(world.clinic, mrn=f"P-{n}")
    cursor = callers["read"].get("/api/v1/patients", limit=1).json()["next_cursor"]
    response = callers["read"].get("/api/v1/procedures", cursor=cursor)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"


def test_filters_by_date_status_type_and_stage(world: World, callers: dict[str, Caller]) -> None:
    today = world.clinic.today()
    planned = make_block(world.patient, date=today + timedelta(days=2), status="planned")
    rfa = make_block(world.patient, date=today - timedelta(days=1), type="rfa", intent="", agent_name="")
    read = callers["read"]

    def ids(url: str, **params: Any) -> set[int]:
        response = read.get(url, **params)
        assert response.status_code == 200, response.content
        return {item.get("id", item.get("procedure_id")) for item in response.json()["items"]}

    assert ids("/api/v1/procedures", status="planned") == {planned.pk}
    assert ids("/api/v1/procedures", type="rfa") == {rfa.pk}
    # both ends inclusive, both sides of each boundary
    assert ids("/api/v1/procedures", since=(today - timedelta(days=1)).isoformat()) == {planned.pk, rfa.pk}
    assert ids("/api/v1/procedures", since=today.isoformat()) == {planned.pk}
    assert ids("/api/v1/procedures", until=(today - timedelta(days=1)).isoformat()) == {
        rfa.pk,
        world.procedure.pk,
    }
    assert world.procedure.date == today - timedelta(days=3)
    assert ids("/api/v1/procedures", until=(today - timedelta(days=2)).isoformat()) == {world.procedure.pk}
    assert ids("/api/v1/procedures", until=(today - timedelta(days=4)).isoformat()) == set()
    assert ids("/api/v1/schedule", since=(today + timedelta(days=2)).isoformat()) == {planned.pk}
    assert ids("/api/v1/schedule", since=(today + timedelta(days=3)).isoformat()) == set()
    # The calendar's last week: a week from since would pass 9999-12-31 (was a 500).
    assert ids("/api/v1/schedule", since="9999-12-31") == set()
    Patient.objects.filter(pk=world.patient.pk).update(stage="rfa-due")
    assert ids("/api/v1/patients", stage="rfa-due") == {world.patient.pk}
    assert ids("/api/v1/patients", stage="new") == set()
    assert ids("/api/v1/assessments", since=world.assessment.date.isoformat()) == {world.assessment.pk}
    assert ids("/api/v1/assessments", since=(world.assessment.date + timedelta(days=1)).isoformat()) == set()


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/procedures", {"since": "2026-13-01"}, "since"),
        ("/api/v1/procedures", {"until": "yesterday"}, "until"),
        ("/api/v1/procedures", {"since": "2026-02-01", "until": "2026-01-01"}, "until"),
        ("/api/v1/procedures", {"status": "finished"}, "status"),
        ("/api/v1/procedures", {"type": "laser"}, "type"),
        ("/api/v1/procedures", {"limit": "0"}, "limit"),
        ("/api/v1/procedures", {"limit": "101"}, "limit"),
        ("/api/v1/procedures", {"limit": "9" * 40}, "limit"),
        ("/api/v1/procedures", {"patient_id": "9" * 40}, "patient_id"),
        ("/api/v1/patients", {"stage": "cured"}, "stage"),
        ("/api/v1/schedule", {"since": "0000-01-01"}, "since"),
        ("/api/v1/evaluate", {"policy": "strict"}, "policy"),
    ],
)
def test_a_bad_filter_is_422_naming_it(
    world: World, callers: dict[str, Caller], url: str, params: dict[str, str], field: str
) -> None:
    caller = callers["read"]
    if url.endswith("evaluate"):
        response = caller.post(url, EXAMPLE.read_text(), **params)
    else:
        response = caller.get(url, **params)
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    "url", ["/api/v1/patients/{n}", "/api/v1/procedures/{n}", "/api/v1/procedures/{n}/diary"]
)
@pytest.mark.parametrize("number", ["0", "-1", "9" * 30, "abc", "1.5"])
def test_an_id_that_cannot_be_a_record_is_refused_not_500(
    world: World, callers: dict[str, Caller], url: str, number: str
) -> None:
    response = callers["read"].get(url.replace("{n}", number))
    assert response.status_code in (404, 422), response.content


def test_a_nul_in_the_query_is_400_naming_the_field(world: World, callers: dict[str, Caller]) -> None:
    response = callers["read"].get("/api/v1/procedures", since="2026\x00")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "since"


# --- evaluate ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["medicare-lcd", "consensus-2020", "sis"])
def test_evaluate_answers_exactly_what_the_command_prints(
    world: World, callers: dict[str, Caller], policy: str
) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "facetpath.cli", "evaluate", str(EXAMPLE), "--policy", policy],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    response = callers["read"].post("/api/v1/evaluate", EXAMPLE.read_bytes(), policy=policy)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == printed
    assert json.loads(response.content) == json.loads(printed)


def test_evaluate_defaults_to_the_clinics_policy_and_is_audited(
    world: World, callers: dict[str, Caller]
) -> None:
    world.clinic.default_policy = "consensus-2020"
    world.clinic.save()
    response = callers["read"].post("/api/v1/evaluate", EXAMPLE.read_bytes())
    assert response.json()["policy"] == "consensus-2020"
    row = AuditEvent.objects.get(action="evaluate")
    assert row.patient is None and "consensus-2020" in row.detail


@pytest.mark.parametrize("policy", ["medicare-lcd", "sis"])
def test_evaluate_fhir_answers_exactly_what_the_command_prints(
    world: World, callers: dict[str, Caller], policy: str, tmp_path: Path
) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle_of(world.patient)))
    printed = subprocess.run(
        [sys.executable, "-m", "facetpath.cli", "evaluate", "--fhir", str(path), "--policy", policy],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    response = callers["read"].post("/api/v1/evaluate/fhir", path.read_bytes(), policy=policy)
    assert response.status_code == 200, response.content
    assert response.content == printed
    row = AuditEvent.objects.get(action="evaluate")
    assert row.patient is None and "FHIR" in row.detail and policy in row.detail


def _without(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != kind]
    return bundle


def _procedure_without_site(bundle: dict[str, Any]) -> dict[str, Any]:
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "Procedure":
            entry["resource"]["bodySite"] = [{"text": "somewhere"}]
    return bundle


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: _without(b, "QuestionnaireResponse"), "QuestionnaireResponse.questionnaire"),
        (lambda b: _without(b, "Patient"), "Bundle.entry"),
        (_procedure_without_site, "Procedure/proc-"),
        (lambda b: {"resourceType": "Patient"}, "Bundle"),
        (lambda b: [1, 2], "Bundle"),
    ],
)
def test_a_bundle_that_cannot_be_mapped_is_422_naming_resource_and_element(
    world: World, callers: dict[str, Caller], change: Callable[[Any], Any], field: str
) -> None:
    response = callers["read"].post("/api/v1/evaluate/fhir", change(bundle_of(world.patient)))
    assert response.status_code == 422, response.content
    fields = [error["field"] for error in response.json()["errors"]]
    assert any(f.startswith(field) for f in fields), fields
    assert response.json()["detail"].startswith("Bundle: cannot be read as a case")
    assert not AuditEvent.objects.filter(action="evaluate").exists()


@pytest.mark.parametrize("body", [b"", b"{not json", b"\xff\xfe", b"[" * 50_000])
def test_a_bundle_that_is_not_json_is_422_naming_the_body(
    world: World, callers: dict[str, Caller], body: bytes
) -> None:
    response = callers["read"].post("/api/v1/evaluate/fhir", body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] in ("body", "Bundle")


def _example(**changes: Any) -> dict[str, Any]:
    case = json.loads(EXAMPLE.read_text())
    case.update(changes)
    return case


def _with_joint(joint: str) -> dict[str, Any]:
    case = _example()
    case["procedures"][0]["joints"][0] = joint
    return case


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"", "case"),
        (b"{not json", "case"),
        (b"\xff\xfe", "case"),
        (b"[" * 50_000, "case"),
        (b'{"format": 1' + b"0" * 5000 + b"}", "case"),
        (json.dumps(_example(format="facetpath.case/2")).encode(), "format"),
        (json.dumps(_with_joint("L6-S1")).encode(), "procedures[0].joints[0]"),
        (json.dumps(_example(extra=True)).encode(), "extra"),
        (json.dumps(_example(patient={"id": "\x00"})).encode(), None),
        (json.dumps([1, 2]).encode(), "case"),
    ],
)
def test_a_bad_case_is_422_naming_the_json_path(
    world: World, callers: dict[str, Caller], body: bytes, field: str | None
) -> None:
    response = callers["read"].post("/api/v1/evaluate", body)
    if field is None:  # a NUL in a string is data, not an error: nothing is stored
        assert response.status_code in (200, 422)
        return
    assert response.status_code == 422, response.content
    fields = [error["field"] for error in response.json()["errors"]]
    assert any(f == field or f.startswith(field) for f in fields), fields


@pytest.mark.parametrize("number", ["1e999", "-1e999", "1" + "0" * 300, "0.1e-400", "NaN", "Infinity"])
@pytest.mark.parametrize("where", ["baseline_pain", "pain_duration_months"])
def test_huge_numbers_in_a_case_are_refused_or_evaluated_never_500(
    world: World, callers: dict[str, Caller], number: str, where: str
) -> None:
    text = EXAMPLE.read_text()
    case = json.loads(text)
    case["assessment"][where] = "__N__"
    body = json.dumps(case).replace('"__N__"', number)
    response = callers["read"].post("/api/v1/evaluate", body)
    assert response.status_code in (200, 422), response.content


def test_malformed_json_to_a_write_is_400_naming_the_body(world: World, callers: dict[str, Caller]) -> None:
    response = callers["write"].post("/api/v1/patients", b"{nope")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "body", "message": "not valid JSON"}]


def test_a_huge_body_is_refused_not_500(world: World, callers: dict[str, Caller]) -> None:
    response = callers["read"].post("/api/v1/evaluate", b" " * (3 * 1024 * 1024))
    assert 400 <= response.status_code < 500


# --- the audit trail and the session ---------------------------------------------------------------------


def test_a_list_audits_each_patient_it_shows(world: World, callers: dict[str, Caller]) -> None:
    second = make_patient(world.clinic, mrn="A-2")
    make_assessment(second)
    make_block(second, diary=GOOD_DIARY)
    callers["read"].get("/api/v1/procedures")
    rows = AuditEvent.objects.filter(detail="API procedures")
    assert {row.patient_id for row in rows} == {world.patient.pk, second.pk}
    assert {row.username for row in rows} == {ApiToken.objects.get(name="EHR read").actor}


def test_an_empty_list_is_audited_once(world: World, callers: dict[str, Caller]) -> None:
    callers["read"].get("/api/v1/schedule")
    assert AuditEvent.objects.filter(detail__startswith="API schedule", patient=None).count() == 1


def test_a_session_riding_along_with_a_token_is_not_the_one_audited(world: World) -> None:
    _, secret = make_api_token(world.clinic, "EHR", "read")
    caller = Caller(secret, session=world.client_for("physician"))
    assert caller.get(f"/api/v1/patients/{world.patient.pk}").status_code == 200
    row = AuditEvent.objects.get(detail="API patient")
    assert row.who is None and row.username.startswith("API token")


def test_the_schema_and_docs_page_need_no_token(world: World) -> None:
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/procedures", "/api/v1/evaluate", "/api/v1/patients/{patient_id}"} <= set(
        document["paths"]
    )
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert "script-src 'self'" in docs["Content-Security-Policy"]


HOSTILE: list[Any] = [
    "",
    "abc",
    "-1",
    "1e309",
    "9" * 30,
    10**30,
    -1,
    1e308,
    "\x00",
    "x" * 5000,
    None,
    [],
    {},
    True,
    "١٢",
    "2026-02-30",
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_in_every_write_field_never_give_500(
    world: World, callers: dict[str, Caller], value: Any
) -> None:
    writes = [
        (
            "/api/v1/patients",
            patient_body(world)
            | {
                "sex": "female",
                "phone": "",
                "email": "",
                "preferred_language": "en",
                "sms_consent": False,
                "email_consent": False,
            },
        ),
        (
            f"/api/v1/procedures/{world.procedure.pk}/follow-ups",
            follow_up_body(world) | {"disability_score": 10},
        ),
    ]
    for url, body in writes:
        for field in body:
            response = callers["write"].post(url, body | {field: value})
            assert response.status_code < 500, (url, field, response.content[:300])
            if response.status_code == 422:
                assert response.json()["errors"], (url, field)


def test_every_operation_in_the_schema_is_in_the_matrix(world: World) -> None:
    """A new operation must join READS or WRITES above, so the token matrix and the audit check cover it."""
    document = Client().get("/api/v1/openapi.json").json()
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    covered = {(method, url(world)) for _, url, method, _, _ in READS + WRITES}
    templated = {
        (
            method,
            path.replace("{patient_id}", str(world.patient.pk))
            .replace("{procedure_id}", str(world.procedure.pk))
            .replace("{request_id}", str(prior_auth_of(world).pk)),
        )
        for method, path in operations
    }
    assert templated == covered


def test_csrf_is_no_hole_tokens_need_none_and_sessions_open_nothing(world: World) -> None:
    """A token's POST needs no CSRF token (no cookie authenticates it, so a forged cross-site request carries
    no credential); a signed-in browser's POST without a token is refused, CSRF token or not."""
    _, secret = make_api_token(world.clinic, "EHR", "read-write")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/api/v1/patients",
        json.dumps(patient_body(world)),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["nurse"])
    body = json.dumps(patient_body(world) | {"mrn": "CSRF-1"})
    assert browser.post("/api/v1/patients", body, content_type="application/json").status_code == 401
    assert not Patient.objects.filter(mrn="CSRF-1").exists()
