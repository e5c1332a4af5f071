"""Messages that reach the right person: links from the public address, warning signs to the clinician on
call (never the front desk), e-mail subjects in plain text."""

from __future__ import annotations

import os
import re
from typing import Any

import django
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from webfactories import Role, World, start_diary

from facetpath.diary import services
from facetpath.diary.models import DiarySettings, Reminder, WarningReport
from facetpath.public.models import ContactRequest, hash_client
from facetpath.public.notify import acknowledge, notify_staff
from facetpath.web import reset

RIVERSIDE = "Riverside Spine & Pain Clinic"


def report_warning(token: str, key: str = "warn-000001") -> None:
    Client().post(f"/d/{token}/warning/", {"key": key, "signs": ["fever"]})


def set_on_call(world: World, address: str) -> None:
    DiarySettings.for_clinic(world.clinic)  # the clinic's defaults first
    DiarySettings.objects.filter(clinic=world.clinic).update(on_call_email=address)


def on_call_link(body: str) -> str:
    found = re.search(r"(https?://\S+/patient-diary/)", body)
    assert found, body
    return found.group(1)


# --- Links from the public address --------------------------------------------------------------------


def test_reminder_and_on_call_links_use_the_public_address_and_open_for_clinicians(
    world: World, settings: Any
) -> None:
    settings.FACETPATH_PUBLIC_URL = "http://127.0.0.1:8123"
    set_on_call(world, "oncall@clinic.example")
    diary, token = start_diary(world)
    reminder = Reminder.objects.filter(slot__diary=diary, channel=Reminder.Channel.EMAIL).first()
    assert reminder is not None
    assert services.reminder_text(reminder).count(f"http://127.0.0.1:8123/d/{token}/") == 1
    mail.outbox.clear()
    report_warning(token)
    link = on_call_link(mail.outbox[0].body)
    path = f"/staff/procedures/{diary.procedure.pk}/patient-diary/"
    assert link == f"http://127.0.0.1:8123{path}"
    for clinician in (Role.PHYSICIAN, Role.NURSE):
        assert world.client_for(clinician).get(path).status_code == 200


def run_demo(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> dict[str, str | None]:
    """Runs `facetpath demo` with no server or loading; what Django and the worker found as the address."""
    from facetpath import webcli

    seen: dict[str, str | None] = {}

    def setup() -> None:
        seen["django"] = os.environ.get("FACETPATH_PUBLIC_URL")  # settings are read from here
        django.setup()

    class Worker:
        def __init__(self, command: list[str]) -> None:
            seen["worker"] = os.environ.get("FACETPATH_PUBLIC_URL")  # the child inherits it

        def terminate(self) -> None: ...

        def wait(self, timeout: float) -> int:
            return 0

    monkeypatch.setattr(webcli, "_setup", setup)
    monkeypatch.setattr(webcli.subprocess, "Popen", Worker)
    monkeypatch.setattr(webcli, "_run_granian", lambda host, port, workers: 0)
    monkeypatch.setattr(webcli, "_load_demo_once", lambda data_dir: None)
    assert webcli.main("demo", argv) == 0
    return seen


@pytest.mark.django_db(transaction=True)  # the demo migrates its database
@pytest.mark.parametrize(
    ("argv", "address"),
    [
        ([], "http://127.0.0.1:8000"),
        (["--port", "8123"], "http://127.0.0.1:8123"),
        (["--host", "192.168.1.20", "--port", "9000"], "http://192.168.1.20:9000"),
        (["--host", "0.0.0.0", "--port", "8001"], "http://localhost:8001"),
        (["--host", "::1", "--port", "8001"], "http://[::1]:8001"),
    ],
)
def test_the_demo_sets_the_public_address_to_where_it_serves(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], address: str
) -> None:
    monkeypatch.setenv("FACETPATH_PUBLIC_URL", "http://127.0.0.1:8000")  # a stale one from elsewhere
    assert run_demo(monkeypatch, argv) == {"django": address, "worker": address}


@pytest.mark.parametrize(
    ("public_url", "debug", "warned"),
    [(None, False, True), ("https://diary.example.org", False, False), (None, True, False)],
)
def test_serve_warns_at_start_up_without_a_public_address_in_production(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    settings: Any,
    public_url: str | None,
    debug: bool,
    warned: bool,
) -> None:
    from facetpath import webcli

    if public_url is None:
        monkeypatch.delenv("FACETPATH_PUBLIC_URL", raising=False)
    else:
        monkeypatch.setenv("FACETPATH_PUBLIC_URL", public_url)
    settings.DEBUG = debug
    monkeypatch.setattr(webcli, "_run_granian", lambda host, port, workers: 0)
    assert webcli.main("serve", ["--port", "8123"]) == 0
    errors = capsys.readouterr().err
    assert ("WARNING: FACETPATH_PUBLIC_URL is not set" in errors) is warned


