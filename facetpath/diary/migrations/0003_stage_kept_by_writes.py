# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)
# Every diary answer is now scored in the transaction that stores it; the answers still waiting for the
# stage refresh that scored them before are scored here, as that refresh would have, before the flag goes.

from typing import Any

from django.db import migrations
from django.db.models import Q

# The tops of the pain scales when this was written (a migration keeps its own copy).
SCALE_TOP = {"NRS-11": 10, "VAS-100": 100}


def score_waiting_answers(apps: Any, schema_editor: Any) -> None:
    Entry = apps.get_model("diary", "Entry")
    DiaryScore = apps.get_model("procedures", "DiaryScore")
    Assessment = apps.get_model("patients", "Assessment")
    waiting = Entry.objects.filter(scored=False, diary__kind="diagnostic").select_related("slot", "procedure")
    for entry in waiting.order_by("received_at", "pk"):
        scale = (
            Assessment.objects.filter(patient_id=entry.procedure.patient_id)
            .exclude(Q(baseline_pain=None) | Q(pain_duration_months=None) | Q(region=""))
            .order_by("-date", "-id")
            .values_list("pain_scale", flat=True)
            .first()
        )
        pain = entry.pain * SCALE_TOP.get(scale, 10) // 10
        score = DiaryScore.objects.filter(procedure_id=entry.procedure_id, minutes=entry.slot.minutes).first()
        if score is None:
            DiaryScore.objects.create(procedure_id=entry.procedure_id, minutes=entry.slot.minutes, pain=pain)
        elif score.entered_at <= entry.received_at:  # never over a score staff typed after the answer
            DiaryScore.objects.filter(pk=score.pk).update(pain=pain, entered_by=None)


class Migration(migrations.Migration):
    dependencies = [
        ("diary", "0002_answers_scored_with_the_stage"),
        ("patients", "0007_assessment_latest_index"),
        ("procedures", "0004_write_fewer_indexes"),
    ]

    operations = [
        migrations.RunPython(score_waiting_answers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="entry", name="scored"),
    ]
