"""Public pages of each clinic, under /c/<slug>/; `/`, the sitemap and robots.txt are wired in facetpath/urls.py."""

from django.urls import path

from facetpath.public import views

app_name = "public"
urlpatterns = [
    path("c/<slug:slug>/", views.home, name="home"),
    path("c/<slug:slug>/learn/<str:topic>/", views.page, name="page"),
    path("c/<slug:slug>/faq/", views.faq, name="faq"),
    path("c/<slug:slug>/request/", views.appointment, name="request"),
    path("c/<slug:slug>/ask/", views.question, name="ask"),
    path("c/<slug:slug>/sent/<str:kind>/", views.sent, name="sent"),
]
