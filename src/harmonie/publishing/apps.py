from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "harmonie.publishing"
    label = "publishing"
    verbose_name = "Publishing"
