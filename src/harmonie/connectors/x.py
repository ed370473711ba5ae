"""X (API v2), over plain ``httpx`` (network-apis.md §4).

Posts go through ``POST /2/tweets`` with an OAuth 2 user token (PKCE flow in ``connectors.oauth``). Media use
the v2 chunked upload with its dedicated endpoints (``/2/media/upload/initialize``, ``/{id}/append``,
``/{id}/finalize``, then ``GET /2/media/upload?command=STATUS`` while processing) and alt text through
``/2/media/metadata``. X has no idempotency key: identical text is refused with 403 "duplicate content", which
this connector reports as DUPLICATE; after an unknown outcome ``reconcile`` looks for the post in the account's
timeline since the first attempt.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Sequence
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
    MediaItem,
    Mention,
    PostMetrics,
    PublishRequest,
    PublishResult,
    RateBudget,
    Reconciliation,
    RemoteRef,
    TokenSet,
)
from harmonie.content.networks.limits import NetworkLimits, limits_for
from harmonie.content.networks.validation import text_with_link

API = "https://api.x.com"
NETWORK = "X"
CHUNK_BYTES = 4 * 1024 * 1024  # §4.3: chunks ≤5 MB, 1–4 MB typical
#: How far before the first attempt the timeline is searched (clocks differ).
RECONCILE_SLACK = dt.timedelta(minutes=2)


def media_category(item: MediaItem) -> str:
    if item.mime_type == "image/gif":
        return "tweet_gif"
    if item.mime_type.startswith("video/"):
        return "tweet_video"
    return "tweet_image"


def _problem(response: httpx.Response) -> tuple[str, str, str]:
    """(title, detail, type) of an RFC 7807-ish error body (§4.6), or of the first ``errors`` entry."""
    body = http.json_body(response)
    if not isinstance(body, dict):
        return "", "", ""
    errors = body.get("errors")
    if not body.get("detail") and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        body = {**errors[0], **{k: v for k, v in body.items() if k != "errors"}}
    detail = str(body.get("detail") or body.get("message") or "")
    return str(body.get("title") or ""), detail, str(body.get("type") or "")


def error(response: httpx.Response, *, write: bool) -> ConnectorError:
    """X's answer, mapped to the shared set (§4.6)."""
    status = response.status_code
    title, detail, kind_url = _problem(response)
    problem = kind_url.rsplit("/", 1)[-1]
    if status == 403 and "duplicate content" in detail.casefold():
        return http.error_for(
            response,
            network=NETWORK,
            kind=ErrorKind.DUPLICATE,
            message=_("X refuses this post as a duplicate: the account already posted the same text."),
            code="duplicate",
        )
    if problem == "usage-capped":
        return http.error_for(
            response,
            network=NETWORK,
            kind=ErrorKind.POLICY,
            message=_(
                "The organization's X API plan has used up its credits (usage cap): add credits in the X "
                "developer portal, then publish again."
            ),
            code=problem,
        )
    if status == 401:
        return http.error_for(response, network=NETWORK, kind=ErrorKind.AUTH_EXPIRED, detail=detail, code="401")
    if status == 403 and problem in {"not-authorized-for-resource", "not-authorized-for-field"}:
        return http.error_for(
            response,
            network=NETWORK,
            kind=ErrorKind.AUTH_REVOKED,
            message=_(
                "X refused the call for lack of permission (%(detail)s): reconnect the channel and grant every "
                "permission asked."
            )
            % {"detail": detail or title},
            code=problem,
        )
    return http.error_for(response, network=NETWORK, detail=detail or title, code=problem or str(status), write=write)


