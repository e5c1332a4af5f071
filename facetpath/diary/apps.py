from __future__ import annotations

from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "facetpath.diary"
    label = "diary"
    verbose_name = "Patient diaries"
