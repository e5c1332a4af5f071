# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)
# Every diary answer is now scored in the transaction that stores it; the answers still waiting for the
# stage refresh that scored them before are scored here, as that refresh would have (at the answer's true
# minute after the procedure, marked early, late or extra), before the flag goes.

import zoneinfo
from typing import Any

from django.db import migrations
from django.db.models import Q

from facetpath.clinical import diary_times

# The tops of the pain scales when this was written (a migration keeps its own copy).
SCALE_TOP = {"NRS-11": 10, "VAS-100": 100}


def score_waiting_answers(apps: Any, schema_editor: Any) -> None:
    Entry = apps.get_model("diary", "Entry")
    DiaryScore = apps.get_model("procedures", "DiaryScore")
    Assessment = apps.get_model("patients", "Assessment")
    waiting = Entry.objects.filter(scored=False, diary__kind="diagnostic").select_related(
        "slot", "procedure__patient__clinic", "diary"
    )
    for entry in waiting.order_by("received_at", "pk"):
        scale = (
            Assessment.objects.filter(patient_id=entry.procedure.patient_id)
            .exclude(Q(baseline_pain=None) | Q(pain_duration_months=None) | Q(region=""))
            .order_by("-date", "-id")
            .values_list("pain_scale", flat=True)
            .first()
        )
        pain = entry.pain * SCALE_TOP.get(scale, 10) // 10
        minutes = diary_times.elapsed_minutes(entry.diary.starts_at, entry.entered_at)
        mark = _mark(entry)
        score = DiaryScore.objects.filter(procedure_id=entry.procedure_id, minutes=minutes).first()
        if score is None:
            DiaryScore.objects.create(procedure_id=entry.procedure_id, minutes=minutes, pain=pain, mark=mark)
        elif score.entered_at <= entry.received_at:  # never over a score staff typed after the answer
            DiaryScore.objects.filter(pk=score.pk).update(pain=pain, entered_by=None, mark=mark)


def _mark(entry: Any) -> str:
    """early, late or extra (no time); empty when on time: the core's own window rules."""
    slot = entry.slot
    scheduled = None if slot is None else diary_times.ScheduledTime(slot.pk, slot.minutes, slot.due_at)
    zone = zoneinfo.ZoneInfo(entry.procedure.patient.clinic.time_zone)
    fit = diary_times.fit_of(entry.entered_at, scheduled, zone, follow_up=False)  # diagnostic diaries
    return "" if fit is diary_times.Fit.ON_TIME else str(fit)


class Migration(migrations.Migration):
    dependencies = [
        ("diary", "0003_extra_points"),
        ("patients", "0007_assessment_latest_index"),
        ("procedures", "0005_signoff_reason_and_score_mark"),
    ]

    operations = [
        migrations.RunPython(score_waiting_answers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="entry", name="scored"),
    ]
