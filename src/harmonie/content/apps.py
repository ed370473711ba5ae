from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "harmonie.content"
    label = "content"
    verbose_name = "Content"
