"""Connecting a channel to its account: a Bluesky app password, OAuth (start and callback), a Mastodon instance
(Harmonie registers itself there first), and disconnecting.

Network calls never run inside a database transaction here: the OAuth request is consumed (single use) in one
transaction, the code is exchanged, then the tokens are stored in another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.connectors import oauth, registry
from harmonie.connectors.base import AccountReader, Capability, ConnectorError, Credentials, ErrorKind, TokenSet
from harmonie.connectors.models import (
    ChannelConnection,
    ConnectionMethod,
    ConnectionStatus,
    NetworkApp,
    OAuthRequest,
)
from harmonie.connectors.services.common import (
    apply_tokens,
    callback_url,
    clean_server_url,
    clear_secrets,
    connection_snapshot,
    network_label,
    oauth_app,
    require_manage,
    set_app_secret,
)
from harmonie.core import crypto
from harmonie.core.audit import audit_record
from harmonie.core.errors import NotFound, NotPermitted, ValidationFailed
from harmonie.governance.models import Channel, Network
from harmonie.governance.permissions import Actor

logger = logging.getLogger(__name__)

OAUTH_REQUEST_TTL = dt.timedelta(minutes=10)
OAUTH_REQUEST_KEEP = dt.timedelta(days=1)  # expired attempts are kept a day (to tell "expired" from "unknown")
DEFAULT_BLUESKY_SERVER = "https://bsky.social"
_BLUESKY_HANDLE = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")


def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _save_connection(
    *,
    actor: Actor,
    channel: Channel,
    method: str,
    app: NetworkApp | None,
    tokens: TokenSet | None,
    handle: str,
    service_url: str,
    secret: str = "",
) -> ChannelConnection:
    """Create or replace the channel's connection with fresh secrets; audited without any of them."""
    connection = ChannelConnection.objects.select_for_update().filter(channel=channel).first()
    before = connection_snapshot(connection) if connection else None
    if connection is None:
        connection = ChannelConnection(channel=channel)
    clear_secrets(connection)  # a reconnection starts from nothing: no token of the old grant survives
    connection.app = app
    connection.method = method
    connection.status = ConnectionStatus.CONNECTED
    connection.handle = handle[:300]
    connection.service_url = service_url[:300]
    connection.account_id = ""
    connection.scopes = ""
    if tokens is not None:
        apply_tokens(connection, tokens)
    connection.secret_encrypted = crypto.encrypt(secret, aad=connection.aad("secret"))
    connection.last_error_kind = ""
    connection.last_error = ""
    connection.last_error_at = None
    connection.connected_by = actor.user
    connection.connected_at = timezone.now()
    connection.save()
    audit_record(
        organization_id=channel.organization_id,
        actor=actor.user,
        action="connection.connect",
        target=channel,
        before=before,
        after=connection_snapshot(connection) | {"tokens": "changed"},
        market_id=channel.owner_market_id,
    )
    return connection


def api_base(app: NetworkApp) -> str:
    """The connection's server: the Mastodon instance, or the app's ``api_url`` option ("" for the default)."""
    return app.instance_url or str((app.options or {}).get("api_url", ""))


def _refused(network: str, exc: ConnectorError) -> ValidationFailed:
    return ValidationFailed(
        _("%(network)s did not accept the connection: %(reason)s")
        % {"network": network_label(network), "reason": exc.message}
    )


# --- Bluesky: app password ----------------------------------------------------------------------------------


