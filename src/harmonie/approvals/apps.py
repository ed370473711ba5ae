from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "harmonie.approvals"
    label = "approvals"
    verbose_name = "Approvals"
