from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "harmonie.governance"
    label = "governance"
    verbose_name = "Governance"
