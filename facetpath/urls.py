"""URL map of the clinic workspace."""

from allauth.account import views as account_views
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from facetpath.api.urls import api_urls
from facetpath.clinics.admin import clinic_admin_site
from facetpath.diary import urls as diary_urls
from facetpath.priorauth import urls as priorauth_urls
from facetpath.procedures import views as procedures
from facetpath.public import views as public
from facetpath.reports import urls as report_urls
from facetpath.web import api_tokens, audit_views, patients, schedule, team
from facetpath.web import views as web
from facetpath.web.reset import ResetRequestView
from facetpath.web.signin import ResetPasswordView

# The staff workspace lives under /staff/; the site root belongs to the clinic's public pages.
staff_patterns: list[URLPattern | URLResolver] = [
    path("", web.worklist, name="worklist"),
    path("clinic/switch/", web.switch_clinic, name="switch-clinic"),
    path("schedule/", schedule.schedule, name="schedule"),
    path("schedule/<int:procedure_id>/book/", schedule.reschedule, name="schedule-book"),
    path("audit/", audit_views.audit_trail, name="audit"),
    path("audit/export.csv", audit_views.audit_export, name="audit-export"),
    path("team/", team.team, name="team"),
    path("team/members/<int:membership_id>/role/", team.member_role, name="team-role"),
    path("team/members/<int:membership_id>/remove/", team.member_remove, name="team-remove"),
    path("team/invitations/<int:invitation_id>/withdraw/", team.invitation_withdraw, name="team-withdraw"),
    path("api-tokens/", api_tokens.api_tokens, name="api-tokens"),
    path("api-tokens/<int:token_id>/revoke/", api_tokens.api_token_revoke, name="api-token-revoke"),
    path("patients/", patients.patient_list, name="patients"),
    path("patients/new/", patients.patient_new, name="patient-new"),
    path("patients/<int:patient_id>/", patients.patient_page, name="patient"),
    path("patients/<int:patient_id>/edit/", patients.patient_edit, name="patient-edit"),
    path("patients/<int:patient_id>/assessments/new/", patients.assessment_new, name="assessment-new"),
    path(
        "patients/<int:patient_id>/assessments/preview/",
        patients.assessment_preview,
        name="assessment-preview",
    ),
    path("assessments/<int:assessment_id>/edit/", patients.assessment_edit, name="assessment-edit"),
    path("patients/<int:patient_id>/procedures/new/", procedures.procedure_new, name="procedure-new"),
    path(
        "patients/<int:patient_id>/procedures/preview/",
        procedures.procedure_preview,
        name="procedure-preview",
    ),
    path("procedures/<int:procedure_id>/", procedures.procedure_page, name="procedure"),
    path("procedures/<int:procedure_id>/edit/", procedures.procedure_edit, name="procedure-edit"),
    path("procedures/<int:procedure_id>/diary/", procedures.diary_save, name="diary-save"),
    path("procedures/<int:procedure_id>/follow-ups/", procedures.follow_up_add, name="follow-up-add"),
    path("procedures/<int:procedure_id>/sign/", procedures.sign_off, name="sign-off"),
    path("procedures/<int:procedure_id>/curve.svg", procedures.pain_curve, name="pain-curve"),
    path("admin/", clinic_admin_site.urls),
    path("requests/", include("facetpath.public.urls_staff")),
    path("", include(diary_urls.staff_patterns)),
    path("", include(report_urls.staff_patterns)),
    path("", include(priorauth_urls.staff_patterns)),
]

urlpatterns = [
    # The patient's diary link (no sign-in), first: its answers are the busiest requests, and Django tries
    # the patterns in order (the public site's alone are seven).
    path("d/", include(diary_urls.patient_patterns)),
    # The clinic's public site: / is the default clinic's home, each clinic has /c/<slug>/ (docs/public-site.md).
    path("", public.root, name="home"),
    path("", include("facetpath.public.urls")),
    path("sitemap.xml", public.sitemap, name="sitemap"),
    path("robots.txt", public.robots, name="robots"),
    path("healthz", web.healthz, name="healthz"),
    # The one sign-in page (password, then the second factor when the account has one; docs/roles.md).
    path("login/", account_views.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # allauth's pages: the second factor at sign-in, setting up factors (account/2fa/), the password asked
    # again. Its own sign-in, sign-up and password pages lead back to the app's.
    path("account/login/", login_not_required(RedirectView.as_view(pattern_name="login", query_string=True))),
    path("account/signup/", login_not_required(RedirectView.as_view(pattern_name="login"))),
    path("account/password/reset/", login_not_required(RedirectView.as_view(pattern_name="password_reset"))),
    path("account/", include("allauth.urls")),
    # Forgotten passwords: a one-use link by e-mail to the address on the account (docs/roles.md).
    path("password-reset/", ResetRequestView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        ResetPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    # An invitation to join a clinic's staff: the token is the credential (kept hashed, left out of logs).
    path("join/<str:token>/", team.join, name="join"),
    path("language/", login_not_required(set_language), name="set_language"),
    path("staff/", include(staff_patterns)),
    # The JSON API for outside systems, by API token only (docs/api.md).
    path("api/v1/", api_urls()),
    path("fhir/r4/", include("facetpath.fhir.urls")),  # FHIR R4 (docs/fhir.md)
]

handler400 = "facetpath.web.views.bad_request"
handler403 = "facetpath.web.views.permission_denied"
handler404 = "facetpath.web.views.page_not_found"
handler500 = "facetpath.web.views.server_error"

__all__ = ["admin", "urlpatterns"]