def test_the_password_reset_link_uses_the_public_address(world: World, settings: Any) -> None:
    settings.FACETPATH_PUBLIC_URL = "http://127.0.0.1:8123"
    world.users["nurse"].email = "nurse@clinic-a.example"
    world.users["nurse"].save()
    mail.outbox.clear()
    reset.send_reset_link.call("nurse@clinic-a.example")
    assert "http://127.0.0.1:8123/password-reset/" in mail.outbox[0].body


# --- Warning signs to the clinician on call ---------------------------------------------------------


def test_without_an_on_call_address_the_front_desk_gets_nothing_and_staff_see_why(world: World) -> None:
    world.clinic.email = "front.desk@clinic-a.example"
    world.clinic.save()
    _diary, token = start_diary(world)
    assert DiarySettings.objects.get(clinic=world.clinic).on_call_email == ""
    mail.outbox.clear()
    report_warning(token)
    assert mail.outbox == []  # not to the clinic's general address: the front desk cannot open the page
    report = WarningReport.objects.get()  # the alert is kept
    assert report.emailed_to == "" and report.email_error == "no on-call address set"
    worklist = world.client_for(Role.NURSE).get(reverse("worklist")).content.decode()
    assert "Fever" in worklist and "no on-call address set" in worklist
    page = world.client_for(Role.ADMIN).get(reverse("diary-settings")).content.decode()
    assert "No on-call address set" in page


def test_with_an_on_call_address_it_is_e_mailed_and_nothing_is_missing(world: World) -> None:
    world.clinic.email = "front.desk@clinic-a.example"
    world.clinic.save()
    set_on_call(world, "oncall@clinic-a.example")
    _diary, token = start_diary(world)
    mail.outbox.clear()
    report_warning(token)
    assert [m.to for m in mail.outbox] == [["oncall@clinic-a.example"]]
    worklist = world.client_for(Role.NURSE).get(reverse("worklist")).content.decode()
    assert "Fever" in worklist and "no on-call address set" not in worklist
    page = world.client_for(Role.ADMIN).get(reverse("diary-settings")).content.decode()
    assert "No on-call address set" not in page


def test_the_demo_clinic_has_an_on_call_address_that_is_not_the_front_desk(db: None) -> None:
    from facetpath.web.demo import load_demo

    clinic = load_demo()
    on_call = DiarySettings.objects.get(clinic=clinic).on_call_email
    staff = set(clinic.memberships.filter(role=Role.FRONTDESK).values_list("user__email", flat=True))
    assert on_call and on_call != clinic.email and on_call not in staff
    assert not WarningReport.objects.filter(
        diary__procedure__patient__clinic=clinic, email_error="no on-call address set"
    ).exists()


# --- Subjects in plain text ---------------------------------------------------------------------------


def assert_plain(subject: str, names_the_clinic: bool = True) -> None:
    assert "&amp;" not in subject and "&#" not in subject, subject
    if names_the_clinic:
        assert RIVERSIDE in subject, subject


@pytest.mark.parametrize(
    ("kind", "language"), [(k, lang) for k in ("question", "appointment") for lang in ("en", "es")]
)
def test_the_public_forms_e_mails_have_plain_subjects(world: World, kind: str, language: str) -> None:
    world.clinic.name, world.clinic.email = RIVERSIDE, "front.desk@clinic-a.example"
    world.clinic.save()
    item = ContactRequest.objects.create(
        clinic=world.clinic,
        kind=kind,
        language=language,
        given_name="Tom",
        family_name="Becker",
        phone="555-0102",
        email="tom@example.org",
        consent=True,
        client_hash=hash_client("192.0.2.1"),
    )
    mail.outbox.clear()
    assert acknowledge(item) and notify_staff(item, "http://127.0.0.1:8000/staff/requests/1/")
    thanks, staff = mail.outbox
    assert_plain(thanks.subject)
    assert_plain(staff.subject, names_the_clinic=False)


def test_every_other_e_mail_has_a_plain_subject(world: World, settings: Any) -> None:
    world.clinic.name = RIVERSIDE
    world.clinic.save()
    set_on_call(world, "oncall@clinic-a.example")
    mail.outbox.clear()
    world.client_for(Role.ADMIN).post(reverse("team"), {"email": "new@example.org", "role": Role.NURSE})
    (invitation,) = mail.outbox
    assert_plain(invitation.subject)
    diary, token = start_diary(world)
    mail.outbox.clear()
    report_warning(token)
    reminder = Reminder.objects.filter(slot__diary=diary, channel=Reminder.Channel.EMAIL).first()
    assert reminder is not None
    services.deliver_reminder(reminder.pk, now=max(reminder.send_after, timezone.now()))
    world.users["nurse"].email = "nurse@clinic-a.example"
    world.users["nurse"].save()
    reset.send_reset_link.call("nurse@clinic-a.example")
    alert, reminder_mail, reset_mail = mail.outbox
    for message in (alert, reminder_mail, reset_mail):
        assert_plain(message.subject, names_the_clinic=False)
    assert RIVERSIDE in reminder_mail.body and "&amp;" not in reminder_mail.body
