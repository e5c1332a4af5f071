"""Clinic admins manage their own clinic's staff only: invitations by e-mail, roles, removal, all audited.

The finding this guards against: the Django admin's membership form took a raw user id, so a clinic admin
could pull any clinic's physician into their own clinic, and make themselves a physician, unaudited.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from webfactories import PASSWORD, World, make_user

from facetpath.audit.models import AuditEvent
from facetpath.clinics.models import INVITATION_VALID_DAYS, Invitation, Membership
from facetpath.clinics.roles import Role

NOON = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def invite(world: World, email: str = "new.doctor@example.org", role: str = Role.PHYSICIAN) -> str:
    """The clinic admin of clinic A invites `email`; returns the link's path from the e-mail."""
    mail.outbox.clear()
    response = world.client_for(Role.ADMIN).post(reverse("team"), {"email": email, "role": role})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email.lower()]
    found = re.search(r"https?://[^/\s]+(/join/[^/\s]+/)", mail.outbox[0].body)
    assert found, mail.outbox[0].body
    return found.group(1)


def new_account(**extra: str) -> dict[str, str]:
    return {
        "first_name": "Nia",
        "last_name": "Okafor",
        "username": "nokafor",
        "password1": "a-fine-long-password-9",
        "password2": "a-fine-long-password-9",
        **extra,
    }


def actions_of(clinic: object) -> list[str]:
    return list(AuditEvent.objects.filter(clinic=clinic).values_list("action", flat=True))


def test_only_the_clinic_admin_reaches_the_team_page(world: World) -> None:
    assert world.client_for(Role.ADMIN).get(reverse("team")).status_code == 200
    for role in (Role.PHYSICIAN, Role.NURSE, Role.FRONTDESK):
        assert world.client_for(role).get(reverse("team")).status_code == 403
    assert world.client_for("anonymous").get(reverse("team")).status_code == 302


def test_the_team_page_lists_this_clinic_only_and_is_audited(world: World) -> None:
    page = world.client_for(Role.ADMIN).get(reverse("team")).content.decode()
    assert "physician-a" in page
    assert "physician-b" not in page
    assert AuditEvent.objects.filter(clinic=world.clinic, action="view", detail="team").exists()


def test_staff_are_no_longer_picked_by_id_in_the_django_admin(world: World) -> None:
    client = world.client_for(Role.ADMIN)
    assert client.get("/staff/admin/clinics/membership/add/").status_code == 404
    response = client.post(
        "/staff/admin/clinics/membership/add/",
        {"user": world.outsider.pk, "clinic": world.clinic.pk, "role": Role.PHYSICIAN},
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user=world.outsider, clinic=world.clinic).exists()


