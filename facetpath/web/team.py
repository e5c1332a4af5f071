"""The clinic admin's team page, and the page where an invited person joins the clinic.

Every membership and invitation is looked up inside the admin's current clinic: another clinic's rows
answer 404, as every record of another clinic does (docs/roles.md).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from facetpath.audit.log import audit
from facetpath.clinics.access import require, row_id, staff_user
from facetpath.clinics.models import INVITATION_VALID_DAYS, Invitation, Membership
from facetpath.clinics.roles import Capability, Role
from facetpath.web import actions
from facetpath.web.forms import InviteForm, NewAccountForm, RoleForm


def _member_in_clinic(admin: Membership, membership_id: int) -> Membership:
    found = (
        Membership.objects.select_related("user", "clinic")
        .filter(pk=row_id(membership_id), clinic=admin.clinic)
        .first()
    )
    if found is None:
        raise Http404("No such member in this clinic.")
    return found


def _invitation_in_clinic(admin: Membership, invitation_id: int) -> Invitation:
    found = Invitation.objects.filter(pk=row_id(invitation_id), clinic=admin.clinic).first()
    if found is None:
        raise Http404("No such invitation in this clinic.")
    return found


def team(request: HttpRequest) -> HttpResponse:
    admin = require(request, Capability.MANAGE_STAFF)
    form = InviteForm(request.POST or None, clinic=admin.clinic)
    if request.method == "POST" and form.is_valid():
        invitation, sent = actions.invite_staff(
            request, admin, form.cleaned_data["email"], form.cleaned_data["role"]
        )
        if sent:
            messages.success(request, f"Invitation sent to {invitation.email}.")
        else:
            messages.error(
                request,
                f"The invitation to {invitation.email} is saved, but the e-mail could not be sent: "
                "withdraw it and invite again when mail works.",
            )
        return redirect("team")
    return _render_team(request, admin, form, status=400 if form.errors else 200)


def _render_team(
    request: HttpRequest, admin: Membership, form: InviteForm, status: int = 200
) -> HttpResponse:
    members = (
        Membership.objects.select_related("user")
        .filter(clinic=admin.clinic)
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    invitations = Invitation.objects.select_related("invited_by").filter(clinic=admin.clinic)[:50]
    audit(request, "view", detail="team")
    context = {
        "members": members,
        "invitations": invitations,
        "form": form,
        "admin": admin,
        "roles": Role.choices,
        "valid_days": INVITATION_VALID_DAYS,
    }
    return render(request, "web/team.html", context, status=status)


def _change(request: HttpRequest, change: Callable[[], None], done: str) -> HttpResponse:
    """Makes one change of the team page and says how it went: done, or refused with the reason."""
    try:
        change()
    except actions.TeamError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect("team")


@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    admin = require(request, Capability.MANAGE_STAFF)
    target = _member_in_clinic(admin, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Role: {form.errors['role'][0]}")
        return redirect("team")
    role = form.cleaned_data["role"]
    return _change(
        request,
        lambda: actions.change_role(request, admin, target, role),
        f"{target.user.get_username()} is now {Role(role).label}.",
    )


@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    admin = require(request, Capability.MANAGE_STAFF)
    target = _member_in_clinic(admin, membership_id)
    return _change(
        request,
        lambda: actions.remove_member(request, admin, target),
        f"{target.user.get_username()} no longer works in {admin.clinic}.",
    )


@require_POST
def invitation_withdraw(request: HttpRequest, invitation_id: int) -> HttpResponse:
    admin = require(request, Capability.MANAGE_STAFF)
    invitation = _invitation_in_clinic(admin, invitation_id)
    return _change(
        request,
        lambda: actions.withdraw_invitation(request, invitation),
        f"The invitation to {invitation.email} is withdrawn.",
    )


@login_not_required
@never_cache
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person's page: join with the signed-in account, or make a new one."""
    invitation = actions.open_invitation(token)
    if invitation is None:
        return render(request, "web/join_gone.html", status=410)
    if request.user.is_authenticated:
        return _join_signed_in(request, invitation)
    form = NewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_account_and_join(
                request,
                invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except actions.TeamError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Welcome to {invitation.clinic}.")
            return redirect("worklist")
    context = {"invitation": invitation, "form": form}
    return render(request, "web/join.html", context, status=400 if form.errors else 200)


def _join_signed_in(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            actions.accept_invitation(request, invitation, staff_user(request))
        except actions.TeamError as refused:
            error = str(refused)
        else:
            messages.success(
                request, f"You now work in {invitation.clinic} as {invitation.get_role_display()}."
            )
            return redirect("worklist")
    matches = staff_user(request).email.strip().lower() == invitation.email.lower()
    context = {"invitation": invitation, "error": error, "email_matches": matches}
    return render(request, "web/join.html", context, status=400 if error else 200)
