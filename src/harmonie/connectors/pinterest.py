"""Pinterest (API v5), over plain ``httpx``.

``network-apis.md`` has no Pinterest section: what follows is Pinterest's v5 reference as published [K], to
re-check against the live documentation. A pin is one image on one of the account's boards
(``request.options["board_id"]``; :meth:`PinterestConnector.boards` lists them), with a title, a description
(the post's text), alt text and a destination link. The image goes as base64 (``image_base64``), or as a public
address (``image_url``) when the engine passes ``request.options["media_urls"]``. Errors are
``{"code": int, "message": str}``; Pinterest has no idempotency key and no duplicate signal, so after an
unknown outcome ``reconcile`` looks at the board's latest pins.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _

from harmonie.connectors import http, oauth, registry
from harmonie.connectors.base import (
    AccountInfo,
    Connector,
    ConnectorError,
    Credentials,
    ErrorKind,
    Found,
    PostMetrics,
    PublishRequest,
    PublishResult,
    RateBudget,
    Reconciliation,
    RemoteRef,
    TokenSet,
)
from harmonie.content.networks.limits import NetworkLimits, limits_for

API = "https://api.pinterest.com/v5"
NETWORK = "Pinterest"
IMAGE_TYPES = ("image/jpeg", "image/png")
METRIC_TYPES = "IMPRESSION,SAVE,PIN_CLICK,OUTBOUND_CLICK"
ANALYTICS_DAYS = 90  # the analytics endpoint reaches 90 days back
RECONCILE_SLACK = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Board:
    board_id: str
    name: str
    privacy: str = "PUBLIC"
    description: str = ""


def pin_url(pin_id: str) -> str:
    return f"https://www.pinterest.com/pin/{pin_id}/"


def error(response: httpx.Response, *, write: bool) -> ConnectorError:
    body = http.json_body(response)
    body = body if isinstance(body, dict) else {}
    detail = str(body.get("message") or "")
    code = str(body.get("code") if body.get("code") is not None else response.status_code)
    status = response.status_code
    if status == 401:
        return http.error_for(response, network=NETWORK, kind=ErrorKind.AUTH_EXPIRED, detail=detail, code=code)
    if status == 403:
        message = _(
            "Pinterest refused the call for lack of permission: reconnect the channel and grant the board and pin "
            "permissions (boards:read, pins:write)."
        )
        return http.error_for(
            response, network=NETWORK, kind=ErrorKind.AUTH_REVOKED, message=message, detail=detail, code=code
        )
    if status == 404:
        message = _("Pinterest does not find the board or the pin: choose one of the account's boards.")
        return http.error_for(
            response, network=NETWORK, kind=ErrorKind.VALIDATION, message=message, detail=detail, code=code
        )
    return http.error_for(response, network=NETWORK, detail=detail, code=code, write=write)


@registry.register
class PinterestConnector(Connector):
    network = "pinterest"
    label = "Pinterest"
    limits: ClassVar[NetworkLimits | None] = limits_for("pinterest")
    budget = RateBudget(calls=30, seconds=3600)  # no figure in network-apis.md: conservative
    concurrency = 2
    auth = "oauth2"

    api_url: str = API

    def _client(self, credentials: Credentials) -> httpx.Client:
        return http.client(base_url=credentials.service_url or self.api_url, token=credentials.access_token)

    def _call(self, client: httpx.Client, method: str, path: str, *, write: bool = False, **kwargs: Any) -> Any:
        response = http.send(client, method, path, network=NETWORK, write=write, **kwargs)
        if response.status_code >= 400:
            raise error(response, write=write)
        return http.json_body(response) or {}

    def new_key(self) -> str:
        return str(uuid.uuid4())

    def boards(self, credentials: Credentials) -> list[Board]:
        """The account's boards (``GET /boards``, every page), to choose where pins go."""
        boards: list[Board] = []
        params: dict[str, str] = {"page_size": "100"}
        with self._client(credentials) as client:
            while True:
                answer = self._call(client, "GET", "/boards", params=params)
                boards += [
                    Board(
                        board_id=str(item["id"]),
                        name=str(item.get("name", "")),
                        privacy=str(item.get("privacy", "PUBLIC")),
                        description=str(item.get("description") or ""),
                    )
                    for item in answer.get("items") or []
                ]
                bookmark = answer.get("bookmark")
                if not bookmark:
                    return boards
                params = {"page_size": "100", "bookmark": str(bookmark)}

    def _board(self, request: PublishRequest) -> str:
        board = str(request.options.get("board_id") or "")
        if not board:
            raise ConnectorError(
                ErrorKind.VALIDATION,
                _("A pin goes on a board: choose one of the account's Pinterest boards."),
                code="board_required",
            )
        return board

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        board = self._board(request)
        if len(request.media) != 1 or request.media[0].mime_type not in IMAGE_TYPES:
            raise ConnectorError(ErrorKind.VALIDATION, _("A pin is one image, JPEG or PNG."), code="one_image")
        image = request.media[0]
        urls = [str(u) for u in request.options.get("media_urls") or []]
        source: dict[str, str] = (
            {"source_type": "image_url", "url": urls[0]}
            if urls
            else {
                "source_type": "image_base64",
                "content_type": image.mime_type,
                "data": base64.b64encode(image.data).decode("ascii"),
            }
        )
        body: dict[str, Any] = {"board_id": board, "description": request.text, "media_source": source}
        if request.options.get("board_section_id"):
            body["board_section_id"] = str(request.options["board_section_id"])
        if request.title:
            body["title"] = request.title
        if request.link:
            body["link"] = request.link
        if image.alt_text:
            body["alt_text"] = image.alt_text
        with self._client(credentials) as client:
            pin = self._call(client, "POST", "/pins", write=True, json=body)
        pin_id = str(pin["id"])
        return PublishResult(
            remote_id=pin_id, url=pin_url(pin_id), published_at=http.parse_time(str(pin.get("created_at", "")))
        )

    def reconcile(self, credentials: Credentials, request: PublishRequest) -> Reconciliation:
        """The board's latest pins (``GET /boards/{id}/pins``): one with this title and description, made since
        the first attempt, is ours; otherwise Pinterest cannot tell."""
        board = self._board(request)
        with self._client(credentials) as client:
            answer = self._call(client, "GET", f"/boards/{board}/pins", params={"page_size": "25"})
        start = request.first_attempt_at - RECONCILE_SLACK if request.first_attempt_at else None
        for pin in answer.get("items") or []:
            created = http.parse_time(str(pin.get("created_at", "")))
            if start is not None and (created is None or created < start):
                continue
            same_title = str(pin.get("title") or "") == request.title
            if same_title and http.same_text(str(pin.get("description") or ""), request.text):
                pin_id = str(pin["id"])
                return Reconciliation(
                    Found.PUBLISHED,
                    PublishResult(remote_id=pin_id, url=pin_url(pin_id), published_at=created),
                    detail=_("The pin was found on its board."),
                )
        return Reconciliation(
            Found.UNKNOWN,
            detail=_(
                "The pin is not among the board's latest pins: someone must check the board before pinning again."
            ),
        )

    def delete(self, credentials: Credentials, ref: RemoteRef) -> None:
        with self._client(credentials) as client:
            response = http.send(client, "DELETE", f"/pins/{ref.remote_id}", network=NETWORK, write=True)
        if response.status_code >= 400 and response.status_code != 404:
            raise error(response, write=True)

    def read_metrics(self, credentials: Credentials, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        """``GET /pins/{id}/analytics`` over the last 90 days: impressions, saves, outbound clicks."""
        today = http.now().date()
        params = {
            "start_date": (today - dt.timedelta(days=ANALYTICS_DAYS - 1)).isoformat(),
            "end_date": today.isoformat(),
            "metric_types": METRIC_TYPES,
        }
        metrics: dict[str, PostMetrics] = {}
        with self._client(credentials) as client:
            for ref in refs:
                response = http.send(client, "GET", f"/pins/{ref.remote_id}/analytics", network=NETWORK, params=params)
                if response.status_code == 404:
                    continue
                if response.status_code >= 400:
                    raise error(response, write=False)
                answer = http.json_body(response) or {}
                summary = (answer.get("all") or {}).get("summary_metrics") or {}
                metrics[ref.remote_id] = PostMetrics(
                    impressions=summary.get("IMPRESSION"),
                    saves=summary.get("SAVE"),
                    clicks=summary.get("OUTBOUND_CLICK"),
                )
        return metrics

    def account_info(self, credentials: Credentials) -> AccountInfo:
        with self._client(credentials) as client:
            account = self._call(client, "GET", "/user_account")
        username = str(account.get("username", ""))
        return AccountInfo(
            account_id=str(account.get("id") or credentials.account_id),
            handle=username,
            display_name=str(account.get("business_name") or username),
            followers=account.get("follower_count"),
            url=f"https://www.pinterest.com/{username}/" if username else "",
        )

    def refresh(self, credentials: Credentials) -> TokenSet:
        with http.client() as client:
            return oauth.refresh_tokens("pinterest", credentials, http=client)
