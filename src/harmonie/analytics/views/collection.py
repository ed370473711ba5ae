"""Metric collection status: per channel, when its metrics were last read and are next due, what failed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_GET

from harmonie.analytics.collection_status import collection_status
from harmonie.governance.permissions import Actor
from harmonie.governance.views import common


@common.member_required
@require_GET
def status(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "analytics/collection/status.html", {"rows": collection_status(actor=actor)})


urlpatterns: list[URLPattern | URLResolver] = [
    path("collection/", status, name="collection"),
]
