"""The audit page filters by patient, user, action and date, and exports what it shows as CSV (audited too)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from django.test import Client
from django.urls import reverse
from webfactories import ROLES, World, make_patient

from facetpath.audit.models import AuditEvent

PHYSICIAN, NURSE, FRONTDESK, ADMIN = ROLES


def event(world: World, **values: object) -> AuditEvent:
    return AuditEvent.objects.create(
        clinic=world.clinic, **{"username": "nurse-a", "action": "view", **values}
    )


def rows(client: Client, **query: str) -> list[dict[str, str]]:
    response = client.get(reverse("audit-export"), query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]


def test_the_trail_filters_by_patient_user_action_and_date(world: World) -> None:
    other = make_patient(world.clinic, mrn="A-2", given_name="Bea")
    event(world, patient=world.patient, detail="ada's chart")
    event(world, patient=other, username="physician-a", action="update", detail="bea's chart")
    event(world, when=datetime(2020, 3, 1, 12, tzinfo=UTC), detail="long ago")
    client = world.client_for(ADMIN)

    def details(**query: str) -> set[str]:
        return {row["detail"] for row in rows(client, **query)} - {""}

    assert details(patient="a-1") == {"ada's chart"}
    assert details(patient=str(other.pk)) == {"bea's chart"}
    assert details(user="physician") == {"bea's chart"}
    assert details(action="update") == {"bea's chart"}
    assert details(date_from="2020-03-01", date_to="2020-03-01") == {"long ago"}
    assert "long ago" not in details(date_from="2020-03-02")
    page = client.get(reverse("audit"), {"patient": "A-2"}).content.decode()
    assert "bea&#x27;s chart" in page and "ada&#x27;s chart" not in page


def test_a_bad_filter_is_named_and_the_others_still_apply(world: World) -> None:
    event(world, action="update", detail="changed")
    event(world, detail="read")
    client = world.client_for(ADMIN)
    page = client.get(reverse("audit"), {"date_from": "99999-01-01", "action": "update"})
    text = page.content.decode()
    assert page.status_code == 200 and "From: Enter a valid date." in text
    assert "changed" in text and ">read<" not in text
    reversed_dates = client.get(reverse("audit"), {"date_from": "2026-02-02", "date_to": "2026-02-01"})
    assert "The end date is before the start date." in reversed_dates.content.decode()


def test_an_export_is_audited_and_writes_no_formula(world: World) -> None:
    event(world, username='=HYPERLINK("http://x")', detail="+1-555")
    client = world.client_for(ADMIN)
    exported = rows(client, user="HYPERLINK")
    assert exported[0]["user"] == '\'=HYPERLINK("http://x")' and exported[0]["detail"] == "'+1-555"
    logged = AuditEvent.objects.filter(action="export", username="admin-a").get()
    assert "user=HYPERLINK" in logged.detail


def test_a_deleted_patient_is_still_named_by_number(world: World) -> None:
    event(world, patient=world.patient, detail="before deletion")
    number = world.patient.pk
    world.patient.delete()
    client = world.client_for(ADMIN)
    assert f"deleted patient no. {number}" in client.get(reverse("audit")).content.decode()
    assert [row["detail"] for row in rows(client, patient=str(number))] == ["before deletion"]


def test_only_the_clinic_admin_reads_or_exports_the_trail(world: World) -> None:
    for role in (PHYSICIAN, NURSE, FRONTDESK, "other-clinic"):
        client = world.client_for(role)
        assert client.get(reverse("audit")).status_code == 403
        assert client.get(reverse("audit-export")).status_code == 403
    event(world, detail="clinic a only")
    AuditEvent.objects.create(
        clinic=world.other_clinic, username="physician-b", action="view", detail="b only"
    )
    details = {row["detail"] for row in rows(world.client_for(ADMIN))}
    assert "clinic a only" in details and "b only" not in details


def test_reading_the_trail_in_the_admin_is_audited_too(world: World) -> None:
    entry = event(world, detail="something read")
    client = world.client_for(ADMIN)
    assert client.get("/staff/admin/audit/auditevent/", {"q": "nurse"}).status_code == 200
    assert client.get(f"/staff/admin/audit/auditevent/{entry.pk}/change/").status_code == 200
    reads = AuditEvent.objects.filter(username="admin-a", action="view", clinic=world.clinic)
    assert set(reads.values_list("detail", flat=True)) == {
        "audit trail in the admin (q=nurse)",
        f"audit entry {entry.pk} in the admin",
    }
