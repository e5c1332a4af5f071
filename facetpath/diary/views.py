"""Patient pages behind the diary link (no sign-in) and the staff's diary page and actions."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from facetpath.audit.coverage import reads_patient_data
from facetpath.audit.log import audit
from facetpath.clinical.aftercare import EMERGENCY_SIGNS
from facetpath.clinics.access import as_id, member, require, staff_user
from facetpath.clinics.language import use_patient_language
from facetpath.clinics.models import Clinic
from facetpath.clinics.roles import Capability
from facetpath.diary import actions, discharge, services, times
from facetpath.diary.access import access_warning_report
from facetpath.diary.forms import AddSlotForm, DiarySettingsForm, EntryForm, WarningForm
from facetpath.diary.models import Diary, DiarySettings, Reminder, ReplacedLink, hash_token
from facetpath.diary.pdf import discharge_pdf
from facetpath.procedures.access import access_procedure

LINK_ACTOR = "patient link"
DEFAULT_EMERGENCY_NUMBER = str(Clinic._meta.get_field("emergency_number").default)

# --- The patient's side -------------------------------------------------------------------------------


def _diary_for(token: str) -> Diary | None:
    """The diary a link opens, with its procedure, patient and clinic; None for a forged link."""
    if not token.isascii() or len(token) > 64:
        return None
    return (
        Diary.objects.select_related("procedure__patient__clinic")
        .filter(token_hash=hash_token(token))
        .first()
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.META.get("HTTP_ACCEPT", "")  # not .headers: it copies every header


def _patient_context(diary: Diary, **extra: Any) -> dict[str, Any]:
    clinic = diary.procedure.patient.clinic
    return {"diary": diary, "clinic": clinic, "clinic_name": clinic.name, "token": diary.token, **extra}


def _no_link(request: HttpRequest, diary: Diary | None) -> HttpResponse:
    """A forged link learns nothing (404); an old or withdrawn one says whom to call (410). Nothing is kept."""
    if diary is not None:
        use_patient_language(request, diary.procedure.patient.preferred_language)
    clinic = diary.procedure.patient.clinic if diary is not None else None
    status = 404 if diary is None else 410
    if diary is None:
        message = _("This diary link is not valid. Please call the clinic that gave it to you.")
    elif diary.status == Diary.Status.CANCELLED:
        message = _("This diary has been closed by the clinic.")
    else:
        message = _("This diary link has expired or been replaced.")
    if _wants_json(request):
        return JsonResponse(
            {"ok": False, "kept": False, "message": message, "phone": clinic.phone if clinic else ""},
            status=status,
        )
    context = {
        "message": message,
        "clinic": clinic,
        "clinic_name": clinic.name if clinic else "",
        # A forged link names no clinic: the number every clinic starts with.
        "emergency_number": clinic.emergency_number if clinic else DEFAULT_EMERGENCY_NUMBER,
    }
    return render(request, "diary/no_link.html", context, status=status)


def _open_diary(request: HttpRequest, token: str) -> Diary | HttpResponse:
    diary = _diary_for(token)
    if diary is None:
        # A replaced link still names its clinic: the patient learns whom to call (410).
        return _no_link(request, ReplacedLink.diary_of(token) if token.isascii() else None)
    if not diary.link_usable or diary.status == Diary.Status.CANCELLED:
        return _no_link(request, diary)
    use_patient_language(request, diary.procedure.patient.preferred_language)
    return diary


def _audit_link(request: HttpRequest, action: str, obj: Any, diary: Diary, detail: str = "") -> None:
    patient = diary.procedure.patient
    audit(request, action, obj, patient, detail=detail, clinic=patient.clinic, actor=LINK_ACTOR)


def _entry_form(diary: Diary, data: Any = None) -> EntryForm:
    # A new key for the page's next answer; an answer brings its own.
    initial = {"key": secrets.token_urlsafe(18)} if data is None else {}
    return EntryForm(data, initial=initial, movements=list(diary.procedure.painful_movements or []))


def _diary_page(
    request: HttpRequest, diary: Diary, form: EntryForm, status: int = 200, **extra: Any
) -> HttpResponse:
    slots = list(diary.slots.filter(cancelled=False).select_related("entry"))
    now = timezone.now()
    open_slots = [s for s in slots if not hasattr(s, "entry")]
    due_next = services.nearest_open_slot(diary, now, open_slots)
    later = [s for s in open_slots if s.due_at > now and s != due_next][:1]
    early = times.early_for(diary, now, open_slots)  # before the next time's window: no time due now
    context = _patient_context(
        diary,
        form=form,
        early=early,
        early_at=early.due_at.astimezone(diary.zone) if early else None,
        due_next=due_next,
        due_next_label=services.slot_label(due_next) if due_next else "",
        later=later[0] if later else None,
        later_label=services.slot_label(later[0]) if later else "",
        answered=len(slots) - len(open_slots),
        total=len(slots),
        **extra,
    )
    return render(request, "diary/diary.html", context, status=status)


LinkView = Callable[[HttpRequest, str], HttpResponse]


def link_page(detail: str) -> Callable[[Callable[[HttpRequest, Diary], HttpResponse]], LinkView]:
    """A page behind the diary link: opened by GET only, so a link scanner that opens it changes nothing;
    a link that no longer works says whom to call; every view is audited as `detail`."""

    def decorate(show: Callable[[HttpRequest, Diary], HttpResponse]) -> LinkView:
        @reads_patient_data
        @login_not_required
        @require_GET
        @never_cache
        @wraps(show)
        def view(request: HttpRequest, token: str) -> HttpResponse:
            diary = _open_diary(request, token)
            if isinstance(diary, HttpResponse):
                return diary
            _audit_link(request, "view", diary, diary, detail)
            return show(request, diary)

        return view

    return decorate


@link_page("diary page")
def diary_page(request: HttpRequest, diary: Diary) -> HttpResponse:
    return _diary_page(request, diary, _entry_form(diary))


def no_store(view: LinkView) -> LinkView:
    """A reply nothing may keep: enough for a POST's (never_cache also works out an Expires date)."""

    @wraps(view)
    def keep_nothing(request: HttpRequest, token: str) -> HttpResponse:
        response = view(request, token)
        response["Cache-Control"] = "private, no-store"
        return response

    return keep_nothing


