"""Background tasks run by `facetpath worker` (django.tasks with the django-tasks-db backend)."""

from __future__ import annotations

from django.tasks import task

from facetpath.diary import services


@task
def send_reminder(reminder_id: int) -> str:
    """Re-checks and sends one reminder at its time; a duplicate or stale task does nothing."""
    return services.deliver_reminder(reminder_id)
