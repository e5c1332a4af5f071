"""Prior-authorization pages under /staff/ (included by facetpath/urls.py)."""

from django.urls import URLPattern, path

from facetpath.priorauth import views

staff_patterns: list[URLPattern] = [
    path("patients/<int:patient_id>/prior-auth/", views.patient_prior_auth, name="prior-auth"),
    path("patients/<int:patient_id>/prior-auth/coverage/", views.coverage_edit, name="prior-auth-coverage"),
    path("patients/<int:patient_id>/prior-auth/new/", views.request_new, name="prior-auth-new"),
    path("prior-auth/<int:pa_id>/", views.request_page, name="prior-auth-request"),
    path("blocks/export/", views.block_export, name="block-export"),
]
