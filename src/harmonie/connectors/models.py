"""Connections of channels to their networks: the organization's apps, each channel's tokens, OAuth requests.

Secrets (tokens, app passwords, client secrets, PKCE verifiers) live only in the ``*_encrypted`` text columns, as
ciphertexts of :mod:`harmonie.core.crypto` bound to their row and column (see each ``aad``). Reading or writing
them is the connections service's business (``harmonie.connectors.services``); nothing else decrypts them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from harmonie.core.models import TimeStampedModel
from harmonie.governance.models import Network


class NetworkApp(TimeStampedModel):
    """The organization's app on a network (its OAuth client): registered by an org admin in the network's developer
    portal, or by Harmonie itself on each Mastodon instance (``POST /api/v1/apps``).

    ``options`` holds network-specific choices as strings: ``linkedin_version`` (``YYYYMM``), ``graph_version``
    (Meta), ``scopes`` (to ask for other scopes than the default), and endpoint overrides (``authorize_url``,
    ``token_url``, ``long_lived_url``, ``refresh_url``, ``graph_url``) and ``api_url`` (the API's base URL, given to
    the connector as the connection's ``service_url``) for a network's sandbox or a proxy.
    """

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="network_apps")
    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    # Mastodon: the instance this app is registered on ("" for networks with one server).
    instance_url = models.CharField(_("instance"), max_length=300, blank=True, default="")
    client_id = models.CharField(_("client ID"), max_length=500)
    client_secret_encrypted = models.TextField(blank=True, default="")
    options = models.JSONField(_("options"), default=dict, blank=True)
    registered_by_harmonie = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["network", "instance_url"]
        verbose_name = _("network app")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "network", "instance_url"], name="network_app_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        label = Network(self.network).label if self.network in Network.values else self.network
        return f"{label} ({self.instance_url})" if self.instance_url else label

    def aad(self, column: str) -> str:
        """Associated data binding an encrypted value to this app and column."""
        return f"connectors.networkapp:{self.organization_id}:{self.network}:{self.instance_url}:{column}"


class ConnectionMethod(models.TextChoices):
    OAUTH2 = "oauth2", _("OAuth")
    APP_PASSWORD = "app_password", _("App password")


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", _("connected")
    NEEDS_ATTENTION = "needs_attention", _("needs attention")
    DISCONNECTED = "disconnected", _("disconnected")


class ChannelConnection(TimeStampedModel):
    """How Harmonie acts as the channel's account: one per channel.

    ``token_version`` grows each time the tokens change, so that a process holding old credentials can tell that
    another one refreshed them meanwhile. ``last_error*`` say why a connection needs attention. ``settings``: what
    the network needs to know about the channel's posts (a Pinterest board).
    """

    channel = models.OneToOneField("governance.Channel", on_delete=models.CASCADE, related_name="connection")
    app = models.ForeignKey(NetworkApp, null=True, blank=True, on_delete=models.PROTECT, related_name="connections")
    method = models.CharField(_("method"), max_length=20, choices=ConnectionMethod.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED
    )
    account_id = models.CharField(_("account ID"), max_length=300, blank=True, default="")
    handle = models.CharField(_("handle"), max_length=300, blank=True, default="")
    service_url = models.CharField(_("server"), max_length=300, blank=True, default="")
    access_token_encrypted = models.TextField(blank=True, default="")
    refresh_token_encrypted = models.TextField(blank=True, default="")
    secret_encrypted = models.TextField(blank=True, default="")
    token_version = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    scopes = models.CharField(_("scopes"), max_length=2000, blank=True, default="")
    last_error_kind = models.CharField(max_length=30, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(_("last refresh"), null=True, blank=True)
    # Network-specific choices for the channel's posts, as strings, given to the connector with each publication
    # (``PublishRequest.options``): ``board_id`` (Pinterest: the board pins go on).
    settings = models.JSONField(_("settings"), default=dict, blank=True)

    class Meta:
        verbose_name = _("channel connection")
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.channel_id}: {self.status}"

    def aad(self, column: str) -> str:
        """Associated data binding an encrypted value to this channel's connection and column."""
        return f"connectors.channelconnection:{self.channel_id}:{column}"


class OAuthRequest(models.Model):
    """One authorization in progress: created when a member starts connecting a channel, used once by the callback.

    Only a hash of ``state`` is stored; the PKCE verifier is encrypted. It expires after ten minutes and belongs to
    the member who started it.
    """

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("governance.Member", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("governance.Channel", on_delete=models.CASCADE, related_name="+")
    app = models.ForeignKey(NetworkApp, on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=20, choices=Network.choices)
    state_hash = models.CharField(max_length=64, unique=True)
    verifier_encrypted = models.TextField(blank=True, default="")
    redirect_uri = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.network} for channel {self.channel_id}"

    def aad(self, column: str) -> str:
        return f"connectors.oauthrequest:{self.state_hash}:{column}"