def connection_connect_app_password(
    *, actor: Actor, channel: Channel, handle: str, app_password: str, service_url: str = DEFAULT_BLUESKY_SERVER
) -> ChannelConnection:
    """Connect a Bluesky channel with the account's handle and an app password, on its server (PDS).

    When the Bluesky connector is there, a session is created at once (which checks the password); the app password
    is stored encrypted so that a new session can be made when the refresh token dies."""
    require_manage(actor, channel)
    if channel.network != Network.BLUESKY:
        raise ValidationFailed(
            _("Only Bluesky channels connect with an app password; %(network)s channels connect with OAuth.")
            % {"network": network_label(channel.network)}
        )
    handle = (handle or "").strip().lstrip("@").lower()
    if not _BLUESKY_HANDLE.match(handle) and not handle.startswith("did:"):
        raise ValidationFailed(
            _("'%(handle)s' is not a Bluesky handle: write it as a domain, such as acme.bsky.social.")
            % {"handle": handle},
            field="handle",
        )
    app_password = (app_password or "").strip()
    if not app_password:
        raise ValidationFailed(
            _("Give an app password (Bluesky: Settings › Privacy and security › App passwords)."), field="app_password"
        )
    server = clean_server_url(service_url or DEFAULT_BLUESKY_SERVER, field="service_url")
    tokens: TokenSet | None = None
    if registry.supports(Network.BLUESKY, Capability.REFRESH):
        connector = registry.get(Network.BLUESKY)
        try:
            tokens = connector.refresh(  # type: ignore[attr-defined]
                Credentials(network=Network.BLUESKY, handle=handle, secret=app_password, service_url=server)
            )
        except ConnectorError as exc:
            raise _refused(Network.BLUESKY, exc) from None
    with transaction.atomic():
        return _save_connection(
            actor=actor,
            channel=channel,
            method=ConnectionMethod.APP_PASSWORD,
            app=None,
            tokens=tokens,
            handle=handle,
            service_url=server,
            secret=app_password,
        )


# --- OAuth --------------------------------------------------------------------------------------------------


@transaction.atomic
def _begin(*, actor: Actor, channel: Channel, app: NetworkApp, redirect_uri: str) -> str:
    spec = oauth.spec_for(channel.network)
    state = oauth.new_state()
    verifier = oauth.new_verifier() if spec.pkce else ""
    now = timezone.now()
    OAuthRequest.objects.filter(expires_at__lt=now - OAUTH_REQUEST_KEEP).delete()  # spent or abandoned long ago
    request = OAuthRequest(
        organization_id=channel.organization_id,
        member=actor.member,
        channel=channel,
        app=app,
        network=channel.network,
        state_hash=_state_hash(state),
        redirect_uri=redirect_uri,
        created_at=now,
        expires_at=now + OAUTH_REQUEST_TTL,
    )
    request.verifier_encrypted = crypto.encrypt(verifier, aad=request.aad("verifier"))
    request.save()
    return oauth.build_authorize_url(
        channel.network,
        app=oauth_app(app),
        redirect_uri=redirect_uri,
        state=state,
        code_challenge=oauth.pkce_challenge(verifier) if verifier else "",
    )


def _mastodon_instance(channel: Channel) -> str:
    """The instance of a Mastodon channel: where it is connected, else the domain of its ``user@instance`` handle."""
    connection = ChannelConnection.objects.filter(channel=channel).first()
    if connection is not None and connection.service_url:
        return connection.service_url
    _user, _sep, domain = channel.handle.lstrip("@").partition("@")
    return f"https://{domain}" if domain else ""


def oauth_start(*, actor: Actor, channel: Channel, request_base_url: str = "") -> str:
    """Start connecting ``channel`` with OAuth: the address to send the member's browser to.

    ``state`` (only its hash is kept) and the PKCE verifier (encrypted) are stored server-side for ten minutes,
    for one use, by this member. Refused when the organization has no app on the network (an org admin enters its
    credentials first). Mastodon channels go through :func:`connection_connect_mastodon`."""
    require_manage(actor, channel)
    if not oauth.supports_oauth(channel.network):
        if channel.network == Network.BLUESKY:
            raise ValidationFailed(_("Bluesky channels connect with the account's handle and an app password."))
        raise ValidationFailed(
            _("Harmonie cannot connect %(network)s channels yet.") % {"network": network_label(channel.network)}
        )
    if channel.network == Network.MASTODON:
        return connection_connect_mastodon(
            actor=actor, channel=channel, instance_url=_mastodon_instance(channel), request_base_url=request_base_url
        )
    app = NetworkApp.objects.filter(organization_id=channel.organization_id, network=channel.network).first()
    if app is None:
        raise ValidationFailed(
            _(
                "Your organization has no %(network)s app yet: an org admin must first enter its client ID and "
                "secret under Connections › App credentials."
            )
            % {"network": network_label(channel.network)},
            code="no_network_app",
        )
    return _begin(actor=actor, channel=channel, app=app, redirect_uri=callback_url(request_base_url))


