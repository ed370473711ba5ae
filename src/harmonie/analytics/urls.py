from django.urls import URLPattern, URLResolver

from harmonie.analytics.views import collection, dashboards, reports, tracking

app_name = "analytics"

urlpatterns: list[URLPattern | URLResolver] = [
    *dashboards.urlpatterns,
    *tracking.urlpatterns,
    *reports.urlpatterns,
    *collection.urlpatterns,
]
