"""The organization's app credentials per network (its OAuth clients), entered by an org admin."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from harmonie.connectors import oauth
from harmonie.connectors.models import NetworkApp
from harmonie.connectors.services.common import network_label, set_app_secret
from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import ValidationFailed
from harmonie.governance.permissions import Actor, Perm

APP_FIELDS = ["network", "instance_url", "client_id", "options"]
# Options an app may carry, with a check of their value.
_OPTIONS: dict[str, re.Pattern[str]] = {
    "linkedin_version": re.compile(r"^\d{6}$"),
    "graph_version": re.compile(r"^v\d{1,3}\.\d$"),
    "scopes": re.compile(r"^[\w.:/,\- ]{1,2000}$"),
    "authorize_url": re.compile(r"^https?://\S+$"),
    "token_url": re.compile(r"^https?://\S+$"),
    "long_lived_url": re.compile(r"^https?://\S+$"),
    "refresh_url": re.compile(r"^https?://\S+$"),
    "graph_url": re.compile(r"^https?://\S+$"),
    "api_url": re.compile(r"^https?://\S+$"),
}
_HINTS = {
    "linkedin_version": "YYYYMM, e.g. 202601",
    "graph_version": "vNN.0, e.g. v23.0",
}


def _clean_options(options: Mapping[str, str] | None) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for key, value in (options or {}).items():
        text = str(value).strip()
        if not text:
            continue
        pattern = _OPTIONS.get(key)
        if pattern is None:
            raise ValidationFailed(
                _("Unknown app option '%(key)s': use one of %(known)s.") % {"key": key, "known": ", ".join(_OPTIONS)},
                field="options",
            )
        if not pattern.match(text):
            raise ValidationFailed(
                _("'%(value)s' is not a valid %(key)s%(hint)s.")
                % {"value": text, "key": key, "hint": f" ({_HINTS[key]})" if key in _HINTS else ""},
                field=key,
            )
        cleaned[key] = text
    return cleaned


@transaction.atomic
def network_app_save(
    *,
    actor: Actor,
    network: str,
    client_id: str,
    client_secret: str = "",
    options: Mapping[str, str] | None = None,
) -> NetworkApp:
    """Create or update the organization's app on ``network`` (not Mastodon: Harmonie registers itself on each
    instance). An empty ``client_secret`` keeps the stored one. Org admins only."""
    actor.require_global(Perm.ORG_MANAGE)
    if not oauth.supports_oauth(network) or oauth.SPECS[network].per_instance:
        raise ValidationFailed(
            _("%(network)s needs no app credentials in Harmonie.") % {"network": network_label(network)},
            field="network",
        )
    client_id = (client_id or "").strip()
    if not client_id:
        raise ValidationFailed(_("Give the app's client ID, from the network's developer portal."), field="client_id")
    app = (
        NetworkApp.objects.select_for_update()
        .filter(organization=actor.organization, network=network, instance_url="")
        .first()
    )
    before = snapshot(app, APP_FIELDS) if app else None
    if app is None:
        if not client_secret:
            raise ValidationFailed(
                _("Give the app's client secret, from the network's developer portal."), field="client_secret"
            )
        app = NetworkApp(organization=actor.organization, network=network, instance_url="", created_by=actor.user)
    secret_changed = bool(client_secret)
    app.client_id = client_id
    app.options = _clean_options(options)
    if client_secret:
        set_app_secret(app, client_secret.strip())
    app.save()
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="network_app.save",
        target=app,
        before=before,
        after=snapshot(app, APP_FIELDS) | {"client_secret": "changed" if secret_changed else "unchanged"},
    )
    return app