@registry.register
class XConnector(Connector):
    network = "x"
    label = "X"
    limits: ClassVar[NetworkLimits | None] = limits_for("x")
    budget = RateBudget(calls=100, seconds=900)  # §4.6: POST /2/tweets 100 per 15 min per user
    concurrency = 2
    auth = "oauth2_pkce"

    api_url: str = API
    chunk_bytes: int = CHUNK_BYTES
    status_poll_attempts: int = 60
    max_poll_wait: float = 10.0  # never sleep longer than this between STATUS checks

    def _client(self, credentials: Credentials, *, upload: bool = False) -> httpx.Client:
        return http.client(
            base_url=credentials.service_url or self.api_url,
            token=credentials.access_token,
            timeout=http.UPLOAD_TIMEOUT if upload else http.TIMEOUT,
        )

    def _call(self, client: httpx.Client, method: str, url: str, *, write: bool = False, **kwargs: Any) -> Any:
        response = http.send(client, method, url, network=NETWORK, write=write, **kwargs)
        if response.status_code >= 400:
            raise error(response, write=write)
        return http.json_body(response) or {}

    # --- media (§4.3) -----------------------------------------------------------------------------------------

    def _upload(self, client: httpx.Client, item: MediaItem) -> str:
        init = self._call(
            client,
            "POST",
            "/2/media/upload/initialize",
            write=False,
            json={"media_type": item.mime_type, "total_bytes": len(item.data), "media_category": media_category(item)},
        )
        media_id = str(init["data"]["id"])
        for index, start in enumerate(range(0, len(item.data), self.chunk_bytes)):
            chunk = item.data[start : start + self.chunk_bytes]
            self._call(
                client,
                "POST",
                f"/2/media/upload/{media_id}/append",
                write=False,
                data={"segment_index": str(index)},
                files={"media": (item.filename or "media", chunk, "application/octet-stream")},
            )
        final = self._call(client, "POST", f"/2/media/upload/{media_id}/finalize", write=False)
        self._wait_processed(client, media_id, final.get("data", {}).get("processing_info"))
        if item.alt_text:
            self._call(
                client,
                "POST",
                "/2/media/metadata",
                write=False,
                json={"id": media_id, "metadata": {"alt_text": {"text": item.alt_text}}},
            )
        return media_id

    def _wait_processed(self, client: httpx.Client, media_id: str, info: Any) -> None:
        attempts = 0
        while isinstance(info, dict) and info.get("state") in {"pending", "in_progress"}:
            attempts += 1
            if attempts > self.status_poll_attempts:
                raise ConnectorError(
                    ErrorKind.MEDIA_PROCESSING,
                    _("X is still processing a media file; try again later."),
                    code="media_timeout",
                )
            time.sleep(min(float(info.get("check_after_secs") or 1), self.max_poll_wait))
            status = self._call(client, "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id})
            info = status.get("data", {}).get("processing_info")
        if isinstance(info, dict) and info.get("state") == "failed":
            error_info = info.get("error") or {}
            detail = (
                str(error_info.get("message") or error_info.get("name") or "") if isinstance(error_info, dict) else ""
            )
            raise ConnectorError(
                ErrorKind.MEDIA_PROCESSING,
                http.default_message(ErrorKind.MEDIA_PROCESSING, network=NETWORK, detail=detail),
                code="media_failed",
            )

    # --- publishing -------------------------------------------------------------------------------------------

    def new_key(self) -> str:
        return str(uuid.uuid4())

    def _tweet(self, credentials: Credentials, request: PublishRequest, *, reply_to: str = "") -> PublishResult:
        with self._client(credentials, upload=bool(request.media)) as client:
            media_ids = [self._upload(client, item) for item in request.media]
            body: dict[str, Any] = {
                "text": text_with_link("x", request.text, request.link, has_media=bool(request.media))
            }
            if media_ids:
                body["media"] = {"media_ids": media_ids}
            if reply_to:
                body["reply"] = {"in_reply_to_tweet_id": reply_to}
            if request.options.get("reply_settings"):
                body["reply_settings"] = str(request.options["reply_settings"])
            answer = self._call(client, "POST", "/2/tweets", write=True, json=body)
        data = answer.get("data") or {}
        return PublishResult(remote_id=str(data["id"]), url=self.post_url(credentials, str(data["id"])))

    def post_url(self, credentials: Credentials, post_id: str) -> str:
        handle = credentials.handle.lstrip("@")
        return f"https://x.com/{handle}/status/{post_id}" if handle else f"https://x.com/i/web/status/{post_id}"

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        return self._tweet(credentials, request, reply_to=request.reply_to.remote_id if request.reply_to else "")

    def reply(self, credentials: Credentials, to: RemoteRef, request: PublishRequest) -> PublishResult:
        return self._tweet(credentials, request, reply_to=to.remote_id)

    def reconcile(self, credentials: Credentials, request: PublishRequest) -> Reconciliation:
        """Look for the text in the account's posts since the first attempt (§1: ``GET /2/users/:id/tweets``).
        Absent there, publishing again is safe: X refuses identical text as a duplicate anyway."""
        params: dict[str, str] = {"max_results": "100", "tweet.fields": "created_at,text", "exclude": "retweets"}
        if request.first_attempt_at is not None:
            start = (request.first_attempt_at - RECONCILE_SLACK).astimezone(dt.UTC)
            params["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        text = text_with_link("x", request.text, request.link, has_media=bool(request.media))
        with self._client(credentials) as client:
            answer = self._call(client, "GET", f"/2/users/{credentials.account_id}/tweets", params=params)
        for post in answer.get("data") or []:
            if http.same_text(str(post.get("text", "")), text):
                post_id = str(post["id"])
                created = http.parse_time(str(post.get("created_at", "")))
                return Reconciliation(
                    Found.PUBLISHED,
                    PublishResult(remote_id=post_id, url=self.post_url(credentials, post_id), published_at=created),
                    detail=_("The post was found in the account's timeline."),
                )
        return Reconciliation(
            Found.ABSENT,
            detail=_(
                "The post is not in the account's timeline since the first attempt; X refuses the same text "
                "twice, so publishing again cannot make a duplicate."
            ),
        )

    # --- other capabilities -----------------------------------------------------------------------------------

    def delete(self, credentials: Credentials, ref: RemoteRef) -> None:
        with self._client(credentials) as client:
            response = http.send(client, "DELETE", f"/2/tweets/{ref.remote_id}", network=NETWORK, write=True)
        if response.status_code == 404:
            return
        if response.status_code >= 400:
            raise error(response, write=True)

    def read_metrics(self, credentials: Credentials, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        """``GET /2/tweets`` with public_metrics, and non_public_metrics (own posts, ≤30 days) for link clicks
        (§4.4); ids X reports as errors (deleted posts) are left out."""
        metrics: dict[str, PostMetrics] = {}
        ids = [ref.remote_id for ref in refs]
        with self._client(credentials) as client:
            for start in range(0, len(ids), 100):
                params = {
                    "ids": ",".join(ids[start : start + 100]),
                    "tweet.fields": "public_metrics,non_public_metrics",
                }
                answer = self._call(client, "GET", "/2/tweets", params=params)
                for post in answer.get("data") or []:
                    public = post.get("public_metrics") or {}
                    private = post.get("non_public_metrics") or {}
                    metrics[str(post["id"])] = PostMetrics(
                        likes=public.get("like_count"),
                        reposts=public.get("retweet_count", public.get("repost_count")),
                        replies=public.get("reply_count"),
                        quotes=public.get("quote_count"),
                        impressions=public.get("impression_count", private.get("impression_count")),
                        clicks=private.get("url_link_clicks"),
                        saves=public.get("bookmark_count"),
                    )
        return metrics

    def account_info(self, credentials: Credentials) -> AccountInfo:
        with self._client(credentials) as client:
            answer = self._call(client, "GET", "/2/users/me", params={"user.fields": "public_metrics"})
        user = answer.get("data") or {}
        username = str(user.get("username", ""))
        return AccountInfo(
            account_id=str(user.get("id", "")),
            handle=username,
            display_name=str(user.get("name", "")),
            followers=(user.get("public_metrics") or {}).get("followers_count"),
            url=f"https://x.com/{username}" if username else "",
        )

    def read_mentions(self, credentials: Credentials, *, since: dt.datetime | None = None) -> list[Mention]:
        """``GET /2/users/{id}/mentions`` (§4.5) with the authors expanded."""
        params = {
            "max_results": "100",
            "tweet.fields": "created_at,author_id,conversation_id,referenced_tweets",
            "expansions": "author_id",
            "user.fields": "username",
        }
        if since is not None:
            params["start_time"] = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._client(credentials) as client:
            answer = self._call(client, "GET", f"/2/users/{credentials.account_id}/mentions", params=params)
        users = {str(u["id"]): str(u.get("username", "")) for u in (answer.get("includes") or {}).get("users", [])}
        mentions = []
        for post in answer.get("data") or []:
            author = str(post.get("author_id", ""))
            replied = [r for r in post.get("referenced_tweets") or [] if r.get("type") == "replied_to"]
            handle = users.get(author, "")
            created = http.parse_time(str(post.get("created_at", "")))
            if created is None:
                continue
            mentions.append(
                Mention(
                    remote_id=str(post["id"]),
                    author_handle=handle,
                    author_id=author,
                    text=str(post.get("text", "")),
                    created_at=created,
                    url=f"https://x.com/{handle or 'i/web'}/status/{post['id']}",
                    in_reply_to=str(replied[0]["id"]) if replied else "",
                )
            )
        return mentions

    def refresh(self, credentials: Credentials) -> TokenSet:
        """OAuth 2 refresh (§4.1): X rotates refresh tokens; the connections service stores the new one under
        the account's lock."""
        with http.client() as client:
            return oauth.refresh_tokens("x", credentials, http=client)