# The link's token is the credential, and a cross-site page cannot know it; CSRF cookies would also make
# an entry queued offline fail when it is finally sent from a browser whose cookie has gone.
@csrf_exempt
@login_not_required
@require_POST
@no_store
@reads_patient_data
def diary_entry(request: HttpRequest, token: str) -> HttpResponse:
    diary = _open_diary(request, token)
    if isinstance(diary, HttpResponse):
        return diary
    form = _entry_form(diary, request.POST)
    if not form.is_valid():
        if _wants_json(request):
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            return JsonResponse({"ok": False, "kept": False, "errors": errors}, status=400)
        _audit_link(request, "view", diary, diary, "diary page, answer rejected")
        return _answer_page(request, token, form=form, status=400)

    # A retry of the answer that completed the diary still gets that answer back (record_answer looks up
    # the key first), so completion is only decided there.
    def record(entry: Any, created: bool) -> None:
        detail = "diary entry" if created else "repeat"
        _audit_link(request, "create" if created else "view", entry, diary, detail)

    try:
        entry, created = actions.record_answer(diary, form.entry_data(), record=record)
    except actions.AnswerTooEarly as early:
        return _confirm_early(request, diary, form, early)
    if entry is None:
        message = _("Every time in this diary is already answered. Thank you!")
        if _wants_json(request):
            return JsonResponse({"ok": True, "kept": False, "message": message})
        _audit_link(request, "view", diary, diary, "diary page, every time answered")
        return _answer_page(request, token, saved_message=message)
    message = services.binding_message(entry)
    if _wants_json(request):
        return JsonResponse(
            {
                "ok": True,
                "kept": True,
                "duplicate": not created,
                "entry": entry.pk,
                "slot": entry.slot.minutes if entry.slot else None,
                "message": message,
            }
        )
    return _answer_page(request, token, saved_message=message)


def _confirm_early(
    request: HttpRequest, diary: Diary, form: EntryForm, early: services.AnswerTooEarly
) -> HttpResponse:
    """ "Your next time is 14:30. Answer now anyway?": nothing was kept; the same answer again, confirmed,
    is kept at its own time."""
    early.slot.diary = diary
    message, slot = times.early_message(diary, early.slot, early.at), early.slot
    if _wants_json(request):
        return JsonResponse({"ok": False, "kept": False, "confirm": True, "message": message}, status=409)
    _audit_link(request, "view", diary, diary, "early answer to confirm")
    context = _patient_context(diary, form=form, message=message, next_label=services.slot_label(slot))
    return render(request, "diary/confirm_early.html", context, status=409)


