from django.contrib import admin
from django.urls import include, path

from harmonie.analytics.views.tracking import short_link_redirect
from harmonie.config.api import api
from harmonie.core.views import health

urlpatterns = [
    path("", include("harmonie.governance.urls")),
    path("strategy/", include("harmonie.strategy.urls")),
    path("content/", include("harmonie.content.urls")),
    path("approvals/", include("harmonie.approvals.urls")),
    path("connections/", include("harmonie.connectors.urls")),
    path("publishing/", include("harmonie.publishing.urls")),
    path("analytics/", include("harmonie.analytics.urls")),
    path("l/<str:code>", short_link_redirect, name="short_link"),
    path("accounts/", include("harmonie.accounts.urls")),
    path("api/", api.urls),
    path("health", health, name="health"),
    path("django-admin/", admin.site.urls),
]