def test_the_admin_sign_in_sends_people_to_the_app_sign_in(world: World) -> None:
    response = Client().get("/staff/admin/login/?next=/staff/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/staff/admin/" in response["Location"]
    # The admin's own password form is gone: a POST signs nobody in.
    client = Client()
    client.post("/staff/admin/login/", {"username": "admin-a", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_an_invited_person_makes_an_account_and_joins_in_the_invited_role(world: World) -> None:
    path = invite(world)
    invitation = Invitation.objects.get(email="new.doctor@example.org")
    token = path.split("/")[2]
    assert token not in invitation.token_hash  # only the hash is kept
    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200 and "Clinic A" in page.content.decode()
    assert visitor.post(path, new_account()).status_code == 302
    user = User.objects.get(username="nokafor")
    assert user.email == "new.doctor@example.org"
    assert Membership.objects.get(user=user).clinic == world.clinic
    assert Membership.objects.get(user=user).role == Role.PHYSICIAN
    assert visitor.get(reverse("worklist")).status_code == 200  # signed in, in the clinic
    joined = AuditEvent.objects.get(action="staff-join")
    assert (joined.clinic, joined.username) == (world.clinic, "nokafor")
    assert {"staff-invite", "staff-join"} <= set(actions_of(world.clinic))
    assert all(token not in event.path for event in AuditEvent.objects.all())
    # The link is spent.
    assert Client().get(path).status_code == 410


def test_a_bad_new_account_names_the_field_and_keeps_the_rest(world: World) -> None:
    path = invite(world)
    make_user("taken", None, None)
    response = Client().post(path, new_account(username="taken", password2="something-else-entirely"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "User name: This user name is taken" in page
    assert "Password again: The two passwords differ." in page
    assert 'value="Okafor"' in page  # what was valid is kept
    short = Client().post(path, new_account(password1="short", password2="short"))
    assert short.status_code == 400 and "Password:" in short.content.decode()
    assert not Membership.objects.filter(user__username="nokafor").exists()
    assert Invitation.objects.open().filter(email="new.doctor@example.org").exists()


def test_an_existing_account_with_the_invited_address_joins_a_second_clinic(world: World) -> None:
    world.outsider.email = "physician.b@example.org"
    world.outsider.save()
    path = invite(world, email="Physician.B@example.org", role=Role.NURSE)
    client = world.client_for("other-clinic")
    assert "Join Clinic A" in client.get(path).content.decode()
    assert client.post(path).status_code == 302
    assert Membership.objects.get(user=world.outsider, clinic=world.clinic).role == Role.NURSE
    # Still a physician in their own clinic: each membership keeps its role.
    assert Membership.objects.get(user=world.outsider, clinic=world.other_clinic).role == Role.PHYSICIAN
    assert AuditEvent.objects.get(action="staff-join").clinic == world.clinic


def test_a_link_opened_by_another_account_joins_nobody(world: World) -> None:
    path = invite(world, email="someone.else@example.org")
    client = world.client_for("other-clinic")  # physician-b has no such address
    assert "Sign out" in client.get(path).content.decode()
    response = client.post(path)
    assert response.status_code == 400
    assert not Membership.objects.filter(user=world.outsider, clinic=world.clinic).exists()
    assert Invitation.objects.open().filter(email="someone.else@example.org").exists()


def test_an_invitation_expires_after_seven_days(world: World) -> None:
    with time_machine.travel(NOON, tick=False) as clock:
        path = invite(world)
        clock.shift(timedelta(days=INVITATION_VALID_DAYS) - timedelta(seconds=1))
        assert Client().get(path).status_code == 200
        clock.shift(timedelta(seconds=1))
        assert Client().get(path).status_code == 410
        assert Client().post(path, new_account()).status_code == 410
    assert not User.objects.filter(username="nokafor").exists()


def test_a_withdrawn_invitation_cannot_be_used(world: World) -> None:
    path = invite(world)
    invitation = Invitation.objects.get()
    client = world.client_for(Role.ADMIN)
    assert client.post(reverse("team-withdraw", args=[invitation.pk])).status_code == 302
    assert Client().get(path).status_code == 410
    assert "staff-invite-withdraw" in actions_of(world.clinic)


@pytest.mark.parametrize("token", ["nope", "x" * 43, "%00", "a" * 400])
def test_a_forged_link_answers_gone_and_keeps_nothing(world: World, token: str) -> None:
    assert Client().get(f"/join/{token}/").status_code in (404, 410)
    assert Client().post(f"/join/{token}/", new_account()).status_code in (404, 410)
    assert not User.objects.filter(username="nokafor").exists()


def test_nobody_is_invited_twice_or_when_already_a_member(world: World) -> None:
    client = world.client_for(Role.ADMIN)
    world.users[Role.NURSE].email = "nurse@example.org"
    world.users[Role.NURSE].save()
    member = client.post(reverse("team"), {"email": "NURSE@example.org", "role": Role.PHYSICIAN})
    assert member.status_code == 400
    assert "already a member" in member.content.decode()
    invite(world)
    again = client.post(reverse("team"), {"email": "new.doctor@example.org", "role": Role.NURSE})
    assert again.status_code == 400 and "still open" in again.content.decode()
    bad = client.post(reverse("team"), {"email": "not an address", "role": "surgeon"})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "E-mail address: Enter a valid email address." in page
    assert "Role: Select a valid choice." in page


def test_the_admin_changes_another_members_role_and_it_is_audited(world: World) -> None:
    client = world.client_for(Role.ADMIN)
    nurse = Membership.objects.get(user=world.users[Role.NURSE])
    assert client.post(reverse("team-role", args=[nurse.pk]), {"role": Role.PHYSICIAN}).status_code == 302
    nurse.refresh_from_db()
    assert nurse.role == Role.PHYSICIAN
    change = AuditEvent.objects.get(action="staff-role")
    assert change.clinic == world.clinic
    assert change.detail == "nurse-a: Nurse → Physician"


def test_an_admin_cannot_change_their_own_role_or_remove_themselves(world: World) -> None:
    client = world.client_for(Role.ADMIN)
    own = Membership.objects.get(user=world.users[Role.ADMIN])
    response = client.post(reverse("team-role", args=[own.pk]), {"role": Role.PHYSICIAN}, follow=True)
    assert "cannot change your own role" in response.content.decode()
    client.post(reverse("team-remove", args=[own.pk]))
    own.refresh_from_db()
    assert own.role == Role.ADMIN
    assert not AuditEvent.objects.filter(action__in=["staff-role", "staff-remove"]).exists()
    # Nor by accepting an invitation of their own: the account is a member already.
    world.users[Role.ADMIN].email = "admin@example.org"
    world.users[Role.ADMIN].save()
    assert (
        client.post(reverse("team"), {"email": "admin@example.org", "role": Role.PHYSICIAN}).status_code
        == 400
    )


def test_the_admin_removes_a_member_and_it_is_audited(world: World) -> None:
    client = world.client_for(Role.ADMIN)
    frontdesk = Membership.objects.get(user=world.users[Role.FRONTDESK])
    assert client.post(reverse("team-remove", args=[frontdesk.pk])).status_code == 302
    assert not Membership.objects.filter(pk=frontdesk.pk).exists()
    removed = AuditEvent.objects.get(action="staff-remove")
    assert removed.detail == "frontdesk-a (Front desk)"
    assert world.client_for(Role.FRONTDESK).get(reverse("worklist")).status_code == 403


def test_another_clinics_members_and_invitations_answer_404(world: World) -> None:
    theirs = Membership.objects.get(user=world.outsider)
    other_admin = make_user("admin-b", world.other_clinic, Role.ADMIN)
    other_client = Client()
    other_client.force_login(other_admin)
    other_client.post(reverse("team"), {"email": "b.nurse@example.org", "role": Role.NURSE})
    their_invitation = Invitation.objects.get(clinic=world.other_clinic)
    client = world.client_for(Role.ADMIN)
    assert client.post(reverse("team-role", args=[theirs.pk]), {"role": Role.NURSE}).status_code == 404
    assert client.post(reverse("team-remove", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("team-withdraw", args=[their_invitation.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.PHYSICIAN
    assert Invitation.objects.open().filter(pk=their_invitation.pk).exists()


@pytest.mark.parametrize("role", [Role.PHYSICIAN, Role.NURSE, Role.FRONTDESK])
def test_other_roles_change_nothing(world: World, role: str) -> None:
    client = world.client_for(role)
    target = Membership.objects.get(user=world.users[Role.NURSE])
    assert client.post(reverse("team-role", args=[target.pk]), {"role": Role.ADMIN}).status_code == 403
    assert client.post(reverse("team-remove", args=[target.pk])).status_code == 403
    assert client.post(reverse("team"), {"email": "x@example.org", "role": Role.ADMIN}).status_code == 403
    target.refresh_from_db()
    assert target.role == Role.NURSE
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("bad", ["", "surgeon", "\x00", "physician" * 20])
def test_a_bad_role_changes_nothing(world: World, bad: str) -> None:
    nurse = Membership.objects.get(user=world.users[Role.NURSE])
    response = world.client_for(Role.ADMIN).post(reverse("team-role", args=[nurse.pk]), {"role": bad})
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert nurse.role == Role.NURSE


def test_clinic_settings_changed_in_the_admin_are_audited(world: World) -> None:
    client = world.client_for(Role.ADMIN)
    url = f"/staff/admin/clinics/clinic/{world.clinic.pk}/change/"
    form = {
        "name": "Clinic A",
        "time_zone": "UTC",
        "default_policy": "sis",
        "phone": "",
        "emergency_number": "911",
        "email": "",
        "address": "",
        "insurance_networks": "",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="clinic-settings")
    assert event.clinic == world.clinic and "default_policy" in event.detail
