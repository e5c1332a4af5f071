"""The clinic's public site: education pages, the appointment request and question forms, the sitemap.

No sign-in, no JavaScript. `/` serves the default clinic (the first published one); every clinic also has its
own pages under /c/<slug>/ (docs/public-site.md).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from facetpath.audit.request import client_ip
from facetpath.clinics.models import Clinic
from facetpath.public.content import page_for
from facetpath.public.forms import AppointmentRequestForm, PublicRequestForm, QuestionForm
from facetpath.public.hours import localized_hours
from facetpath.public.models import ContactRequest, PublicProfile, Topic, hash_client
from facetpath.public.notify import acknowledge, notify_staff

REGIONS = [Topic.CERVICAL, Topic.THORACIC, Topic.LUMBAR]


def default_profile() -> PublicProfile:
    """The clinic `/` serves: the first published profile, else the first clinic (given a profile now)."""
    profile = PublicProfile.objects.select_related("clinic").filter(published=True).first()
    if profile is not None:
        return profile
    clinic = Clinic.objects.order_by("id").first()
    if clinic is None or PublicProfile.objects.filter(clinic=clinic).exists():
        raise Http404("No clinic has a public site yet.")
    return PublicProfile.for_clinic(clinic)


def profile_for(slug: str) -> PublicProfile:
    profile = PublicProfile.objects.select_related("clinic").filter(slug=slug, published=True).first()
    if profile is None:
        raise Http404("No such clinic.")
    return profile


def _context(request: HttpRequest, profile: PublicProfile, **extra: Any) -> dict[str, Any]:
    slug = profile.slug
    return {
        "profile": profile,
        "clinic": profile.clinic,
        "clinic_name": profile.clinic.name,
        "hour_lines": localized_hours(profile.hour_lines),
        "links": {
            "home": reverse("public:home", args=[slug]),
            "faq": reverse("public:faq", args=[slug]),
            "request": reverse("public:request", args=[slug]),
            "ask": reverse("public:ask", args=[slug]),
            "overview": reverse("public:page", args=[slug, Topic.OVERVIEW]),
            "regions": [(t.label, reverse("public:page", args=[slug, t])) for t in REGIONS],
        },
        **extra,
    }


@login_not_required
@require_GET
def root(request: HttpRequest) -> HttpResponse:
    return _home(request, default_profile())


@login_not_required
@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    return _home(request, profile_for(slug))


def _home(request: HttpRequest, profile: PublicProfile) -> HttpResponse:
    overview = page_for(profile.clinic, Topic.OVERVIEW, translation.get_language() or "en")
    context = _context(request, profile, overview=overview, jsonld=_clinic_jsonld(request, profile))
    return render(request, "public/home.html", context)


@login_not_required
@require_GET
def page(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    if topic not in Topic.values or topic == Topic.FAQ:
        raise Http404("No such page.")
    return _page(request, profile_for(slug), topic)


@login_not_required
@require_GET
def faq(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, profile_for(slug), Topic.FAQ)


def _page(request: HttpRequest, profile: PublicProfile, topic: str) -> HttpResponse:
    text = page_for(profile.clinic, topic, translation.get_language() or "en")
    jsonld = _procedure_jsonld(request, profile, text.title, text.description, topic)
    context = _context(request, profile, text=text, topic=topic, jsonld=jsonld)
    return render(request, "public/page.html", context)


@login_not_required
def appointment(request: HttpRequest, slug: str) -> HttpResponse:
    return _form(request, profile_for(slug), AppointmentRequestForm, ContactRequest.Kind.APPOINTMENT)


@login_not_required
def question(request: HttpRequest, slug: str) -> HttpResponse:
    return _form(request, profile_for(slug), QuestionForm, ContactRequest.Kind.QUESTION)


def _form(
    request: HttpRequest, profile: PublicProfile, form_class: type[PublicRequestForm], kind: str
) -> HttpResponse:
    form = form_class(request.POST if request.method == "POST" else None, today=profile.clinic.today())
    template = (
        "public/request_form.html" if kind == ContactRequest.Kind.APPOINTMENT else "public/ask_form.html"
    )
    sent = reverse("public:sent", args=[profile.slug, kind])
    if request.method == "POST":
        if form.is_bot:
            return redirect(sent)  # look like success: a bot learns nothing, and nothing is stored
        sender = hash_client(client_ip(request))
        if ContactRequest.too_many_from(sender):
            context = _context(request, profile)
            return render(request, "public/slow_down.html", context, status=429)
        if form.is_valid():
            saved = form.save(commit=False)
            saved.clinic, saved.kind, saved.client_hash = profile.clinic, kind, sender
            saved.language = translation.get_language() or "en"
            saved.save()
            saved.acknowledged = acknowledge(saved)
            saved.save(update_fields=["acknowledged"])
            notify_staff(saved, request.build_absolute_uri(reverse("request-detail", args=[saved.pk])))
            return redirect(sent)
    return render(request, template, _context(request, profile, form=form))


@login_not_required
@require_GET
def sent(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    if kind not in ContactRequest.Kind.values:
        raise Http404("No such page.")
    return render(request, "public/sent.html", _context(request, profile_for(slug), kind=kind))


def not_found(request: HttpRequest) -> HttpResponse | None:
    """The public site's 404, in its own look and the reader's language, linking to the clinic's home: the
    clinic whose address was asked for when it has a public site, else the default clinic. None when no
    clinic has a public site yet (the caller then shows its own page)."""
    match = request.resolver_match
    slug = match.kwargs.get("slug") if match is not None else None
    profile = PublicProfile.objects.select_related("clinic").filter(slug=slug, published=True).first()
    if profile is None:
        try:
            profile = default_profile()
        except Http404:
            return None
    return render(request, "public/not_found.html", _context(request, profile), status=404)


@login_not_required
@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    urls = [request.build_absolute_uri("/")]
    for profile in PublicProfile.objects.filter(published=True).order_by("id"):
        slug = profile.slug
        urls.append(request.build_absolute_uri(reverse("public:home", args=[slug])))
        urls += [request.build_absolute_uri(reverse("public:page", args=[slug, t])) for t in Topic.values[:4]]
        urls += [
            request.build_absolute_uri(reverse(name, args=[slug]))
            for name in ("public:faq", "public:request")
        ]
    return render(request, "public/sitemap.xml", {"urls": urls}, content_type="application/xml")


@login_not_required
@require_GET
def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /login/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def _jsonld(data: dict[str, Any]) -> SafeString:
    """JSON for a <script type="application/ld+json">: <, > and & escaped so no text can close the tag."""
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)


def _clinic_jsonld(request: HttpRequest, profile: PublicProfile) -> SafeString:
    clinic = profile.clinic
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "name": clinic.name,
        "url": request.build_absolute_uri(reverse("public:home", args=[profile.slug])),
    }
    if clinic.phone:
        data["telephone"] = clinic.phone
    if clinic.address:
        data["address"] = " ".join(clinic.address.split())
    if profile.hour_lines:
        data["openingHours"] = profile.hour_lines
    return _jsonld(data)


def _procedure_jsonld(
    request: HttpRequest, profile: PublicProfile, title: str, description: str, topic: str
) -> SafeString | None:
    if topic == Topic.FAQ:
        return None
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalProcedure",
        "name": title,
        "description": description,
        "procedureType": "https://schema.org/PercutaneousProcedure",
        "howPerformed": _(
            "Numbing medicine is placed next to the small nerves of the facet joints, with a live X-ray "
            "(fluoroscopy) to guide a thin needle. It takes about 20 to 30 minutes."
        ),
        "url": request.build_absolute_uri(),
    }
    if topic in REGIONS:
        data["bodyLocation"] = {"cervical": "Neck", "thoracic": "Mid back", "lumbar": "Low back"}[topic]
    return _jsonld(data)
