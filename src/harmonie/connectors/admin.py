"""Django admin: connections and apps to look at, never their secrets (only the services write them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from harmonie.connectors.models import ChannelConnection, NetworkApp


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NetworkApp)
class NetworkAppAdmin(_ReadOnly):
    list_display = ("organization", "network", "instance_url", "client_id", "registered_by_harmonie", "updated_at")
    list_filter = ("network",)
    exclude = ("client_secret_encrypted",)


@admin.register(ChannelConnection)
class ChannelConnectionAdmin(_ReadOnly):
    list_display = ("channel", "method", "status", "handle", "expires_at", "refreshed_at", "last_error_kind")
    list_filter = ("status", "method")
    exclude = ("access_token_encrypted", "refresh_token_encrypted", "secret_encrypted")
