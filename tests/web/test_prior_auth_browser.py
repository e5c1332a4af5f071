"""In Chromium: the front desk finds a planned RFA needing a UTN on the worklist, records the request from
there, the payer's non-affirmation, a resubmission and the affirmation; the line leaves the worklist. The
nurse downloads the blocks CSV. axe-core on each page; screenshots at 390 px and 1280 px land in
$FACETPATH_SCREENSHOTS if set."""

from __future__ import annotations

import csv
import os
from datetime import timedelta

import pytest
from axe_check import axe_violations
from browsing import shoot, signed_in_page
from webfactories import (
    GOOD_DIARY,
    PASSWORD,
    Clinic,
    Role,
    make_assessment,
    make_block,
    make_patient,
    make_user,
)

from facetpath.priorauth.models import Coverage, Request
from facetpath.procedures.models import Procedure

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_a_utn_from_the_worklist_to_affirmation(
    live_server: object, chromium: object, tmp_path: object
) -> None:
    clinic = Clinic.objects.create(name="Browser Clinic", time_zone="UTC")
    make_user("desk", clinic, Role.FRONTDESK)
    make_user("nurse", clinic, Role.NURSE)
    patient = make_patient(clinic)
    make_assessment(patient)
    make_block(patient, days_ago=30, diary=GOOD_DIARY)
    make_block(patient, days_ago=10, diary=GOOD_DIARY, agent_name="bupivacaine")
    Coverage.objects.create(patient=patient, payer="medicare", place_of_service="22")
    today = clinic.today()
    rfa = Procedure.objects.create(
        patient=patient, date=today + timedelta(days=12), type="rfa", joints=["L4-L5", "L5-S1"],
        side="bilateral", status="planned", rfa_technique="thermal",
    )  # fmt: skip
    base = live_server.url  # type: ignore[attr-defined]

    for width, name in ((1280, "desktop"), (390, "phone")):
        page = signed_in_page(chromium, base, "desk", width, PASSWORD)
        page.get_by_role("heading", name="Planned procedures needing a UTN").wait_for()  # type: ignore[attr-defined]
        assert axe_violations(page) == [], "worklist"
        shoot(page, f"prior-auth-worklist-{name}")
    page.get_by_role("link", name="Record request").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Record a prior-authorization request").wait_for()  # type: ignore[attr-defined]
    assert axe_violations(page) == [], "request form"
    shoot(page, "prior-auth-request-form-phone")
    page.get_by_role("button", name="Save").click()  # type: ignore[attr-defined]
    page.get_by_text("Request recorded.").wait_for()  # type: ignore[attr-defined]
    pa = Request.objects.get()
    assert (pa.procedure_id, pa.date_of_service, pa.codes) == (rfa.pk, rfa.date, ["64635", "64636"])

    page.get_by_role("link", name="Record the decision").click()  # type: ignore[attr-defined]
    page.locator("#id_decision").select_option("non-affirmed")  # type: ignore[attr-defined]
    page.locator("#id_utn").fill("AB12")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Save the decision").click()  # type: ignore[attr-defined]
    page.get_by_text("Reasons: say why").wait_for()  # type: ignore[attr-defined]
    assert axe_violations(page) == [], "decision form with an error"
    shoot(page, "prior-auth-decision-error-phone")
    page.locator("#id_reasons").fill("Second block diary not attached.")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Save the decision").click()  # type: ignore[attr-defined]
    page.get_by_text("Decision recorded.").wait_for()  # type: ignore[attr-defined]
    page.locator("#id_note").fill("Attached the diary.")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Record the resubmission").click()  # type: ignore[attr-defined]
    page.get_by_text("Resubmitted.").wait_for()  # type: ignore[attr-defined]
    page.locator("#id_decision").select_option("affirmed")  # type: ignore[attr-defined]
    page.locator("#id_utn").fill("CD34")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Save the decision").click()  # type: ignore[attr-defined]
    page.get_by_text("Decision recorded.").wait_for()  # type: ignore[attr-defined]
    assert axe_violations(page) == [], "request history"
    shoot(page, "prior-auth-history-phone")
    pa.refresh_from_db()
    assert (pa.state, pa.utn, pa.submissions.count()) == ("affirmed", "CD34", 2)

    for width, name in ((1280, "desktop"), (390, "phone")):
        page = signed_in_page(chromium, base, "desk", width, PASSWORD)
        page.goto(f"{base}/staff/patients/{patient.pk}/prior-auth/")  # type: ignore[attr-defined]
        page.get_by_text("UTN CD34 valid").wait_for()  # type: ignore[attr-defined]
        assert axe_violations(page) == [], "patient prior-auth page"
        shoot(page, f"prior-auth-patient-{name}")
        page.goto(f"{base}/staff/patients/{patient.pk}/")  # type: ignore[attr-defined]
        page.get_by_role("heading", name="Prior authorization").wait_for()  # type: ignore[attr-defined]
        assert axe_violations(page) == [], "patient page"
        shoot(page, f"prior-auth-card-{name}")

    nurse = signed_in_page(chromium, base, "nurse", 390, PASSWORD)
    nurse.get_by_role("link", name="Export").click()  # type: ignore[attr-defined]
    nurse.locator("#id_date_from").fill((today - timedelta(days=60)).isoformat())  # type: ignore[attr-defined]
    nurse.locator("#id_date_to").fill(today.isoformat())  # type: ignore[attr-defined]
    assert axe_violations(nurse) == [], "export form"
    shoot(nurse, "block-export-phone")
    with nurse.expect_download() as download:  # type: ignore[attr-defined]
        nurse.get_by_role("button", name="Download CSV").click()  # type: ignore[attr-defined]
    path = download.value.path()
    with open(path, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["MRN"] for row in rows] == ["A-1", "A-1"]
