"""Link tracking (UTM presets, short links and their redirect, QR codes), promo codes, leads and spend."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []


def short_link_redirect(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404
