from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "facetpath.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from facetpath.audit import signals  # noqa: F401  (connects the sign-in receivers)
