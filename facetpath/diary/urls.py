"""Diary URLs: the patient's pages behind /d/<token>/ and the staff's under /staff/."""

from django.urls import URLPattern, path

from facetpath.diary import views

patient_patterns: list[URLPattern] = [
    path("<str:token>/", views.diary_page, name="diary-page"),
    path("<str:token>/entry/", views.diary_entry, name="diary-entry"),
    path("<str:token>/warning/", views.warning_signs, name="diary-warning"),
    path("<str:token>/stop-reminders/", views.stop_reminders, name="diary-stop"),
    path("<str:token>/discharge/", views.discharge_sheet, name="diary-discharge"),
    path("<str:token>/discharge.pdf", views.discharge_sheet_pdf, name="diary-discharge-pdf"),
]

staff_patterns: list[URLPattern] = [
    path("procedures/<int:procedure_id>/patient-diary/", views.staff_diary, name="diary-staff"),
    path(
        "procedures/<int:procedure_id>/patient-diary/<slug:action>/",
        views.staff_action,
        name="diary-action",
    ),
    path(
        "procedures/<int:procedure_id>/patient-diary/discharge.pdf",
        views.staff_discharge_pdf,
        name="diary-discharge-staff-pdf",
    ),
    path("diary/warnings/<int:warning_id>/acknowledge/", views.acknowledge_warning, name="diary-ack"),
    path("diary/settings/", views.diary_settings, name="diary-settings"),
]
