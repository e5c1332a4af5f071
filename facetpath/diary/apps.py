from __future__ import annotations

from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "facetpath.diary"
    label = "diary"
    verbose_name = "Patient diaries"

    def ready(self) -> None:
        from facetpath.clinics.roles import Capability
        from facetpath.diary import worklist
        from facetpath.web.worklist import Section, register

        # Warning signs come before everything else on the worklist.
        register(
            Section(
                "diary-warnings",
                "Diary warning signs",
                template="diary/worklist_warnings.html",
                load=worklist.open_warnings,
                order=-10,
                capability=Capability.VIEW_CLINICAL,
            )
        )
        register(
            Section(
                "diary-reminder-failures",
                "Diary reminders that failed",
                template="diary/worklist_failures.html",
                load=worklist.failed_reminders,
                order=20,
                capability=Capability.VIEW_CLINICAL,
            )
        )
