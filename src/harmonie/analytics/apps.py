from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "harmonie.analytics"
    label = "analytics"
    verbose_name = "Analytics"