def connection_connect_mastodon(
    *, actor: Actor, channel: Channel, instance_url: str, request_base_url: str = ""
) -> str:
    """Start connecting a Mastodon channel on ``instance_url``: Harmonie registers itself on the instance the first
    time (``POST /api/v1/apps``, kept as the organization's app for that instance), then OAuth starts. Returns the
    address to send the member's browser to."""
    require_manage(actor, channel)
    if channel.network != Network.MASTODON:
        raise ValidationFailed(_("Only Mastodon channels connect through an instance address."))
    instance = clean_server_url(instance_url, field="instance_url")
    redirect_uri = callback_url(request_base_url)
    app = NetworkApp.objects.filter(
        organization_id=channel.organization_id, network=Network.MASTODON, instance_url=instance
    ).first()
    if app is None or (app.options or {}).get("redirect_uri") != redirect_uri:
        try:
            registered = oauth.register_mastodon_app(
                instance, client_name="Harmonie", redirect_uri=redirect_uri, website=""
            )
        except ConnectorError as exc:
            raise ValidationFailed(
                _("Could not register Harmonie on %(instance)s: %(reason)s")
                % {"instance": instance, "reason": exc.message},
                field="instance_url",
            ) from None
        with transaction.atomic():
            app, created = NetworkApp.objects.select_for_update().get_or_create(
                organization_id=channel.organization_id,
                network=Network.MASTODON,
                instance_url=instance,
                defaults={"client_id": registered.client_id, "registered_by_harmonie": True, "created_by": actor.user},
            )
            app.client_id = registered.client_id
            app.options = {"redirect_uri": redirect_uri}
            set_app_secret(app, registered.client_secret)
            app.save()
            audit_record(
                organization_id=channel.organization_id,
                actor=actor.user,
                action="network_app.register",
                target=app,
                after={"network": app.network, "instance_url": instance, "client_id": app.client_id,
                       "created": created, "client_secret": "changed"},
            )  # fmt: skip
    return _begin(actor=actor, channel=channel, app=app, redirect_uri=redirect_uri)


@transaction.atomic
def _consume(*, actor: Actor, state: str) -> tuple[OAuthRequest, bool]:
    """Spend the OAuth request ``state`` names (single use): (the request, whether it had expired)."""
    request = (
        OAuthRequest.objects.select_for_update(of=("self",))
        .select_related("channel", "channel__owner_market", "app")
        .filter(state_hash=_state_hash(state or ""), organization_id=actor.organization_id)
        .first()
    )
    if request is None:
        raise ValidationFailed(
            _("This connection attempt is unknown: start connecting the channel again from the Connections page."),
            code="oauth_state_unknown",
        )
    if request.used_at is not None:
        raise ValidationFailed(
            _("This connection attempt was already used: start connecting the channel again."),
            code="oauth_state_used",
        )
    if request.member_id != actor.member.pk:
        raise NotPermitted(
            _("Another member started this connection attempt: start connecting the channel yourself."),
            code="oauth_state_other_member",
        )
    request.used_at = timezone.now()
    request.save(update_fields=["used_at"])
    return request, request.expires_at <= request.used_at


def _account(channel: Channel, tokens: TokenSet, app: NetworkApp) -> tuple[str, str]:
    """(account id, handle) from the connector's AccountReader when there is one, else what the token said."""
    if not registry.supports(channel.network, Capability.ACCOUNT):
        return tokens.account_id, ""
    connector = registry.get(channel.network)
    assert isinstance(connector, AccountReader)
    app_settings = oauth_app(app)
    try:
        info = connector.account_info(
            Credentials(
                network=channel.network,
                account_id=tokens.account_id,
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                expires_at=tokens.expires_at,
                service_url=api_base(app),
                client_id=app_settings.client_id,
                client_secret=app_settings.client_secret,
                extra=app_settings.settings,
            )
        )
    except ConnectorError as exc:
        if exc.kind in {ErrorKind.AUTH_REVOKED, ErrorKind.AUTH_EXPIRED, ErrorKind.POLICY}:
            raise _refused(channel.network, exc) from None
        logger.warning("Account lookup failed for channel %s (%s); connecting without it", channel.pk, exc.kind)
        return tokens.account_id, ""
    return info.account_id or tokens.account_id, info.handle