def _answer_page(
    request: HttpRequest, token: str, form: EntryForm | None = None, status: int = 200, **extra: Any
) -> HttpResponse:
    """The diary page after an answer sent without JavaScript, read afresh and whole."""
    diary = _diary_for(token)
    if diary is None:
        return _no_link(request, None)
    return _diary_page(request, diary, form or _entry_form(diary), status=status, **extra)


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
@reads_patient_data
def warning_signs(request: HttpRequest, token: str) -> HttpResponse:
    """Reportable at any time while the link works, even when the diary itself is complete."""
    diary = _open_diary(request, token)
    if isinstance(diary, HttpResponse):
        return diary
    choices = discharge.warning_choices(discharge.visit_of(diary.procedure))
    if request.method == "GET":
        form = WarningForm(initial={"key": secrets.token_urlsafe(18)}, choices=choices)
        _audit_link(request, "view", diary, diary, "warning-sign page")
        return render(
            request, "diary/warning.html", _patient_context(diary, form=form, emergency=EMERGENCY_SIGNS)
        )
    form = WarningForm(request.POST, choices=choices)
    if not form.is_valid():
        context = _patient_context(diary, form=form, emergency=EMERGENCY_SIGNS)
        _audit_link(request, "view", diary, diary, "warning-sign page, report rejected")
        return render(request, "diary/warning.html", context, status=400)
    report, created = actions.report_warning(
        diary, list(form.cleaned_data["signs"]), form.cleaned_data["note"], form.cleaned_data["key"]
    )
    if created:
        _audit_link(request, "create", report, diary, "warning signs: " + ", ".join(report.signs))
    else:  # the same report sent again: its advice is shown again
        _audit_link(request, "view", report, diary, "warning signs, repeat")
    return render(request, "diary/warning_advice.html", _patient_context(diary, report=report))


@csrf_exempt
@login_not_required
@require_POST
@reads_patient_data
def stop_reminders(request: HttpRequest, token: str) -> HttpResponse:
    diary = _open_diary(request, token)
    if isinstance(diary, HttpResponse):
        return diary
    actions.opt_out(diary)
    _audit_link(request, "update", diary, diary, "opted out of reminders")
    return _diary_page(request, diary, _entry_form(diary), saved_message=_("No more reminders will be sent."))


def link_url(request: HttpRequest, diary: Diary) -> str:
    """The diary's address as this server is reached (reminders use FACETPATH_PUBLIC_URL instead)."""
    return request.build_absolute_uri(reverse("diary-page", args=[diary.token]))


def qr_svg(url: str) -> str:
    # Inline SVG (no style attribute, no script) so the strict content-security policy allows it.
    return str(segno.make(url, error="m").svg_inline(scale=4, title=_("QR code for your pain diary")))


@link_page("discharge sheet")
def discharge_sheet(request: HttpRequest, diary: Diary) -> HttpResponse:
    return render(request, "diary/discharge.html", _sheet_context(request, diary))


@link_page("discharge sheet PDF")
def discharge_sheet_pdf(request: HttpRequest, diary: Diary) -> HttpResponse:
    return _pdf_response(discharge_pdf(_sheet_context(request, diary)))


def _sheet_context(request: HttpRequest, diary: Diary) -> dict[str, Any]:
    url = link_url(request, diary)
    procedure = diary.procedure
    return _patient_context(
        diary,
        sheet=discharge.instructions(procedure),
        qr=qr_svg(url),
        url=url,
        # The patient's own sheet: their given name (not the full name: a lost page or link names nobody),
        # when the procedure ended and the diary's times, in the clinic's time zone.
        given_name=procedure.patient.given_name,
        ended_at=services.procedure_end(procedure).astimezone(diary.zone),
        times=[
            (slot.due_at.astimezone(diary.zone), slot.label)
            for slot in diary.slots.filter(cancelled=False).select_related(
                "diary__procedure__patient__clinic"
            )
        ],
    )


def _pdf_response(pdf: bytes) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    # A name without the patient's: the file may end up in a shared downloads folder.
    response["Content-Disposition"] = 'inline; filename="after-care.pdf"'
    return response


# --- The staff's side ---------------------------------------------------------------------------------


@reads_patient_data
def staff_diary(request: HttpRequest, procedure_id: int) -> HttpResponse:
    procedure = access_procedure(request, procedure_id, Capability.VIEW_CLINICAL)
    membership = member(request)
    diary = Diary.objects.filter(procedure=procedure).first()
    context: dict[str, Any] = {
        "procedure": procedure,
        "patient": procedure.patient,
        "diary": diary,
        "can_edit": membership.can(Capability.EDIT_CLINICAL),
        "add_form": AddSlotForm(),
    }
    if diary is not None:
        url = link_url(request, diary)
        slots = list(diary.slots.select_related("entry").prefetch_related("reminders"))
        context.update(
            slots=slots,
            rows=times.sheet_rows(diary, slots),
            warnings=list(diary.warnings.select_related("acknowledged_by")),
            url=url,
            qr=qr_svg(url) if diary.link_usable else "",
            reminders=list(
                Reminder.objects.filter(slot__diary=diary).select_related(
                    "slot__diary__procedure__patient__clinic"
                )
            ),
        )
    audit(request, "view", diary or procedure, procedure.patient, detail="patient diary")
    return render(request, "diary/staff_diary.html", context)


