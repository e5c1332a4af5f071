"""The worklist and patient page do a fixed number of queries, however much data the clinic has."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from webfactories import GOOD_DIARY, World, make_assessment, make_block, make_patient

from facetpath.procedures.interpretation import refresh_stage


def queries(client: object, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return len(captured)


def add_patients(world: World, count: int, start: int) -> None:
    for i in range(start, start + count):
        patient = make_patient(world.clinic, mrn=f"Q-{i}", family_name=f"Family{i}")
        make_assessment(patient)
        make_block(patient, days_ago=i % 4, diary=GOOD_DIARY[: 1 + i % 6])
        make_block(patient, days_ago=0, status="planned", pre_pain=None)
        refresh_stage(patient)


def test_worklist_queries_do_not_grow_with_the_data(world: World) -> None:
    client = world.client_for("physician")
    add_patients(world, 3, 0)
    small = queries(client, reverse("worklist"))
    add_patients(world, 12, 100)
    assert queries(client, reverse("worklist")) == small


def test_patient_page_queries_do_not_grow_with_procedures(world: World) -> None:
    client = world.client_for("physician")
    url = reverse("patient", args=[world.patient.pk])
    small = queries(client, url)
    for days in (20, 40, 60, 80):
        make_block(world.patient, days_ago=days, diary=GOOD_DIARY)
    assert queries(client, url) == small


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


def test_apps_add_worklist_sections_for_the_roles_that_may_see_them(world: World, settings: object) -> None:
    from facetpath.clinics.roles import Capability
    from facetpath.web import worklist

    templates = copy.deepcopy(settings.TEMPLATES)  # type: ignore[attr-defined]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates  # type: ignore[attr-defined]
    seen: list[str] = []

    def load(membership: object, today: object) -> list[str]:
        seen.append(membership.clinic.name)  # type: ignore[attr-defined]
        return ["a request from the website"]

    section = worklist.Section(
        "test-section", "Requests waiting", "test_section.html", load, capability=Capability.EDIT_CLINICAL
    )
    worklist.register(section)
    try:
        assert (
            "a request from the website"
            in world.client_for("nurse").get(reverse("worklist")).content.decode()
        )
        assert "Requests waiting" not in world.client_for("admin").get(reverse("worklist")).content.decode()
        assert seen == ["Clinic A"]  # loaded for the nurse's clinic only, and not for the admin
    finally:
        worklist._SECTIONS.pop("test-section")


def test_urgent_sections_come_above_the_worklists_own(world: World, settings: object) -> None:
    from facetpath.web import worklist

    templates = copy.deepcopy(settings.TEMPLATES)  # type: ignore[attr-defined]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates  # type: ignore[attr-defined]
    worklist.register(
        worklist.Section("test-urgent", "Urgent test section", "test_section.html", lambda m, t: [], order=-1)
    )
    try:
        page = world.client_for("physician").get(reverse("worklist")).content.decode()
        assert page.index("Urgent test section") < page.index('id="today-h"')
    finally:
        worklist._SECTIONS.pop("test-urgent")


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


def test_lines_print_each_row_escaped_up_to_the_limit() -> None:
    from facetpath.web.templatetags.facetpath_tags import lines
    from facetpath.web.worklist import Row

    rows = [Row("/p/1/", "O'Hara <b>", "note & more"), Row("/p/2/", "Second"), "<script>plain</script>"]
    assert str(lines(rows, 1)) == (
        '<li><a href="/p/1/">O&#x27;Hara &lt;b&gt;</a> <span class="muted">note &amp; more</span></li>'
    )
    printed = str(lines(rows))
    assert (
        printed.count("<li>") == 2 and "&lt;script&gt;plain&lt;/script&gt;" in printed
    )  # not a Row: escaped
