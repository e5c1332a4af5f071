"""Audit coverage (issue 12, finding 5): every view that can show patient data is marked
`@reads_patient_data`, and each marked view writes an audit row for every answer that shows the data,
including a form shown again after an invalid POST and an htmx preview.

Live previews are audited like any read: each preview names the patient once (detail "preview …"), so a
form filled in with previews leaves one row per preview request, which htmx already limits to the changes
the user makes (a delay after typing), not one per keystroke.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from webfactories import World, start_diary

from facetpath.audit.coverage import marked_as_reading
from facetpath.audit.models import AuditEvent
from facetpath.audit.request import without_token
from facetpath.priorauth.models import Request
from facetpath.public.models import ContactRequest

# Staff and patient-link views that show no patient data, each with the reason. A new view under /staff/ or
# /d/ must be marked @reads_patient_data or listed here, or test_every_view_is_classified fails.
NOT_READING = {
    "facetpath.web.views.switch_clinic": "changes the session's clinic, answers with a redirect",
    "facetpath.web.team.team": "staff accounts, no patient",
    "facetpath.web.team.member_role": "staff accounts, no patient",
    "facetpath.web.team.member_remove": "staff accounts, no patient",
    "facetpath.web.team.invitation_withdraw": "staff accounts, no patient",
    "facetpath.web.patients.patient_new": "a form for a new patient: shows only what the user typed",
    "facetpath.procedures.views.sign_off": "a write (audited in its action), answers with a redirect",
    "facetpath.diary.views.staff_action": "a write (audited), answers with a redirect",
    "facetpath.diary.views.acknowledge_warning": "a write (audited), answers with a redirect",
    "facetpath.diary.views.diary_settings": "the clinic's diary settings, no patient",
    "facetpath.web.schedule.reschedule": "a write, answers with a redirect to the schedule",
    "facetpath.web.api_tokens.api_tokens": "the clinic's API tokens, no patient",
    "facetpath.web.api_tokens.api_token_revoke": "a write (audited), answers with a redirect",
    "facetpath.fhir.views.metadata": "the FHIR CapabilityStatement, no patient",
    "facetpath.fhir.views.questionnaire": "a Questionnaire facetpath publishes, no patient",
    "facetpath.fhir.views.code_system": "a CodeSystem facetpath publishes, no patient",
}
ADMIN_PREFIX = "staff/admin/"  # the clinic admin site: covered page by page by test_security_admin.py
ROLES = ["physician", "nurse", "frontdesk", "admin"]
# A POST that fails validation, for views whose empty POST is valid (and answers with a redirect).
INVALID_POST = {"diary-save": {"at_15": "not a number"}}


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        else:
            yield route, entry


def _view_name(pattern: URLPattern) -> str:
    view = getattr(pattern.callback, "view_class", pattern.callback)
    return f"{view.__module__}.{view.__qualname__}"


def staff_and_link_views() -> list[tuple[str, URLPattern]]:
    return [
        (route, pattern)
        for route, pattern in _walk(get_resolver().url_patterns)
        if route.startswith(("staff/", "d/", "fhir/")) and not route.startswith(ADMIN_PREFIX)
    ]


def test_every_view_is_classified() -> None:
    unclassified = [
        f"{route} ({_view_name(pattern)})"
        for route, pattern in staff_and_link_views()
        if not marked_as_reading(pattern.callback) and _view_name(pattern) not in NOT_READING
    ]
    assert not unclassified, "mark these @reads_patient_data or list them in NOT_READING: " + ", ".join(
        unclassified
    )


def test_the_not_reading_list_names_only_real_unmarked_views() -> None:
    views = {_view_name(pattern): pattern for _, pattern in staff_and_link_views()}
    assert set(NOT_READING) <= set(views)
    assert not [name for name in NOT_READING if marked_as_reading(views[name].callback)]


def _arguments(world: World) -> dict[str, object]:
    diary, token = start_diary(world)
    contact = ContactRequest.objects.create(
        clinic=world.clinic, given_name="Tom", family_name="Asker", phone="555-0102", consent=True,
        pain_area="neck", pain_duration="3-12-months", created_at=timezone.now() - timedelta(hours=2),
    )  # fmt: skip
    prior_auth = Request.objects.create(
        clinic=world.clinic, patient=world.patient, date_of_service=world.clinic.today(), codes=["64635"],
        payer="medicare", place_of_service="22", sent_on=world.clinic.today(),
    )  # fmt: skip
    return {
        "pa_id": prior_auth.pk,
        "patient_id": world.patient.pk,
        "assessment_id": world.assessment.pk,
        "procedure_id": diary.procedure_id,  # a block with a diary: the diary's staff pages show it
        "request_id": contact.pk,
        "token": token,
        "resource_type": "Patient",  # a FHIR $export file
        "binary_id": f"prior-auth-packet-{world.patient.pk}",  # a FHIR Binary: the packet PDF
    }


def _answers_showing_data(
    url: str, clients: list[Client], invalid: dict[str, str]
) -> Iterator[tuple[str, int, bool]]:
    """(method, status, audited) for each answer that shows a page rather than refusing or redirecting."""
    for method in ("get", "post"):
        for client in clients:
            before = AuditEvent.objects.count()
            response = client.get(url) if method == "get" else client.post(url, invalid)
            assert response.status_code < 500, (method, url)
            if response.status_code in (302, 403, 404, 405):
                continue  # refused, or a redirect that shows nothing: another persona may be allowed
            written = AuditEvent.objects.filter(path=without_token(url))
            yield method, response.status_code, written.count() > 0 and AuditEvent.objects.count() > before
            break


def test_every_view_that_reads_patient_data_writes_an_audit_row(world: World) -> None:
    arguments = _arguments(world)
    staff = [world.client_for(role) for role in ROLES]
    marked = [(route, p) for route, p in staff_and_link_views() if marked_as_reading(p.callback)]
    assert len(marked) >= 25  # every read the issue counted, and the link pages
    missing, never_shown = [], []
    for route, pattern in marked:
        kwargs = {name: arguments[name] for name in pattern.pattern.converters}
        url = reverse(pattern.name, kwargs=kwargs)
        clients = [Client()] if route.startswith("d/") else staff
        answers = list(_answers_showing_data(url, clients, INVALID_POST.get(str(pattern.name), {})))
        if not answers:
            never_shown.append(url)
        missing += [
            f"{method.upper()} {url} ({status})" for method, status, audited in answers if not audited
        ]
    assert not missing, "answers that showed patient data without an audit row: " + ", ".join(missing)
    assert not never_shown, "no persona could open: " + ", ".join(never_shown)


def test_the_new_assessment_and_procedure_forms_are_audited_with_their_patient(world: World) -> None:
    client = world.client_for("physician")
    for name in ("assessment-new", "procedure-new"):
        client.get(reverse(name, args=[world.patient.pk]))
        client.post(reverse(name, args=[world.patient.pk]), {"date": "not a date"})
    rows = AuditEvent.objects.filter(patient_id=world.patient.pk, action="view")
    assert rows.filter(detail="new assessment form").count() == 2
    assert rows.filter(detail="new procedure form").count() == 2


def test_the_warning_sign_page_is_audited_as_the_patient_link(world: World) -> None:
    _diary, token = start_diary(world)
    Client().get(reverse("diary-warning", args=[token]))
    Client().post(reverse("diary-warning", args=[token]), {})
    rows = AuditEvent.objects.filter(patient_id=world.patient.pk, detail__startswith="warning-sign page")
    assert rows.count() == 2
    assert {row.username for row in rows} == {"patient link"}
    assert token not in "".join(row.path for row in rows)


def test_an_invalid_status_change_shown_again_is_audited(world: World) -> None:
    contact = ContactRequest.objects.create(
        clinic=world.clinic, given_name="Tom", family_name="Asker", phone="555-0102", consent=True,
        pain_area="neck", pain_duration="3-12-months", created_at=timezone.now() - timedelta(hours=2),
    )  # fmt: skip
    client = world.client_for("frontdesk")
    assert (
        client.post(reverse("request-status", args=[contact.pk]), {"status": "nonsense"}).status_code == 400
    )
    assert client.post(reverse("request-make-patient", args=[contact.pk]), {"mrn": ""}).status_code == 400
    details = set(AuditEvent.objects.filter(object_id=str(contact.pk)).values_list("detail", flat=True))
    assert {"status form rejected", "patient form rejected"} <= details


@pytest.mark.parametrize("query", ["", "?q=physician", "?action__exact=view"])
def test_the_admins_audit_list_search_and_detail_are_audited(world: World, query: str) -> None:
    client = world.client_for("admin")
    client.get(reverse("patient", args=[world.patient.pk]))  # as the admin: not allowed, but it is one row
    world.client_for("physician").get(reverse("patient", args=[world.patient.pk]))
    before = AuditEvent.objects.count()
    assert client.get("/staff/admin/audit/auditevent/" + query).status_code == 200
    listing = AuditEvent.objects.order_by("-pk").first()
    assert listing is not None and AuditEvent.objects.count() == before + 1
    assert listing.detail.startswith("audit trail in the admin") and listing.username == "admin-a"
    event = AuditEvent.objects.filter(username="physician-a").first()
    assert event is not None
    assert client.get(f"/staff/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert AuditEvent.objects.filter(detail=f"audit entry {event.pk} in the admin").count() == 1
