"""Forgotten passwords: a one-use link by e-mail, the same answer for unknown addresses."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse
from webfactories import World


def test_a_reset_link_sets_a_new_password_once(world: World) -> None:
    nurse = world.users["nurse"]
    nurse.email = "nurse@clinic-a.example"
    nurse.save()
    client = Client()
    assert "Forgotten your password?" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("password_reset"), {"email": "nurse@clinic-a.example"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nurse@clinic-a.example"]
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert "Set a new password" in form_page.content.decode()
    new = "a-brand-new-password-42"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert Client().login(username="nurse-a", password=new)
    again = Client().get(link.group(1), follow=True).content.decode()
    assert "used already or is too old" in again


def test_an_unknown_address_gets_the_same_answer_and_no_mail(world: World) -> None:
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_weak_new_password_is_refused_by_field(world: World) -> None:
    nurse = world.users["nurse"]
    nurse.email = "nurse@clinic-a.example"
    nurse.save()
    client = Client()
    client.post(reverse("password_reset"), {"email": "nurse@clinic-a.example"})
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    page = client.post(url, {"new_password1": "short", "new_password2": "short"})
    assert page.status_code == 200 and "too short" in page.content.decode()