def _facebook_page(channel: Channel, tokens: TokenSet, app: NetworkApp) -> TokenSet:
    """A Facebook channel is a Page: its own token (which does not expire) comes from the member's Pages."""
    try:
        pages = oauth.facebook_pages(tokens.access_token, app=oauth_app(app))
    except ConnectorError as exc:
        raise _refused(channel.network, exc) from None
    for page in pages:
        if page.matches(channel.handle) or page.matches(channel.display_name):
            return TokenSet(access_token=page.access_token, account_id=page.page_id, scopes=tokens.scopes)
    names = ", ".join(p.name or p.page_id for p in pages) or _("none")
    raise ValidationFailed(
        _(
            "The Facebook account you logged in with does not manage the Page %(page)s (it manages: %(pages)s). Log "
            "in as one of the Page's admins and connect again."
        )
        % {"page": channel.handle, "pages": names}
    )


def oauth_callback(*, actor: Actor, state: str, code: str) -> ChannelConnection:
    """Finish connecting: check the state (known, unused, not expired, this member's), exchange the code for
    tokens, read the account, store the tokens encrypted. The state is spent even when this fails."""
    request, expired = _consume(actor=actor, state=state)
    if expired:
        raise ValidationFailed(
            _("This connection attempt expired (after 10 minutes): start connecting the channel again."),
            code="oauth_state_expired",
        )
    channel = request.channel
    require_manage(actor, channel)
    if not (code or "").strip():
        raise ValidationFailed(_("The network sent no authorization code: start connecting the channel again."))
    app = request.app
    verifier = crypto.decrypt(request.verifier_encrypted, aad=request.aad("verifier"))
    try:
        tokens = oauth.exchange_code(
            channel.network, code=code.strip(), verifier=verifier, app=oauth_app(app), redirect_uri=request.redirect_uri
        )
    except ConnectorError as exc:
        raise _refused(channel.network, exc) from None
    if channel.network == Network.FACEBOOK:
        tokens = _facebook_page(channel, tokens, app)
    account_id, handle = _account(channel, tokens, app)
    tokens = TokenSet(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
        account_id=account_id,
        scopes=tokens.scopes,
    )
    with transaction.atomic():
        return _save_connection(
            actor=actor,
            channel=channel,
            method=ConnectionMethod.OAUTH2,
            app=app,
            tokens=tokens,
            handle=handle,
            service_url=api_base(app),
        )


def oauth_denied(*, actor: Actor, state: str, error: str, description: str = "") -> None:
    """The member (or the network) declined on the network's page: spend the state and say so."""
    _consume(actor=actor, state=state)
    reason = description or error
    raise ValidationFailed(
        _("The network did not authorize Harmonie (%(reason)s): nothing was connected.") % {"reason": reason[:200]},
        code="oauth_denied",
    )


# --- disconnecting ------------------------------------------------------------------------------------------


@transaction.atomic
def connection_disconnect(*, actor: Actor, channel: Channel) -> ChannelConnection:
    """Forget the channel's tokens and app password (the grant is not revoked at the network: revoke it there too
    if the account should never be reachable again). Posts to it wait until it is connected again."""
    require_manage(actor, channel)
    connection = ChannelConnection.objects.select_for_update().filter(channel=channel).first()
    if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
        raise NotFound(_("This channel is not connected."))
    before = connection_snapshot(connection)
    clear_secrets(connection)
    connection.status = ConnectionStatus.DISCONNECTED
    connection.save()
    audit_record(
        organization_id=channel.organization_id,
        actor=actor.user,
        action="connection.disconnect",
        target=channel,
        before=before,
        after=connection_snapshot(connection) | {"tokens": "deleted"},
        market_id=channel.owner_market_id,
    )
    return connection
