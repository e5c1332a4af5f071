from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "facetpath.public"
    label = "public"
    verbose_name = "Public site"

    def ready(self) -> None:
        # The worklist learns about overdue appointment requests through its section registry.
        from facetpath.clinics.roles import Capability
        from facetpath.public.queue import overdue_and_due_soon
        from facetpath.web.worklist import Section, register

        register(
            Section(
                "requests-due",
                "Appointment requests overdue or due soon",
                template="public/worklist_requests.html",
                load=overdue_and_due_soon,
                order=5,  # a promise made to the public: first after the worklist's own sections
                capability=Capability.EDIT_DEMOGRAPHICS,
            )
        )
