"""The worklist and patient page do a fixed number of queries, however much data the clinic has."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from webfactories import GOOD_DIARY, World, make_assessment, make_block, make_patient

from facetpath.procedures.stage import refresh_stage


def queries(client: object, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return len(captured)


def add_patients(world: World, count: int, start: int) -> None:
    """Patients who each put a line in every worklist section: today's list, a running diary with a
    warning sign and a failed reminder, a diary ready for review, a stage due, an overdue follow-up, and
    an appointment request past the 24-hour promise."""
    from django.utils import timezone

    from facetpath.diary.models import Diary, Reminder, Slot, WarningReport
    from facetpath.patients.models import Patient, Stage
    from facetpath.public.models import ContactRequest

    now = timezone.now()
    stages = [Stage.SECOND_BLOCK_DUE, Stage.RFA_DUE, Stage.REPEAT_RFA_DUE]
    for i in range(start, start + count):
        patient = make_patient(world.clinic, mrn=f"Q-{i}", family_name=f"Family{i}", phone=f"+1 555 {i:04}")
        make_assessment(patient)
        running = make_block(patient, days_ago=0, diary=GOOD_DIARY[: 1 + i % 5])
        make_block(patient, days_ago=5, diary=GOOD_DIARY)
        make_block(patient, days_ago=0, status="planned", pre_pain=None)
        refresh_stage(patient)
        Patient.objects.filter(pk=patient.pk).update(
            stage=stages[i % 3], stage_updated_at=now, follow_up_due=world.clinic.today() - timedelta(days=3)
        )
        diary = Diary.objects.create(
            procedure=running, kind=Diary.Kind.DIAGNOSTIC, starts_at=now, link_nonce="n",
            token_hash=f"hash-{i}", link_expires_at=now + timedelta(days=14),
        )  # fmt: skip
        WarningReport.objects.create(diary=diary, signs=["fever"], idempotency_key=f"w-{i}")
        slot = Slot.objects.create(diary=diary, minutes=15, due_at=now)
        Reminder.objects.create(
            slot=slot, channel="sms", status="failed", send_after=now, attempted_at=now, detail="no signal"
        )
        ContactRequest.objects.create(
            clinic=world.clinic, given_name="Tom", family_name=f"Asker{i}", phone="555-0102", consent=True,
            pain_area="neck", pain_duration="3-12-months", created_at=now - timedelta(hours=30),
        )  # fmt: skip


@pytest.mark.parametrize("role", ["physician", "frontdesk"])
def test_worklist_queries_are_the_same_for_2_and_8_patients(world: World, role: str) -> None:
    client = world.client_for(role)
    add_patients(world, 2, 0)
    with_two = queries(client, reverse("worklist"))
    add_patients(world, 6, 100)
    with_eight = queries(client, reverse("worklist"))
    page = client.get(reverse("worklist")).content.decode()
    # Every patient has a line in each section this role sees, each printed from its template.
    lines = 8 if role == "physician" else 4  # front desk: today's list, the stages due, overdue; requests
    assert page.count("Family105, Ada") >= lines and "Asker105" in page
    assert with_eight == with_two


def test_patient_page_queries_are_the_same_for_2_and_8_procedures(world: World) -> None:
    from facetpath.procedures.models import SignOff

    client = world.client_for("physician")
    url = reverse("patient", args=[world.patient.pk])

    def add_blocks(days: range) -> None:
        for day in days:
            block = make_block(world.patient, days_ago=day, diary=GOOD_DIARY)
            SignOff.objects.create(
                procedure=block, signed_by=world.users["physician"], policy_name="p", policy_version="1",
                interpretation={}, evaluation={}, case={},
            )  # fmt: skip

    world.patient.procedures.all().delete()
    add_blocks(range(10, 12))
    with_two = queries(client, url)
    add_blocks(range(20, 26))
    assert world.patient.procedures.count() == 8
    page = client.get(url).content.decode()
    assert page.count("diary: 6 scores") == 8 and page.count(">signed ") == 8
    assert queries(client, url) == with_two


def test_worklist_sorts_patients_into_their_sections(world: World) -> None:
    running = make_patient(world.clinic, mrn="R-1", family_name="Running")
    make_assessment(running)
    make_block(running, days_ago=0, diary=GOOD_DIARY[:2])
    refresh_stage(running)
    page = world.client_for("nurse").get(reverse("worklist")).content.decode()
    running_section = page[page.index("Diaries running") : page.index("ready for review")]
    assert "Running" in running_section
    ready_section = page[page.index("ready for review") : page.index("Second blocks due")]
    assert "Lovelace" in ready_section


def test_worklist_lines_are_links_with_escaped_text(world: World) -> None:
    patient = make_patient(world.clinic, mrn="X-1", family_name="<b>O'Hara</b>", phone="+1 555 0100")
    make_assessment(patient)
    make_block(patient, days_ago=0, diary=GOOD_DIARY[:2])
    refresh_stage(patient)
    patient.follow_up_due = world.clinic.today() - timedelta(days=3)
    patient.save()
    page = world.client_for("nurse").get(reverse("worklist")).content.decode()
    url = reverse("patient", args=[patient.pk])
    assert (
        f'<a href="{url}">&lt;b&gt;O&#x27;Hara&lt;/b&gt;, Ada</a>' in page
    )  # today's list, diaries, overdue
    assert '<a href="tel:+1 555 0100">+1 555 0100</a>' in page
    assert "<b>O'Hara" not in page and "Row(" not in page


def test_patient_search_finds_by_name_and_mrn(world: World) -> None:
    client = world.client_for("frontdesk")
    assert "Lovelace" in client.get(reverse("patients"), {"q": "love"}).content.decode()
    assert "Lovelace" in client.get(reverse("patients"), {"q": "A-1"}).content.decode()
    fragment = client.get(reverse("patients"), {"q": "ada"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert "Lovelace" in fragment


def test_show_all_filters_the_patient_list_by_stage(world: World) -> None:
    from facetpath.patients.models import Stage

    world.patient.stage = Stage.SECOND_BLOCK_DUE
    world.patient.save()
    client = world.client_for("frontdesk")
    assert "Lovelace" in client.get(reverse("patients"), {"stage": "second-block-due"}).content.decode()
    assert "Lovelace" not in client.get(reverse("patients"), {"stage": "rfa-due"}).content.decode()
    assert client.get(reverse("patients"), {"stage": "nonsense"}).status_code == 200


def test_apps_add_worklist_sections_for_the_roles_that_may_see_them(
    world: World, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facetpath.clinics.roles import Capability
    from facetpath.web import worklist

    templates = copy.deepcopy(settings.TEMPLATES)  # type: ignore[attr-defined]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates  # type: ignore[attr-defined]
    seen: list[str] = []

    def load(membership: object, today: object, limit: int) -> list[str]:
        seen.append(membership.clinic.name)  # type: ignore[attr-defined]
        return ["a request from the website"]

    section = worklist.Section(
        "test-section", "Requests waiting", "test_section.html", load, capability=Capability.EDIT_CLINICAL
    )
    monkeypatch.setattr(worklist, "SECTIONS", [*worklist.SECTIONS, section])
    assert "a request from the website" in world.client_for("nurse").get(reverse("worklist")).content.decode()
    assert "Requests waiting" not in world.client_for("admin").get(reverse("worklist")).content.decode()
    assert seen == ["Clinic A"]  # loaded for the nurse's clinic only, and not for the admin


def test_urgent_sections_come_above_the_worklists_own(
    world: World, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facetpath.web import worklist

    templates = copy.deepcopy(settings.TEMPLATES)  # type: ignore[attr-defined]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates  # type: ignore[attr-defined]
    urgent = worklist.Section(
        "test-urgent", "Urgent test section", "test_section.html", lambda m, t, n: [], order=-1
    )
    monkeypatch.setattr(worklist, "SECTIONS", [*worklist.SECTIONS, urgent])
    page = world.client_for("physician").get(reverse("worklist")).content.decode()
    assert page.index("Urgent test section") < page.index('id="today-h"')


def test_web_lists_the_sections_the_apps_below_it_offer() -> None:
    """The registry points down: diary, public and priorauth offer plain functions, web lists them (import-linter's
    layers contract keeps diary and public from importing web)."""
    from facetpath.web import worklist

    offered = {section.key: section.load.__module__ for section in worklist.SECTIONS}
    assert offered == {
        "diary-warnings": "facetpath.diary.worklist",
        "diary-reminder-failures": "facetpath.diary.worklist",
        "requests-due": "facetpath.public.queue",
        "prior-auth-needed": "facetpath.priorauth.worklist",
        "prior-auth-waiting": "facetpath.priorauth.worklist",
        "prior-auth-expiring": "facetpath.priorauth.worklist",
    }


def test_an_evaluation_is_remembered_only_for_the_same_record(world: World) -> None:
    from facetpath.procedures.interpretation import evaluate

    first = evaluate(world.patient)
    assert evaluate(world.patient).evaluation is first.evaluation  # the same record: not evaluated again
    make_block(world.patient, days_ago=1, diary=GOOD_DIARY)
    changed = evaluate(world.patient)
    assert changed.evaluation is not first.evaluation
    assert len(changed.evaluation.procedures) == len(first.evaluation.procedures) + 1


def test_rfa_due_lists_both_stages_oldest_first(world: World) -> None:
    from django.utils import timezone

    from facetpath.patients.models import Stage

    now = timezone.now()
    for mrn, name, stage, hours_ago in [
        ("R-1", "Newer", Stage.RFA_DUE, 1),
        ("R-2", "Oldest", Stage.REPEAT_RFA_DUE, 30),
        ("R-3", "Middle", Stage.RFA_DUE, 5),
        ("R-4", "Elsewhere", Stage.SECOND_BLOCK_DUE, 50),
    ]:
        make_patient(
            world.clinic,
            mrn=mrn,
            family_name=name,
            stage=stage,
            stage_updated_at=now - timedelta(hours=hours_ago),
        )
    page = world.client_for("nurse").get(reverse("worklist")).content.decode()
    rfa = page[page.index('id="rfa-h"') : page.index('id="overdue-h"')]
    assert rfa.index("Oldest") < rfa.index("Middle") < rfa.index("Newer") and "Elsewhere" not in rfa
    assert "Repeat RFA" in rfa  # each line says which


def test_an_account_in_two_clinics_switches_between_them(world: World) -> None:
    from facetpath.clinics.models import Clinic, Membership

    physician = world.users["physician"]
    Membership.objects.create(user=physician, clinic=world.other_clinic, role="nurse")
    stranger = Clinic.objects.create(name="Clinic C", time_zone="UTC")
    client = world.client_for("physician")
    page = client.get(reverse("worklist")).content.decode()
    assert "Clinic A · Physician" in page and '<option value="' + str(world.other_clinic.pk) in page
    client.post(reverse("switch-clinic"), {"clinic": world.other_clinic.pk})
    page = client.get(reverse("worklist")).content.decode()
    assert "Clinic B · Nurse" in page and '<option value="' + str(world.clinic.pk) in page
    client.post(reverse("switch-clinic"), {"clinic": stranger.pk})  # not a member there: nothing changes
    assert "Clinic B · Nurse" in client.get(reverse("worklist")).content.decode()
