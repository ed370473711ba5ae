"""Forms of the connections pages. They only parse input; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from harmonie.connectors.services.connect import DEFAULT_BLUESKY_SERVER


class BlueskyConnectForm(forms.Form):
    handle = forms.CharField(
        label=_("Handle"), max_length=253, help_text=_("The account's handle, such as acme.bsky.social.")
    )
    app_password = forms.CharField(
        label=_("App password"),
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Create one in Bluesky: Settings › Privacy and security › App passwords. Never your password."),
    )
    service_url = forms.CharField(
        label=_("Server (PDS)"),
        max_length=300,
        initial=DEFAULT_BLUESKY_SERVER,
        help_text=_("https://bsky.social for accounts hosted by Bluesky; your own server's address otherwise."),
    )


class MastodonConnectForm(forms.Form):
    instance_url = forms.CharField(
        label=_("Instance"),
        max_length=300,
        help_text=_("The address of the account's Mastodon server, such as https://mastodon.social."),
    )


class NetworkAppForm(forms.Form):
    """An organization's app on one network. The options shown depend on the network."""

    client_id = forms.CharField(label=_("Client ID"), max_length=500)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    linkedin_version = forms.CharField(
        label=_("LinkedIn API version"),
        max_length=6,
        required=False,
        help_text=_("YYYYMM, e.g. 202601 (LinkedIn supports each version for at least a year)."),
    )
    graph_version = forms.CharField(
        label=_("Graph API version"),
        max_length=10,
        required=False,
        help_text=_("e.g. v23.0 (empty: Harmonie's default)."),
    )
    scopes = forms.CharField(
        label=_("Scopes"),
        max_length=2000,
        required=False,
        help_text=_("Leave empty for Harmonie's defaults; otherwise the scopes your app was approved for."),
    )

    OPTIONS = ("linkedin_version", "graph_version", "scopes")

    def __init__(self, *args: Any, network: str, has_secret: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if network != "linkedin":
            del self.fields["linkedin_version"]
        if network not in {"facebook", "instagram", "threads"}:
            del self.fields["graph_version"]
        if has_secret:
            self.fields["client_secret"].help_text = _("Leave empty to keep the stored secret.")

    def options(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.OPTIONS if name in self.fields}


class PinterestBoardForm(forms.Form):
    """The board a Pinterest channel's pins go on: a choice among the account's boards when Pinterest listed them,
    else its id typed in."""

    board_id = forms.CharField(
        label=_("Pinterest board"),
        max_length=64,
        help_text=_("Pins of this channel go on this board. Its id is in the board list of Pinterest's API."),
    )

    def __init__(self, *args: Any, boards: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if boards:
            self.fields["board_id"] = forms.ChoiceField(
                label=_("Pinterest board"), choices=boards, help_text=_("Pins of this channel go on this board.")
            )
