"""Reports (scheduled, HTML/PDF) and exports (CSV/XLSX in the background)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