@reads_patient_data
def staff_discharge_pdf(request: HttpRequest, procedure_id: int) -> HttpResponse:
    """The sheet to print at discharge, in the patient's language, with the diary's current link."""
    procedure = access_procedure(request, procedure_id, Capability.VIEW_CLINICAL)
    diary = Diary.objects.filter(procedure=procedure).first()
    if diary is None or not diary.link_usable:
        messages.error(request, "Start the diary (or reissue its link) before printing the sheet.")
        return redirect("diary-staff", procedure_id=procedure.pk)
    diary.procedure = procedure  # with its patient and clinic, as access_procedure loaded them
    audit(request, "view", diary, procedure.patient, detail="discharge sheet PDF")
    with translation.override(procedure.patient.preferred_language or settings.LANGUAGE_CODE):
        return _pdf_response(discharge_pdf(_sheet_context(request, diary)))


def _editable_diary(request: HttpRequest, procedure_id: int) -> tuple[Any, Diary | None]:
    procedure = access_procedure(request, procedure_id, Capability.EDIT_CLINICAL)
    return procedure, Diary.objects.filter(procedure=procedure).first()


STAFF_ACTIONS = frozenset({"start", "reissue", "revoke", "cancel", "add-slot", "remove-slot"})


@require_POST
def staff_action(request: HttpRequest, procedure_id: int, action: str) -> HttpResponse:
    procedure, diary = _editable_diary(request, procedure_id)
    if action not in STAFF_ACTIONS:
        raise Http404("No such diary action.")
    try:
        if action == "start":
            diary, _token = actions.start_diary(procedure, request.user)
            messages.success(request, "Diary started. Give the patient the link or the discharge sheet.")
        elif diary is None:
            messages.error(request, "This procedure has no diary yet.")
        elif action == "reissue":
            actions.reissue_link(diary)
            messages.success(request, "New link made; the old one no longer works.")
        elif action == "revoke":
            actions.revoke_link(diary)
            messages.success(request, "Link withdrawn. Reissue one to let the patient continue.")
        elif action == "cancel":
            actions.cancel_diary(diary)
            messages.success(request, "Diary closed; no more reminders.")
        elif action == "add-slot":
            form = AddSlotForm(request.POST)
            if not form.is_valid():
                raise actions.DiaryError(
                    "Extra time: " + " ".join(str(error) for error in form.errors.get("minutes", ["invalid"]))
                )
            actions.add_slot(diary, form.cleaned_data["minutes"])
            messages.success(request, "Time added.")
        elif action == "remove-slot":
            actions.remove_slot(diary, as_id(request.POST.get("slot", "")))
            messages.success(request, "Time removed.")
    except actions.DiaryError as error:
        messages.error(request, str(error))
    if diary is not None:
        audit(
            request,
            action if action in ("start", "cancel") else "update",
            diary,
            procedure.patient,
            detail=f"diary {action}",
        )
    return redirect("diary-staff", procedure.pk)


@require_POST
def acknowledge_warning(request: HttpRequest, warning_id: int) -> HttpResponse:
    report = access_warning_report(request, warning_id)
    actions.acknowledge_warning(report, staff_user(request))
    audit(request, "update", report, report.diary.procedure.patient, detail="warning acknowledged")
    messages.success(request, "Warning marked as handled.")
    return redirect("diary-staff", report.diary.procedure_id)


@require_http_methods(["GET", "POST"])
def diary_settings(request: HttpRequest) -> HttpResponse:
    membership = require(request, Capability.VIEW_AUDIT)  # clinic settings belong to the clinic admin
    rules = DiarySettings.shown_for(membership.clinic)
    on_call_set = bool(rules.on_call_email)  # as saved: validating the form writes the posted value on it
    form = DiarySettingsForm(request.POST if request.method == "POST" else None, instance=rules)
    if request.method == "POST" and form.is_valid():
        actions.save_settings(form)
        messages.success(request, "Diary settings saved. New diaries use them.")
        return redirect("diary-settings")
    context = {"form": form, "on_call_set": on_call_set}
    return render(request, "diary/settings.html", context, status=400 if form.errors else 200)
