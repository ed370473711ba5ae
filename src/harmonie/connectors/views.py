"""The connections pages: every channel the member can see with its connection's state, connecting (Bluesky app
password, Mastodon instance, OAuth with the network), the OAuth callback, disconnecting, and the organization's app
credentials (org admins), and the board a Pinterest channel's pins go on."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from harmonie.connectors import oauth, selectors, services
from harmonie.connectors.base import ConnectorError
from harmonie.connectors.forms import BlueskyConnectForm, MastodonConnectForm, NetworkAppForm, PinterestBoardForm
from harmonie.connectors.models import ConnectionStatus
from harmonie.connectors.services.common import network_label, require_manage
from harmonie.core.errors import DomainError
from harmonie.governance.models import Channel, Network
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

LIST = "connectors:connections"


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _external(url: str) -> HttpResponseRedirect:
    """A redirect to the network's authorization page, on another host."""
    return HttpResponseRedirect(url)


def _manageable(actor: Actor, pk: int) -> Channel:
    channel = selectors.connection_channel_get(actor=actor, pk=pk)
    require_manage(actor, channel)
    return channel


@common.member_required
@require_http_methods(["GET"])
def connection_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    rows = selectors.connection_rows(actor=actor)
    return render(
        request,
        "connectors/connections.html",
        {
            "rows": rows,
            "needing_attention": sum(1 for r in rows if r.status == ConnectionStatus.NEEDS_ATTENTION),
            "is_org_admin": actor.can_globally(Perm.ORG_MANAGE),
        },
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def connect_bluesky(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    channel = _manageable(actor, pk)
    if channel.network != Network.BLUESKY:
        raise Http404
    connection = getattr(channel, "connection", None)
    initial = {"handle": (connection.handle if connection and connection.handle else channel.handle)}
    if connection is not None and connection.service_url:
        initial["service_url"] = connection.service_url
    form = BlueskyConnectForm(request.POST or None, initial=initial)

    def connect(data: dict[str, Any]) -> object:
        return services.connection_connect_app_password(
            actor=actor,
            channel=channel,
            handle=data["handle"],
            app_password=data["app_password"],
            service_url=data["service_url"],
        )

    done, status = common.submit(request, form, connect)
    if done is not None:
        messages.success(request, _("%(channel)s is connected.") % {"channel": channel})
        return redirect(LIST)
    return render(request, "connectors/connect_bluesky.html", {"form": form, "channel": channel}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def connect_mastodon(request: HttpRequest, actor: Actor, pk: int) -> HttpResponseBase:
    channel = _manageable(actor, pk)
    if channel.network != Network.MASTODON:
        raise Http404
    connection = getattr(channel, "connection", None)
    domain = channel.handle.lstrip("@").partition("@")[2]
    initial = {"instance_url": (connection.service_url if connection and connection.service_url else "")}
    if not initial["instance_url"] and domain:
        initial["instance_url"] = f"https://{domain}"
    form = MastodonConnectForm(request.POST or None, initial=initial)

    def start(data: dict[str, Any]) -> str:
        return services.connection_connect_mastodon(
            actor=actor, channel=channel, instance_url=data["instance_url"], request_base_url=_base_url(request)
        )

    url, status = common.submit(request, form, start)
    if url is not None:
        return _external(url)
    return render(request, "connectors/connect_mastodon.html", {"form": form, "channel": channel}, status=status)


@common.member_required
@require_POST
def connect_oauth(request: HttpRequest, actor: Actor, pk: int) -> HttpResponseBase:
    channel = _manageable(actor, pk)
    try:
        url = services.oauth_start(actor=actor, channel=channel, request_base_url=_base_url(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(LIST)
    return _external(url)


@common.member_required
@require_http_methods(["GET"])
def oauth_callback(request: HttpRequest, actor: Actor) -> HttpResponse:
    state = request.GET.get("state", "")
    try:
        if request.GET.get("error"):
            services.oauth_denied(
                actor=actor,
                state=state,
                error=request.GET.get("error", ""),
                description=request.GET.get("error_description", ""),
            )
        connection = services.oauth_callback(actor=actor, state=state, code=request.GET.get("code", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(LIST)
    messages.success(request, _("%(channel)s is connected.") % {"channel": connection.channel})
    return redirect(LIST)


@common.member_required
@require_http_methods(["GET", "POST"])
def disconnect(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    channel = _manageable(actor, pk)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.connection_disconnect(actor=actor, channel=channel)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("%(channel)s is disconnected.") % {"channel": channel})
            return redirect(LIST)
    return render(request, "connectors/confirm_disconnect.html", {"channel": channel, "error": error}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def pinterest_board(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """Choose the board a Pinterest channel's pins go on: among the account's boards, listed by Pinterest (a
    posted choice is checked by the service, whatever the form showed)."""
    channel = _manageable(actor, pk)
    if channel.network != Network.PINTEREST:
        raise Http404
    connection = getattr(channel, "connection", None)
    boards: list[tuple[str, str]] = []
    unlisted = ""
    if request.method == "GET" and connection is not None and connection.status == ConnectionStatus.CONNECTED:
        try:
            boards = [(b.board_id, b.name) for b in selectors.pinterest_boards(actor=actor, channel=channel)]
        except (DomainError, ConnectorError) as exc:
            unlisted = exc.message
    initial = {"board_id": (connection.settings or {}).get("board_id", "")} if connection is not None else {}
    form = PinterestBoardForm(request.POST or None, initial=initial, boards=boards)

    def save(data: dict[str, Any]) -> object:
        return services.connection_board_set(actor=actor, channel=channel, board_id=data["board_id"])

    done, status = common.submit(request, form, save)
    if done is not None:
        messages.success(request, _("Pins of %(channel)s go on the chosen board.") % {"channel": channel})
        return redirect(LIST)
    context = {"form": form, "channel": channel, "unlisted": unlisted}
    return render(request, "connectors/pinterest_board.html", context, status=status)


# --- app credentials ----------------------------------------------------------------------------------------


def _app_networks() -> list[tuple[str, str]]:
    return [(n, network_label(n)) for n, spec in oauth.SPECS.items() if not spec.per_instance]


@common.member_required
@require_http_methods(["GET"])
def app_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    apps = {app.network: app for app in selectors.network_app_list(actor=actor) if not app.instance_url}
    instance_apps = [app for app in selectors.network_app_list(actor=actor) if app.instance_url]
    rows = [
        {"network": n, "label": label, "app": apps.get(n), "doc": oauth.SPECS[n].doc} for n, label in _app_networks()
    ]
    return render(
        request,
        "connectors/apps.html",
        {"rows": rows, "instance_apps": instance_apps, "redirect_uri": services.callback_url(_base_url(request))},
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def app_edit(request: HttpRequest, actor: Actor, network: str) -> HttpResponse:
    if network not in dict(_app_networks()):
        raise Http404
    app = selectors.network_app_get(actor=actor, network=network)
    initial: dict[str, Any] = {}
    if app is not None:
        initial = {"client_id": app.client_id, **(app.options or {})}
    has_secret = app is not None and app.client_secret_encrypted != ""
    form = NetworkAppForm(request.POST or None, initial=initial, network=network, has_secret=has_secret)

    def save(data: dict[str, Any]) -> object:
        kept = {k: str(v) for k, v in ((app.options or {}) if app else {}).items() if k not in NetworkAppForm.OPTIONS}
        return services.network_app_save(
            actor=actor,
            network=network,
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            options=kept | form.options(),
        )

    saved, status = common.submit(request, form, save)
    if saved is not None:
        messages.success(request, _("The %(network)s app is saved.") % {"network": network_label(network)})
        return redirect("connectors:apps")
    spec = oauth.SPECS[network]
    return render(
        request,
        "connectors/app_form.html",
        {
            "form": form,
            "network": network,
            "label": network_label(network),
            "app": app,
            "redirect_uri": services.callback_url(_base_url(request)),
            "default_scopes": spec.scope_separator.join(spec.scopes),
        },
        status=status,
    )
