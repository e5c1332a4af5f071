"""The patient page's timeline lines, printed here like the worklist's (facetpath/web/worklist.py): the
page is opened on every contact with the patient, and a template walking each record's fields cost more
than loading and evaluating the record. Every value is escaped by `format_html`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from facetpath.patients.models import Assessment
from facetpath.procedures.models import Procedure, SignOff
from facetpath.web.templatetags.facetpath_tags import percent
from facetpath.web.worklist import url_for


def when(day: date) -> SafeString:
    return format_html('<time datetime="{}">{} {}</time>', day.isoformat(), day.day, f"{day:%b %Y}")


def assessment_line(assessment: Assessment, can_edit: bool) -> SafeString:
    if assessment.is_draft:
        text = mark_safe("<strong>Draft assessment</strong> · from an appointment request")
        if assessment.region:
            text += format_html(", {}", assessment.get_region_display())
        if assessment.index_pain:
            text += format_html(" · {}", assessment.index_pain)
    else:
        text = format_html(
            "<strong>Assessment</strong> · {}, pain {} ({}), {} months",
            assessment.get_region_display(),
            assessment.baseline_pain,
            assessment.pain_scale,
            assessment.pain_duration_months,
        )
    if can_edit:
        text += format_html(' · <a href="{}">open</a>', url_for("assessment-edit", assessment.pk))
    return format_html("{} {}", when(assessment.date), text)


def procedure_line(procedure: Procedure, result: Any, signed: SignOff | None, diary_count: int) -> SafeString:
    parts = [
        when(procedure.date),
        format_html(
            '<a href="{}"><strong>{}</strong> {} · {}</a> <span class="badge {}">{}</span>',
            url_for("procedure", procedure.pk),
            procedure.get_type_display(),
            ", ".join(procedure.joints),
            str(procedure.get_side_display()).lower(),
            procedure.status,
            procedure.get_status_display(),
        ),
    ]
    if result is not None:
        parts.extend(_result_badges(result))
    if procedure.is_diagnostic_block and procedure.status == Procedure.Status.DONE:
        parts.append(format_html('<span class="muted">diary: {} scores</span>', diary_count))
    if signed is not None:
        at = timezone.localtime(signed.signed_at)
        parts.append(format_html('<span class="badge ok">signed {} {}</span>', at.day, f"{at:%b}"))
    return mark_safe(" ".join(parts))  # every part came through format_html


def _result_badges(result: Any) -> list[SafeString]:
    badges = []
    if result.role:
        badges.append(format_html('<span class="badge">{}</span>', result.role))
    if result.response and result.response != "n/a":
        badges.append(format_html('<span class="badge {}">{}</span>', result.response, result.response))
    if result.peak_relief_percent is not None:
        badges.append(
            format_html('<span class="muted">peak relief {} ·</span>', percent(result.peak_relief_percent))
        )
    if not result.meets_criteria:
        badges.append(mark_safe('<span class="badge deny">does not meet criteria</span>'))
    return badges
