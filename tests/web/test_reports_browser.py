"""In Chromium: the patient page's live packet line, the checklist page and the result page printed.

A patient with two positive blocks and no disability scale: the patient page says what is missing and links
to the assessment; the checklist page passes axe-core at phone and desktop width; the result page printed
(print media) shows the record without navigation, buttons or input boxes. Screenshots land in
$FACETPATH_SCREENSHOTS if set.
"""

from __future__ import annotations

import os
from datetime import time

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

from facetpath.procedures.stage import refresh_stage

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_the_packet_gap_on_the_patient_page_and_the_result_page_on_paper(
    live_server: object, chromium: object
) -> None:
    clinic = Clinic.objects.create(name="Browser Clinic", time_zone="UTC")
    make_user("doc", clinic, Role.PHYSICIAN)
    patient = make_patient(clinic)
    assessment = make_assessment(patient, disability_instrument="", disability_score=None)
    make_block(patient, days_ago=30, diary=GOOD_DIARY, end_time=time(9, 0))
    block = make_block(patient, days_ago=10, diary=GOOD_DIARY, end_time=time(10, 0))
    refresh_stage(patient)
    base = live_server.url  # type: ignore[attr-defined]

    for width, name in ((1280, "desktop"), (390, "phone")):
        page = signed_in_page(chromium, base, "doc", width, PASSWORD)
        page.goto(f"{base}/staff/patients/{patient.pk}/")  # type: ignore[attr-defined]
        page.get_by_text("RFA packet: 1 item missing: disability scale at baseline").wait_for()  # type: ignore[attr-defined]
        assert axe_violations(page) == [], f"patient page ({name})"
        shoot(page, f"report-patient-packet-{name}")
        page.get_by_role("link", name="Open the RFA checklist").click()  # type: ignore[attr-defined]
        page.get_by_role("heading", name="RFA: the MAC checklist").wait_for()  # type: ignore[attr-defined]
        assert axe_violations(page) == [], f"checklist page ({name})"
        shoot(page, f"report-checklist-{name}")

    page.get_by_role(
        "link", name=f"assessment of {assessment.date.day} {assessment.date:%b %Y}"
    ).first.click()  # type: ignore[attr-defined]
    page.get_by_label("Disability instrument").wait_for()  # type: ignore[attr-defined]

    page = signed_in_page(chromium, base, "doc", 1280, PASSWORD)
    page.goto(f"{base}/staff/procedures/{block.pk}/")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Report (PDF)").wait_for()  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    for hidden in ("header.top", "form", "input", ".actions"):
        assert not page.locator(hidden).first.is_visible(), hidden  # type: ignore[attr-defined]
    assert page.get_by_text("ICD-10-CM suggestions").is_visible()  # type: ignore[attr-defined]
    assert page.locator("table.print-only").is_visible()  # the diary's scores, without the form's boxes  # type: ignore[attr-defined]
    shoot(page, "report-result-print")
    folder = os.environ.get("FACETPATH_SCREENSHOTS")
    if folder:  # the page as Chromium prints it, to look at with pdftoppm
        page.pdf(path=os.path.join(folder, "report-result-print.pdf"), format="Letter")  # type: ignore[attr-defined]
