"""Dashboards: objectives and KPIs, cadence, pillar mix, global vs local, best time, paid/owned/earned."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
