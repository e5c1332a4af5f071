"""FHIR R4 (docs/fhir.md): every exported resource passes HL7's R4 JSON Schema and fhir.resources' R4B models,
every reference resolves inside the export, each demo patient goes out and back in to the same evaluation,
and the endpoints are clinic-scoped, audited and answer FHIR JSON."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import time_machine
from django.core.cache import cache as django_cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from webfactories import GOOD_DIARY, World, make_assessment, make_block, make_patient

from facetpath.audit.models import AuditEvent
from facetpath.cli import main as facetpath
from facetpath.clinical import evaluate_case, parse_case
from facetpath.clinics.api_tokens import make_api_token
from facetpath.clinics.models import ApiToken, Clinic
from facetpath.fhir.export import clinic_export, everything, pages
from facetpath.fhir.imports import BundleError, case_from_bundle
from facetpath.patients.models import Patient
from facetpath.priorauth.models import Coverage, Submission
from facetpath.priorauth.models import Request as PriorAuthRequest
from facetpath.procedures import interpretation
from facetpath.procedures.models import SignOff

SCHEMA = Path(__file__).resolve().parents[1] / "fhir_schema" / "fhir.schema.json"


@cache
def validator(resource_type: str) -> jsonschema.Draft6Validator:
    """HL7's schema, entered at the resource's own definition (the root's oneOf over 150 types is slow)."""
    definitions = json.loads(SCHEMA.read_text())["definitions"]
    return jsonschema.Draft6Validator({"$ref": f"#/definitions/{resource_type}", "definitions": definitions})


def schema_errors(resource: dict[str, Any]) -> list[str]:
    found = validator(resource["resourceType"]).iter_errors(resource)
    return [
        f"{list(error.absolute_path)}: {error.message[:200]}"
        for error in found
        # The schema's FHIRVersion list stops at 4.0.0, the R4 release it was built from; the technical
        # correction 4.0.1 is R4 too, and is what the CapabilityStatement names (tests/fhir_schema/SOURCE.md).
        if not (list(error.absolute_path) == ["fhirVersion"] and error.instance == "4.0.1")
    ]


def references(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


@pytest.fixture
def demo(db: None) -> Clinic:
    from facetpath.web.demo import load_demo

    return load_demo()


def test_every_exported_resource_is_valid_r4_and_every_reference_resolves(demo: Clinic) -> None:
    exported = [resource for _kind, resource in clinic_export(demo)]
    kinds = {resource["resourceType"] for resource in exported}
    assert {
        "Patient",
        "Organization",
        "Practitioner",
        "Condition",
        "Procedure",
        "Observation",
        "QuestionnaireResponse",
        "ServiceRequest",
        "AuditEvent",
        "Questionnaire",
        "CodeSystem",
        "DocumentReference",
        "Claim",
        "ClaimResponse",
        "Coverage",
    } <= kinds
    problems = {f"{r['resourceType']}/{r['id']}": schema_errors(r) for r in exported}
    assert not {key: errors for key, errors in problems.items() if errors}
    for resource in exported:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)  # raises on a fault
    ids = {f"{r['resourceType']}/{r['id']}" for r in exported}
    assert len(ids) == len(exported), "ids are unique per type"
    dangling = {ref for r in exported for ref in references(r) if ref not in ids}
    assert not dangling


def test_the_exported_codes_say_what_the_brief_asks(demo: Clinic) -> None:
    exported = [resource for _kind, resource in clinic_export(demo)]
    pain = [
        r
        for r in exported
        if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "72514-3"
    ]
    diary = [r for r in pain if any(e["valueCode"] == "diary" for e in r["extension"] if "valueCode" in e)]
    assert diary and all(r["partOf"][0]["reference"].startswith("Procedure/proc-") for r in diary)
    assert all("T" in r["effectiveDateTime"] for r in diary)  # the answer's time, not only its day
    procedure = next(r for r in exported if r["resourceType"] == "Procedure")
    assert procedure["code"]["coding"][0]["system"] == "http://www.ama-assn.org/go/cpt"
    assert procedure["bodySite"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["system"] == (
        "http://snomed.info/sct"
    )
    answered = {r["id"]: r for r in exported if r["id"].startswith("qr-entry-")}
    from_answers = [r for r in diary if r.get("derivedFrom")]
    assert from_answers, "the demo's patient diaries wrote scores"
    for observation in from_answers:  # a score from the patient's phone is at the moment they answered
        response = answered[observation["derivedFrom"][0]["reference"].removeprefix("QuestionnaireResponse/")]
        assert observation["effectiveDateTime"] == response["authored"]
    interpretations = [r for r in exported if r["id"].startswith("interp-")]
    assert interpretations and all(r["method"]["coding"][0]["version"] for r in interpretations)


def test_a_diary_score_is_at_the_answers_true_time(world: World) -> None:
    world.clinic.time_zone = "America/Chicago"
    world.clinic.save()
    world.procedure.start_time, world.procedure.end_time = time(9, 30), time(9, 50)
    world.procedure.save()
    bundle = everything(world.patient, "http://testserver/fhir/r4/")
    found = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
    score = world.procedure.diary_scores.get(minutes=60)
    observation = found[f"pain-{score.pk}"]
    procedure = found[f"proc-{world.procedure.pk}"]
    ended = datetime.combine(world.procedure.date, time(9, 50), tzinfo=ZoneInfo("America/Chicago"))
    assert datetime.fromisoformat(procedure["performedPeriod"]["end"]) == ended
    assert datetime.fromisoformat(observation["effectiveDateTime"]) == ended + timedelta(minutes=60)
    assert observation["valueQuantity"]["value"] == score.pain
    assert observation["partOf"] == [{"reference": f"Procedure/proc-{world.procedure.pk}"}]


def test_export_then_import_gives_the_same_evaluation_for_every_demo_patient(demo: Clinic) -> None:
    patients = list(Patient.objects.filter(clinic=demo))
    assert len(patients) > 20
    for patient in patients:
        expected = interpretation.evaluate(patient)
        bundle = json.loads(json.dumps(everything(patient, "http://testserver/fhir/r4/")))
        if not expected.ok:
            with pytest.raises(BundleError):
                case_from_bundle(bundle)
            continue
        case = case_from_bundle(bundle)
        evaluated = evaluate_case(parse_case(case), policy=demo.default_policy)
        assert evaluated.to_json() == expected.to_json(), patient.mrn


def test_a_bundle_that_cannot_be_mapped_names_resource_and_element(world: World) -> None:
    bundle = everything(world.patient, "http://testserver/fhir/r4/")
    procedure = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Procedure")
    procedure["bodySite"][0]["coding"] = [{"system": "http://snomed.info/sct", "code": "1"}]
    procedure.pop("performedPeriod", None)
    procedure.pop("performedDateTime", None)
    with pytest.raises(BundleError) as caught:
        case_from_bundle(bundle)
    named = {(p.resource, p.element) for p in caught.value.problems}
    assert (f"Procedure/proc-{world.procedure.pk}", "performed[x]") in named
    assert case_from_bundle(everything(world.patient, "x/"))["patient"]["id"] == world.patient.mrn
    with pytest.raises(BundleError):
        case_from_bundle({"resourceType": "Patient"})


def test_loading_a_page_of_patients_takes_the_same_queries_for_2_or_8(world: World) -> None:
    for n in range(8):
        patient = make_patient(world.clinic, mrn=f"Q-{n}")
        make_assessment(patient)
        make_block(patient, diary=GOOD_DIARY)
    counts = []
    for size in (2, 8):
        queryset = Patient.objects.filter(clinic=world.clinic, mrn__startswith="Q-")
        with CaptureQueriesContext(connection) as queries:
            page = next(pages(queryset, size=size))
        assert len(page) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- endpoints ----------------------------------------------------------------------------------------


def test_everything_is_a_bundle_for_the_clinics_clinicians_and_audited(world: World) -> None:
    url = f"/fhir/r4/Patient/patient-{world.patient.pk}/$everything"
    response = world.client_for("physician").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    bundle = response.json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    assert not schema_errors(bundle)
    assert AuditEvent.objects.filter(patient_id=world.patient.pk, detail="FHIR Patient/$everything").exists()
    assert (
        world.client_for("physician").get(f"/fhir/r4/Patient/{world.patient.pk}/$everything").status_code
        == 200
    )
    assert world.client_for("nurse").get(url).status_code == 200  # nurses read clinical records too


@pytest.mark.parametrize(
    ("who", "status"), [("other-clinic", 404), ("frontdesk", 403), ("admin", 403), ("anonymous", 401)]
)
def test_everything_refuses_others_as_operation_outcomes(world: World, who: str, status: int) -> None:
    response = world.client_for(who).get(f"/fhir/r4/Patient/{world.patient.pk}/$everything")
    assert response.status_code == status
    assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("junk", ["0", "patient-x", "9" * 30, "-1"])
def test_a_bad_patient_id_is_a_404(world: World, junk: str) -> None:
    response = world.client_for("physician").get(f"/fhir/r4/Patient/{junk}/$everything")
    assert response.status_code == 404 and response.json()["resourceType"] == "OperationOutcome"


def test_bulk_export_lists_files_that_stream_the_clinics_ndjson(world: World) -> None:
    client = world.client_for("physician")
    manifest = client.get("/fhir/r4/$export").json()
    files = {item["type"]: item["url"] for item in manifest["output"]}
    assert {"Patient", "Observation", "Procedure"} <= set(files)
    response = client.get(files["Patient"].removeprefix("http://testserver"))
    assert response["Content-Type"] == "application/fhir+ndjson"
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [r["identifier"][0]["value"] for r in lines] == [world.patient.mrn]  # not clinic B's patient
    assert AuditEvent.objects.filter(detail="FHIR $export Patient").count() == 1
    assert client.get("/fhir/r4/$export/Nonsense.ndjson").status_code == 404
    assert world.client_for("anonymous").get("/fhir/r4/$export").status_code == 401
    assert world.client_for("frontdesk").get("/fhir/r4/$export").status_code == 403


# --- API tokens ---------------------------------------------------------------------------------------


def _as(world: World, who: str, session: str | None = None) -> tuple[Client, ApiToken]:
    """A client calling as `who`: a read token of this clinic, one of the other clinic, a revoked one, or
    none; riding on a staff `session` when one is named."""
    clinic = world.other_clinic if who == "other-clinic" else world.clinic
    token, secret = make_api_token(clinic, f"EHR {who}", "read")
    if who == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    client = world.client_for(session) if session else Client()
    if who != "none":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client, token


TOKEN_CALLERS = [("this-clinic", 200), ("other-clinic", 404), ("revoked", 401), ("none", 401)]


@pytest.mark.parametrize(("who", "status"), TOKEN_CALLERS)
def test_everything_opens_with_this_clinics_api_token_only(world: World, who: str, status: int) -> None:
    client, token = _as(world, who)
    response = client.get(f"/fhir/r4/Patient/patient-{world.patient.pk}/$everything")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/fhir+json"
    answer = response.json()
    if status != 200:
        assert answer["resourceType"] == "OperationOutcome"
        assert not AuditEvent.objects.filter(patient_id=world.patient.pk).exists()
        return
    assert answer["resourceType"] == "Bundle"
    row = AuditEvent.objects.get(patient_id=world.patient.pk, detail="FHIR Patient/$everything")
    assert row.who is None and row.username == token.actor and row.clinic == world.clinic


def test_a_token_decides_even_with_a_staff_session_riding_along(world: World) -> None:
    """A wrong token is refused, not a fall back to the session; a good one is audited as the token."""
    url = f"/fhir/r4/Patient/patient-{world.patient.pk}/$everything"
    client, _ = _as(world, "revoked", session="physician")
    assert client.get(url).status_code == 401
    client, token = _as(world, "this-clinic", session="frontdesk")  # front desk's session could not read
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.get(detail="FHIR Patient/$everything").username == token.actor


@pytest.mark.parametrize(("who", "status"), [(w, 200 if s == 404 else s) for w, s in TOKEN_CALLERS])
def test_bulk_export_with_an_api_token_is_the_tokens_clinics(world: World, who: str, status: int) -> None:
    client, token = _as(world, who)
    response = client.get("/fhir/r4/$export")
    assert response.status_code == status, response.content
    if status != 200:
        assert response.json()["resourceType"] == "OperationOutcome"
        assert response["WWW-Authenticate"] == "Bearer"
        return
    url = next(item["url"] for item in response.json()["output"] if item["type"] == "Patient")
    file = client.get(url.removeprefix("http://testserver"))
    lines = [json.loads(line) for line in b"".join(file.streaming_content).decode().splitlines()]
    mrns = set(Patient.objects.filter(clinic=token.clinic).values_list("mrn", flat=True))
    assert mrns and {r["identifier"][0]["value"] for r in lines} == mrns
    for detail in ("FHIR $export manifest", "FHIR $export Patient"):
        assert AuditEvent.objects.get(detail=detail).username == token.actor


@override_settings(FACETPATH_API_REQUESTS_PER_MINUTE=1)
def test_a_token_over_its_allowance_gets_429(world: World) -> None:
    django_cache.clear()
    client, _ = _as(world, "this-clinic")
    # Frozen 20 s into a minute: both requests fall in one window whenever the test runs.
    with time_machine.travel(timezone.now().replace(second=20, microsecond=0), tick=False):
        assert client.get("/fhir/r4/$export").status_code == 200
        response = client.get("/fhir/r4/$export")
    assert response.status_code == 429 and response["Retry-After"] == "40"
    assert response.json()["resourceType"] == "OperationOutcome"


# --- documents and prior authorization -----------------------------------------------------------------


def _signed(world: World) -> None:
    response = world.client_for("physician").post(reverse("sign-off", args=[world.procedure.pk]), {})
    assert response.status_code in (200, 302)
    assert SignOff.objects.filter(procedure=world.procedure).exists()


def _requested(world: World, decision: str = "affirmed", utn: str = "UTN-123") -> PriorAuthRequest:
    today = world.clinic.today()
    found = PriorAuthRequest.objects.create(
        clinic=world.clinic, patient=world.patient, date_of_service=today + timedelta(days=10),
        codes=["64635", "64636"], payer="medicare", place_of_service="22", sent_on=today, state=decision,
        decided_on=today, utn=utn,
    )  # fmt: skip
    Submission.objects.create(
        request=found, number=1, sent_on=today, decision="non-affirmed", decided_on=today, reasons="No diary."
    )
    Submission.objects.create(
        request=found,
        number=2,
        sent_on=today,
        quoted_utn="UTN-100",
        decision=decision,
        decided_on=today,
        utn=utn,
    )
    return found


def _of_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_a_block_report_is_listed_once_signed_and_points_at_a_pdf(world: World) -> None:
    assert not _of_type(everything(world.patient, "x/"), "DocumentReference")  # not signed yet
    _signed(world)
    bundle = everything(world.patient, "http://testserver/fhir/r4/")
    (document,) = _of_type(bundle, "DocumentReference")
    assert not schema_errors(document)
    assert document["type"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "28570-0",
        "display": "Procedure note",
    }
    assert (
        document["docStatus"] == "final"
        and document["subject"]["reference"] == f"Patient/patient-{world.patient.pk}"
    )
    assert document["context"]["related"] == [{"reference": f"Procedure/proc-{world.procedure.pk}"}]
    attachment = document["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf" and "data" not in attachment
    assert attachment["url"] == f"Binary/block-report-{world.procedure.pk}"
    client, token = _as(world, "this-clinic")
    response = client.get("/fhir/r4/" + attachment["url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    row = AuditEvent.objects.get(detail="FHIR Binary block report PDF")
    assert row.username == token.actor and row.patient_id == world.patient.pk
    as_fhir = client.get("/fhir/r4/" + attachment["url"], HTTP_ACCEPT="application/fhir+json").json()
    assert as_fhir["resourceType"] == "Binary" and as_fhir["contentType"] == "application/pdf"
    assert base64.b64decode(as_fhir["data"]).startswith(b"%PDF")
    assert not schema_errors(as_fhir)


@pytest.mark.parametrize(("who", "status"), TOKEN_CALLERS)
def test_a_report_pdf_opens_for_this_clinics_token_only(world: World, who: str, status: int) -> None:
    _signed(world)
    client, _ = _as(world, who)
    response = client.get(f"/fhir/r4/Binary/block-report-{world.procedure.pk}")
    assert response.status_code == status
    if status != 200:
        assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(
    "junk", ["block-report-0", "block-report-x", "prior-auth-packet-9", "nonsense", "block-report-"]
)
def test_a_binary_that_is_not_a_listed_document_is_a_404(world: World, junk: str) -> None:
    _signed(world)
    unsigned = make_block(world.patient, days_ago=1)
    client, _ = _as(world, "this-clinic")
    for binary_id in (junk, f"block-report-{unsigned.pk}", f"prior-auth-packet-{world.patient.pk}"):
        response = client.get(f"/fhir/r4/Binary/{binary_id}")
        assert response.status_code == 404, binary_id
        assert response.json()["resourceType"] == "OperationOutcome"


def test_a_prior_auth_request_is_a_preauthorization_claim_with_its_decisions(world: World) -> None:
    request = _requested(world)
    bundle = everything(world.patient, "http://testserver/fhir/r4/")
    for resource in (e["resource"] for e in bundle["entry"]):
        assert not schema_errors(resource), resource["id"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    ids = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    assert not {ref for e in bundle["entry"] for ref in references(e["resource"]) if ref not in ids}
    (claim,) = _of_type(bundle, "Claim")
    assert claim["use"] == "preauthorization"
    assert claim["provider"] == {"reference": f"Organization/org-{world.clinic.pk}"}
    assert claim["insurer"]["display"] == "Original Medicare (fee-for-service)"
    assert [item["productOrService"]["coding"][0]["code"] for item in claim["item"]] == ["64635", "64636"]
    assert {item["servicedDate"] for item in claim["item"]} == {request.date_of_service.isoformat()}
    assert {d["diagnosisCodeableConcept"]["coding"][0]["system"] for d in claim["diagnosis"]} == {
        "http://hl7.org/fhir/sid/icd-10-cm"
    }
    assert claim["insurance"][0]["preAuthRef"] == ["UTN-100"]  # the latest submission quoted it
    (coverage,) = _of_type(bundle, "Coverage")
    assert claim["insurance"][0]["coverage"]["reference"] == f"Coverage/{coverage['id']}"
    first, second = _of_type(bundle, "ClaimResponse")
    assert first["request"] == {"reference": f"Claim/{claim['id']}"}
    assert (first["outcome"], "preAuthRef" in first) == ("complete", False)
    assert first["disposition"] == "Non-affirmed: No diary."
    assert (second["outcome"], second["preAuthRef"]) == ("complete", "UTN-123")
    (packet,) = _of_type(bundle, "DocumentReference")
    assert packet["content"][0]["attachment"]["url"] == f"Binary/prior-auth-packet-{world.patient.pk}"
    assert packet["context"]["related"] == [{"reference": f"Claim/{claim['id']}"}]


def test_the_packet_pdf_opens_with_a_token_and_a_partial_decision_is_partial(world: World) -> None:
    _requested(world, decision="partial", utn="UTN-9")
    bundle = everything(world.patient, "x/")
    assert [r["outcome"] for r in _of_type(bundle, "ClaimResponse")] == ["complete", "partial"]
    client, token = _as(world, "this-clinic")
    response = client.get(f"/fhir/r4/Binary/prior-auth-packet-{world.patient.pk}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AuditEvent.objects.get(detail="FHIR Binary prior-authorization packet PDF").username == token.actor
    other, _ = _as(world, "other-clinic")
    assert other.get(f"/fhir/r4/Binary/prior-auth-packet-{world.patient.pk}").status_code == 404


def test_a_patient_coverage_with_another_payer_keeps_both(world: World) -> None:
    Coverage.objects.create(patient=world.patient, payer="commercial", plan_name="Blue PPO", member_id="M-1")
    _requested(world)
    bundle = everything(world.patient, "x/")
    coverages = {c["id"]: c for c in _of_type(bundle, "Coverage")}
    assert set(coverages) == {
        f"coverage-{world.patient.pk}",
        f"coverage-pa-{_of_type(bundle, 'Claim')[0]['identifier'][0]['value']}",
    }
    mine = coverages[f"coverage-{world.patient.pk}"]
    assert mine["subscriberId"] == "M-1" and mine["class"][0]["value"] == "Blue PPO"
    assert not [c for c in coverages.values() if schema_errors(c)]


def test_metadata_questionnaires_and_code_systems_are_readable(world: World) -> None:
    client = world.client_for("anonymous")
    for url in (
        "/fhir/r4/metadata",
        "/fhir/r4/Questionnaire/pain-diary",
        "/fhir/r4/Questionnaire/facet-assessment",
        "/fhir/r4/CodeSystem/block-interpretation",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json", url
        resource = response.json()
        assert not schema_errors(resource), url
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert client.get("/fhir/r4/CodeSystem/nonsense").status_code == 404
    assert client.post("/fhir/r4/metadata").status_code == 405


# --- the command line ---------------------------------------------------------------------------------


def test_fhir_export_writes_one_ndjson_file_per_type(world: World, tmp_path: Path) -> None:
    assert facetpath(["fhir", "export", "--out", str(tmp_path), "--clinic", str(world.clinic.pk)]) == 0
    names = {path.name for path in tmp_path.iterdir()}
    assert {"Patient.ndjson", "Observation.ndjson", "Procedure.ndjson", "Organization.ndjson"} <= names
    patients = (tmp_path / "Patient.ndjson").read_text().splitlines()
    assert len(patients) == 1
    assert facetpath(["fhir", "export", "--out", str(tmp_path), "--clinic", "no-such-clinic"]) == 2


def test_evaluate_fhir_prints_what_evaluate_prints(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = everything(world.patient, "http://testserver/fhir/r4/")
    (tmp_path / "bundle.json").write_text(json.dumps(bundle))
    assert facetpath(["evaluate", "--fhir", str(tmp_path / "bundle.json")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == interpretation.evaluate(world.patient).to_json()
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "QuestionnaireResponse"]
    (tmp_path / "bad.json").write_text(json.dumps(bundle))
    assert facetpath(["evaluate", "--fhir", str(tmp_path / "bad.json")]) == 2
    assert "QuestionnaireResponse: questionnaire:" in capsys.readouterr().err
    (tmp_path / "junk.json").write_text("{")
    assert facetpath(["evaluate", "--fhir", str(tmp_path / "junk.json")]) == 2
