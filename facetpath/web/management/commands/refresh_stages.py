"""`facetpath manage refresh_stages`: re-evaluates every patient's pathway stage (run nightly)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from facetpath.patients.models import Patient
from facetpath.procedures.stage import refresh_stage

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Re-evaluates each patient's stage for the worklist; dates move on even when records do not."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for patient in Patient.objects.select_related("clinic").iterator(chunk_size=500):
            try:
                with transaction.atomic():
                    refresh_stage(patient)
            except Exception:  # any: one unreadable record must not hold up the others
                log.exception("stage of patient %s not refreshed", patient.pk)
                continue
            count += 1
        self.stdout.write(f"Refreshed {count} patients.")
