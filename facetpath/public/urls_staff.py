"""The front-desk queue, under /staff/requests/."""

from django.urls import path

from facetpath.public import views_staff

urlpatterns = [
    path("", views_staff.request_list, name="request-list"),
    path("<int:request_id>/", views_staff.request_detail, name="request-detail"),
    path("<int:request_id>/status/", views_staff.request_status, name="request-status"),
    path("<int:request_id>/patient/", views_staff.request_make_patient, name="request-make-patient"),
]
