"""The persona matrix: every view, as each role of the same clinic, a physician of another clinic, and anonymous.

Same clinic: the role decides (200/302 allowed, 403 not). Other clinic: its objects are 404, lists do not
show them. Anonymous: redirected to sign in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from webfactories import World

PHYSICIAN, NURSE, FRONTDESK, ADMIN = "physician", "nurse", "frontdesk", "admin"
EVERYONE = {PHYSICIAN, NURSE, FRONTDESK, ADMIN}
CLINICAL = {PHYSICIAN, NURSE}
DEMOGRAPHICS = {PHYSICIAN, NURSE, FRONTDESK}


def diary_post(world: World) -> dict[str, Any]:
    return {"at_15": "2", "at_30": "1"}


def assessment_post(world: World) -> dict[str, Any]:
    return {
        "date": "2026-01-10", "region": "lumbar", "pain_duration_months": "6", "axial_predominant": "on",
        "pain_scale": "NRS-11", "baseline_pain": "7", "bleeding_disorder": "none", "pregnancy": "no",
        "anaesthetic_allergy": "none", "care_0_modality": "physical therapy", "care_0_weeks": "8",
        "care_0_failed": "on",
    }  # fmt: skip


def procedure_post(world: World) -> dict[str, Any]:
    return {
        "date": "2026-02-01", "status": "planned", "type": "mbb", "intent": "diagnostic", "joints": ["L3-L4"],
        "side": "left", "guidance": "fluoroscopy", "sedation": "none", "agent_name": "lidocaine",
        "agent_concentration_percent": "2", "agent_volume_ml_per_nerve": "0.5",
    }  # fmt: skip


# name, URL kwargs from the world, method, POST data, roles allowed, the status when allowed, is it one object
Case = tuple[
    str, Callable[[World], dict[str, int]], str, Callable[[World], dict[str, Any]] | None, set[str], int, bool
]
NONE: Callable[[World], dict[str, int]] = lambda w: {}  # noqa: E731
PATIENT: Callable[[World], dict[str, int]] = lambda w: {"patient_id": w.patient.pk}  # noqa: E731
ASSESSMENT: Callable[[World], dict[str, int]] = lambda w: {"assessment_id": w.assessment.pk}  # noqa: E731
PROCEDURE: Callable[[World], dict[str, int]] = lambda w: {"procedure_id": w.procedure.pk}  # noqa: E731

VIEWS: list[Case] = [
    ("worklist", NONE, "get", None, EVERYONE, 200, False),
    ("patients", NONE, "get", None, EVERYONE, 200, False),
    ("patient-new", NONE, "get", None, DEMOGRAPHICS, 200, False),
    ("patient", PATIENT, "get", None, EVERYONE, 200, True),
    ("patient-edit", PATIENT, "get", None, DEMOGRAPHICS, 200, True),
    ("assessment-new", PATIENT, "get", None, CLINICAL, 200, True),
    ("assessment-new", PATIENT, "post", assessment_post, CLINICAL, 302, True),
    ("assessment-preview", PATIENT, "post", assessment_post, CLINICAL, 200, True),
    ("assessment-edit", ASSESSMENT, "get", None, CLINICAL, 200, True),
    ("procedure-new", PATIENT, "get", None, CLINICAL, 200, True),
    ("procedure-new", PATIENT, "post", procedure_post, CLINICAL, 302, True),
    ("procedure-preview", PATIENT, "post", procedure_post, CLINICAL, 200, True),
    ("procedure", PROCEDURE, "get", None, CLINICAL, 200, True),
    ("procedure-edit", PROCEDURE, "get", None, CLINICAL, 200, True),
    ("pain-curve", PROCEDURE, "get", None, CLINICAL, 200, True),
    ("diary-save", PROCEDURE, "post", diary_post, CLINICAL, 302, True),
    ("follow-up-add", PROCEDURE, "post", lambda w: {"date": "2030-01-01", "pain": "3"}, CLINICAL, 302, True),
    ("sign-off", PROCEDURE, "post", lambda w: {}, {PHYSICIAN}, 302, True),
    ("audit", NONE, "get", None, {ADMIN}, 200, False),
    ("api-tokens", NONE, "get", None, {ADMIN}, 200, False),
    ("api-tokens", NONE, "post", lambda w: {"name": "EHR", "scope": "read"}, {ADMIN}, 200, False),
    # Reports carry results and findings: clinical staff only (docs/roles.md, docs/reports.md).
    ("report-block", PROCEDURE, "get", None, CLINICAL, 200, True),
    ("report-prior-auth", PATIENT, "get", None, CLINICAL, 200, True),
    ("report-prior-auth-pdf", PATIENT, "get", None, CLINICAL, 200, True),
]
IDS = [f"{method}-{name}" for name, _, method, _, _, _, _ in VIEWS]


def call(world: World, who: str, case: Case, target: World | None = None) -> Any:
    name, kwargs, method, data, _, _, _ = case
    url = reverse(name, kwargs=kwargs(target or world))
    client = world.client_for(who)
    if method == "get":
        return client.get(url)
    return client.post(url, data(world) if data else {})


@pytest.mark.parametrize("role", [PHYSICIAN, NURSE, FRONTDESK, ADMIN])
@pytest.mark.parametrize("case", VIEWS, ids=IDS)
def test_same_clinic_role_decides(world: World, role: str, case: Case) -> None:
    allowed, status = case[4], case[5]
    response = call(world, role, case)
    assert response.status_code == (status if role in allowed else 403), response.content[:500]


@pytest.mark.parametrize(
    "case", [c for c in VIEWS if c[6]], ids=[i for i, c in zip(IDS, VIEWS, strict=True) if c[6]]
)
def test_other_clinic_gets_404_for_our_objects(world: World, case: Case) -> None:
    response = call(world, "other-clinic", case)
    assert response.status_code == 404


@pytest.mark.parametrize("case", VIEWS, ids=IDS)
def test_anonymous_is_sent_to_sign_in(world: World, case: Case) -> None:
    response = call(world, "anonymous", case)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_other_clinic_lists_do_not_show_our_patients(world: World) -> None:
    client = world.client_for("other-clinic")
    listing = client.get(reverse("patients")).content.decode()
    assert "Lovelace" not in listing
    assert "Other" in listing
    searched = client.get(reverse("patients"), {"q": "Lovelace"}).content.decode()
    assert reverse("patient", args=[world.patient.pk]) not in searched
    assert "No patient matches" in searched
    assert "Lovelace" not in client.get(reverse("worklist")).content.decode()


def test_own_clinic_object_for_other_clinic_physician_works(world: World) -> None:
    """The outsider is not locked out of everything: their own patient opens."""
    response = world.client_for("other-clinic").get(reverse("patient", args=[world.other_patient.pk]))
    assert response.status_code == 200


def test_front_desk_sees_no_clinical_detail_on_the_patient_page(world: World) -> None:
    page = world.client_for(FRONTDESK).get(reverse("patient", args=[world.patient.pk])).content.decode()
    assert "Timeline" not in page
    assert "peak relief" not in page
    assert "Upcoming" in page


def test_a_user_without_clinic_is_refused(world: World) -> None:
    from webfactories import make_user

    client = world.client_for(PHYSICIAN)
    client.force_login(make_user("nobody", None, None))
    assert client.get(reverse("worklist")).status_code == 403


def test_clinic_admin_only_in_the_django_admin(world: World) -> None:
    assert world.client_for(ADMIN).get("/staff/admin/").status_code == 200
    for role in (PHYSICIAN, NURSE, FRONTDESK):
        assert world.client_for(role).get("/staff/admin/").status_code == 302  # to the admin login


def test_admin_audit_is_read_only_and_scoped(world: World) -> None:
    world.client_for(PHYSICIAN).get(reverse("patient", args=[world.patient.pk]))
    world.client_for("other-clinic").get(reverse("patient", args=[world.other_patient.pk]))
    client = world.client_for(ADMIN)
    listing = client.get("/staff/admin/audit/auditevent/").content.decode()
    assert "physician-a" in listing
    assert "physician-b" not in listing
    from facetpath.audit.models import AuditEvent

    event = AuditEvent.objects.filter(username="physician-a").first()
    assert event is not None
    assert (
        client.post(f"/staff/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert client.get("/staff/admin/audit/auditevent/add/").status_code == 403


def test_a_member_of_two_clinics_switches_between_them(world: World) -> None:
    from facetpath.clinics.models import Membership

    user = world.users[NURSE]
    Membership.objects.create(user=user, clinic=world.other_clinic, role=FRONTDESK)
    client = world.client_for(NURSE)
    assert client.get(reverse("patient", args=[world.other_patient.pk])).status_code == 404
    client.post(reverse("switch-clinic"), {"clinic": world.other_clinic.pk})
    assert client.get(reverse("patient", args=[world.other_patient.pk])).status_code == 200
    assert client.get(reverse("patient", args=[world.patient.pk])).status_code == 404
    assert client.get(reverse("procedure", args=[world.procedure.pk])).status_code == 404
    client.post(reverse("switch-clinic"), {"clinic": 999999})  # not a member: nothing changes
    assert client.post(reverse("switch-clinic"), {"clinic": "abc"}).status_code == 302
    assert client.get(reverse("patient", args=[world.other_patient.pk])).status_code == 200


def test_sign_ins_are_audited(world: World) -> None:
    from django.test import Client

    from facetpath.audit.models import AuditEvent

    Client().post(reverse("login"), {"login": "nurse-a", "password": "wrong"})
    Client().post(reverse("login"), {"login": "nurse-a", "password": "a-long-test-password"})
    events = AuditEvent.objects.filter(username="nurse-a")
    assert set(events.values_list("action", flat=True)) >= {"login-failed", "login"}
    assert set(events.values_list("clinic", flat=True)) == {world.clinic.pk}  # the clinic's admin sees them
    page = world.client_for(ADMIN).get(reverse("audit")).content.decode()
    assert "login-failed" in page


def test_clinic_admin_changes_only_their_own_clinic_in_the_admin(world: World) -> None:
    client = world.client_for(ADMIN)
    assert client.get(f"/staff/admin/clinics/clinic/{world.clinic.pk}/change/").status_code == 200
    assert (
        client.get(f"/staff/admin/clinics/clinic/{world.other_clinic.pk}/change/").status_code == 302
    )  # "not found"
    # Staff and roles left the Django admin for the Team page (tests/web/test_team.py).
    assert client.get("/staff/admin/clinics/membership/").status_code == 404
    assert client.get("/staff/admin/clinics/membership/add/").status_code == 404
