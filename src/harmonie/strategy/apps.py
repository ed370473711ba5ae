from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "harmonie.strategy"
    label = "strategy"
    verbose_name = "Strategy"
