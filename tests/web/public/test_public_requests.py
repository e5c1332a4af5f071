"""Appointment requests and questions: validation, confirmation, spam guards, the queue and its 24-hour states."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from publicfactories import good_request, make_request, publish
from webfactories import World

from facetpath.audit.models import AuditEvent
from facetpath.patients.models import Patient, Stage
from facetpath.public.models import RATE_LIMIT, ContactRequest, Timeliness
from facetpath.public.queue import overdue_and_due_soon


@pytest.fixture
def slug(world: World) -> str:
    world.clinic.email = "desk@clinic-a.example"
    world.clinic.phone = "555-0100"
    world.clinic.save()
    return publish(world.clinic, "clinic-a").slug


def test_a_request_is_saved_confirmed_and_the_desk_is_told(world: World, slug: str) -> None:
    response = Client().post(reverse("public:request", args=[slug]), good_request())
    assert response.status_code == 302 and response["Location"] == "/c/clinic-a/sent/appointment/"
    item = ContactRequest.objects.get()
    assert item.clinic == world.clinic and item.kind == "appointment" and item.status == "new"
    assert item.pain_area == "low-back" and item.consent and item.acknowledged
    assert item.client_hash and "127.0.0.1" not in item.client_hash  # only a keyed hash is kept
    to_patient, to_desk = mail.outbox
    assert to_patient.to == ["rosa@example.org"] and "24 hours" in to_patient.body
    assert to_desk.to == ["desk@clinic-a.example"] and f"/staff/requests/{item.pk}/" in to_desk.body
    assert "stand" not in to_desk.body and "low" not in to_desk.body.lower()  # no health detail by e-mail
    page = Client().get(response["Location"]).content.decode()
    assert "within 24 hours" in page


def test_a_spanish_request_gets_a_spanish_confirmation(world: World, slug: str) -> None:
    Client().post(reverse("public:request", args=[slug]), good_request(), HTTP_ACCEPT_LANGUAGE="es")
    assert ContactRequest.objects.get().language == "es"
    assert "24 horas" in mail.outbox[0].body and "recibimos" in mail.outbox[0].subject


def test_invalid_input_names_the_field_and_keeps_the_rest(world: World, slug: str) -> None:
    response = Client().post(
        reverse("public:request", args=[slug]), good_request(email="not-an-email", consent="", pain_area="x")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "E-mail:" in page and "Where is the pain?:" in page and "consent" in page
    assert "Please tick this box" in page
    assert 'value="Rosa"' in page and 'value="555-0101"' in page and "It hurts when I stand." in page
    assert ContactRequest.objects.count() == 0 and not mail.outbox


def test_a_question_is_saved_in_the_same_queue(world: World, slug: str) -> None:
    data = {"given_name": "Ana", "family_name": "Ruiz", "email": "ana@example.org", "message": "Can I eat?",
            "consent": "on"}  # fmt: skip
    response = Client().post(reverse("public:ask", args=[slug]), data)
    assert response["Location"] == "/c/clinic-a/sent/question/"
    item = ContactRequest.objects.get()
    assert item.kind == "question" and item.message == "Can I eat?"
    assert "by e-mail within 24 hours" in mail.outbox[0].body
    # no public comments: the question appears nowhere on the public site
    assert "Can I eat?" not in Client().get(reverse("public:faq", args=[slug])).content.decode()


def test_a_question_needs_an_email_and_a_question(world: World, slug: str) -> None:
    page = Client().post(reverse("public:ask", args=[slug]), {"given_name": "Ana"}).content.decode()
    assert "E-mail:" in page and "Your question:" in page and "Last name:" in page


def test_the_honeypot_pretends_success_and_stores_nothing(world: World, slug: str) -> None:
    response = Client().post(reverse("public:request", args=[slug]), good_request(website="http://spam"))
    assert response.status_code == 302 and response["Location"].endswith("/sent/appointment/")
    assert ContactRequest.objects.count() == 0 and not mail.outbox


def test_the_honeypot_is_hidden_from_people(world: World, slug: str) -> None:
    page = Client().get(reverse("public:request", args=[slug])).content.decode()
    assert '<div class="hp" aria-hidden="true">' in page and 'tabindex="-1"' in page


def test_one_address_may_send_only_a_few_per_hour(world: World, slug: str) -> None:
    client = Client()
    for n in range(RATE_LIMIT):
        assert client.post(reverse("public:request", args=[slug]), good_request()).status_code == 302, n
    refused = client.post(reverse("public:ask", args=[slug]), good_request())
    assert refused.status_code == 429 and "try again in an hour" in refused.content.decode()
    assert ContactRequest.objects.count() == RATE_LIMIT
    other_sender = Client(REMOTE_ADDR="198.51.100.7")
    assert other_sender.post(reverse("public:request", args=[slug]), good_request()).status_code == 302
    # an hour later the first address may write again
    ContactRequest.objects.update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    assert client.post(reverse("public:request", args=[slug]), good_request()).status_code == 302


def test_a_mail_outage_keeps_the_request(world: World, slug: str, settings: object) -> None:
    settings.MAILERS = {"default": {"BACKEND": "tests.web.public.broken_mail.Backend"}}  # type: ignore[attr-defined]
    response = Client().post(reverse("public:request", args=[slug]), good_request())
    assert response.status_code == 302
    assert ContactRequest.objects.get().acknowledged is False


HOSTILE = ["", "\x00", "x" * 5000, "<script>", "١٢", "99999999999999999999999", "🙂" * 50]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_never_give_500(world: World, slug: str, value: str) -> None:
    client = Client(raise_request_exception=True)
    for name in ("request", "ask"):
        for field in [*good_request(), "website"]:
            client.post(reverse(f"public:{name}", args=[slug]), good_request(**{field: value}))
            ContactRequest.objects.all().delete()  # stay under the rate limit
    staff = Client(raise_request_exception=True)
    staff.force_login(world.users["frontdesk"])
    item = make_request(world.clinic)
    for field in ("status", "note"):
        assert staff.post(reverse("request-status", args=[item.pk]), {field: value}).status_code < 500
    assert staff.post(reverse("request-make-patient", args=[item.pk]), {"mrn": value}).status_code < 500
    assert staff.get(reverse("request-list") + "?show=" + value[:50].replace("\x00", "%00")).status_code < 500
    assert staff.get(reverse("request-list") + "?page=" + value[:50].replace("\x00", "%00")).status_code < 500


# --- the 24-hour promise ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "state"),
    [
        (timedelta(hours=1), Timeliness.ON_TIME),
        (timedelta(hours=19, minutes=59), Timeliness.ON_TIME),
        (timedelta(hours=20), Timeliness.DUE_SOON),
        (timedelta(hours=23, minutes=59), Timeliness.DUE_SOON),
        (timedelta(hours=24), Timeliness.OVERDUE),
        (timedelta(days=3), Timeliness.OVERDUE),
    ],
)
def test_the_promise_clock(world: World, age: timedelta, state: str) -> None:
    now = timezone.now()
    item = make_request(world.clinic, created_at=now - age)
    assert item.timeliness(now) == state
    item.set_status("contacted", world.users["frontdesk"])
    assert item.timeliness(now) == Timeliness.ANSWERED


def test_the_queue_shows_age_states_and_who_changed_what(world: World) -> None:
    overdue = make_request(world.clinic, hours_ago=30, given_name="Olga")
    soon = make_request(world.clinic, hours_ago=23.9, given_name="Sara")
    fresh = make_request(world.clinic, hours_ago=1, given_name="Finn")
    make_request(world.other_clinic, hours_ago=40, given_name="Bert")
    client = world.client_for("frontdesk")
    page = client.get(reverse("request-list")).content.decode()
    assert page.index("Olga") < page.index("Sara") < page.index("Finn")  # oldest first
    assert "Bert" not in page
    assert "Overdue" in page and "Due soon" in page and "On time" in page
    response = client.post(
        reverse("request-status", args=[overdue.pk]), {"status": "contacted", "note": "Left a message"}
    )
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.status == "contacted" and overdue.status_by == world.users["frontdesk"]
    assert overdue.status_at is not None and overdue.note == "Left a message"
    detail = client.get(reverse("request-detail", args=[overdue.pk])).content.decode()
    assert "by Frontdesk-A" in detail and "Answered" in detail
    assert "Olga" not in client.get(reverse("request-list")).content.decode()  # no longer waiting
    assert "Olga" in client.get(reverse("request-list") + "?show=all").content.decode()
    assert AuditEvent.objects.filter(
        object_type="contactrequest", action="update", object_id=str(overdue.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="list", detail__startswith="appointment requests").exists()
    assert soon.timeliness() == Timeliness.DUE_SOON and fresh.timeliness() == Timeliness.ON_TIME


def test_the_worklist_shows_overdue_and_due_soon_requests(world: World) -> None:
    make_request(world.clinic, hours_ago=30, given_name="Olga")
    make_request(world.clinic, hours_ago=21, given_name="Sara")
    make_request(world.clinic, hours_ago=2, given_name="Finn")
    make_request(world.clinic, hours_ago=40, given_name="Done", status="scheduled")
    make_request(world.other_clinic, hours_ago=40, given_name="Bert")
    page = world.client_for("frontdesk").get(reverse("worklist")).content.decode()
    assert "Appointment requests overdue or due soon" in page
    assert "Olga" in page and "Sara" in page
    assert "Finn" not in page and "Done" not in page and "Bert" not in page
    admin_page = world.client_for("admin").get(reverse("worklist")).content.decode()
    assert "Appointment requests overdue" not in admin_page  # the admin does not work the queue


def test_the_worklist_section_makes_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    from facetpath.clinics.models import Membership

    for n in range(30):
        make_request(world.clinic, hours_ago=25 + n)
    membership = Membership.objects.select_related("clinic").get(user=world.users["frontdesk"])
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        items = overdue_and_due_soon(membership, world.clinic.today(), limit=15)
    assert len(items) == 16  # the limit plus one, so the template knows there are more


def test_a_request_becomes_a_patient_with_a_draft_assessment_in_one_step(world: World) -> None:
    item = make_request(world.clinic, pain_area="low-back", pain_duration="over-1-year", language="es")
    client = world.client_for("frontdesk")
    detail = client.get(reverse("request-detail", args=[item.pk])).content.decode()
    assert f'value="R-{item.pk}"' in detail
    response = client.post(reverse("request-make-patient", args=[item.pk]), {"mrn": "A-77"})
    patient = Patient.objects.get(mrn="A-77")
    assert response.status_code == 302 and response["Location"] == reverse("patient", args=[patient.pk])
    assert patient.clinic == world.clinic and patient.full_name == "Tom Becker"
    assert patient.phone == "555-0102" and patient.preferred_language == "es"
    draft = patient.assessments.get()
    assert draft.is_draft and draft.region == "lumbar" and draft.baseline_pain is None
    assert "more than 1 year" in draft.index_pain
    item.refresh_from_db()
    assert item.patient == patient
    assert patient.latest_assessment() is None  # a draft is not evaluated
    assert patient.stage == Stage.NEW
    nurse_page = world.client_for("nurse").get(reverse("patient", args=[patient.pk])).content.decode()
    assert "Draft assessment" in nurse_page
    # the nurse completes the draft with the normal form
    edit = world.client_for("nurse").get(reverse("assessment-edit", args=[draft.pk]))
    assert edit.status_code == 200
    # a second click goes to the same patient, never a duplicate
    again = client.post(reverse("request-make-patient", args=[item.pk]), {"mrn": "A-78"})
    assert again["Location"] == reverse("patient", args=[patient.pk])
    assert Patient.objects.filter(clinic=world.clinic).count() == 2  # the world's patient and this one
    actions = set(AuditEvent.objects.filter(patient=patient).values_list("object_type", "action"))
    assert {("patient", "create"), ("assessment", "create"), ("contactrequest", "update")} <= actions


def test_making_a_patient_refuses_a_taken_mrn(world: World) -> None:
    item = make_request(world.clinic)
    response = world.client_for("nurse").post(reverse("request-make-patient", args=[item.pk]), {"mrn": "A-1"})
    assert response.status_code == 400
    assert "MRN: Another patient in this clinic already has this MRN." in response.content.decode()
    item.refresh_from_db()
    assert item.patient is None


@pytest.mark.parametrize("area", ["not-sure", "several", ""])
def test_a_draft_without_a_region_opens_for_the_nurse(world: World, area: str) -> None:
    item = make_request(world.clinic, pain_area=area, pain_duration="")
    world.client_for("frontdesk").post(reverse("request-make-patient", args=[item.pk]), {"mrn": "A-90"})
    patient = Patient.objects.get(mrn="A-90")
    draft = patient.assessments.get()
    assert draft.region == "" and draft.is_draft
    nurse = Client(raise_request_exception=True)
    nurse.force_login(world.users["nurse"])
    assert nurse.get(reverse("patient", args=[patient.pk])).status_code == 200
    assert nurse.get(reverse("assessment-edit", args=[draft.pk])).status_code == 200
    assert nurse.get(reverse("worklist")).status_code == 200


def test_the_nurse_completes_the_draft_with_the_usual_form(world: World) -> None:
    item = make_request(world.clinic, pain_area="not-sure")
    world.client_for("frontdesk").post(reverse("request-make-patient", args=[item.pk]), {"mrn": "A-91"})
    draft = Patient.objects.get(mrn="A-91").assessments.get()
    nurse = world.client_for("nurse")
    incomplete = nurse.post(reverse("assessment-edit", args=[draft.pk]), {"date": "2026-01-10"})
    assert incomplete.status_code == 200 and "Baseline pain" in incomplete.content.decode()
    complete = {
        "date": "2026-01-10", "region": "lumbar", "pain_duration_months": "6", "axial_predominant": "on",
        "pain_scale": "NRS-11", "baseline_pain": "7", "bleeding_disorder": "none", "pregnancy": "no",
        "anaesthetic_allergy": "none", "care_0_modality": "physical therapy", "care_0_weeks": "8",
        "care_0_failed": "on",
    }  # fmt: skip
    assert nurse.post(reverse("assessment-edit", args=[draft.pk]), complete).status_code == 302
    draft.refresh_from_db()
    assert not draft.is_draft
    patient = draft.patient
    patient.refresh_from_db()
    assert patient.latest_assessment() == draft and patient.stage != Stage.NEW
