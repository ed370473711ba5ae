from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "harmonie.connectors"
    label = "connectors"
    verbose_name = "Connectors"
