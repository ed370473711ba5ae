"""Meta's networks on the Graph API, over plain ``httpx``: Facebook Pages, Instagram and Threads
(network-apis.md §6–§9).

They share the Graph conventions (§6): a pinned version in the base URL, the error envelope
``{"error": {"code", "error_subcode", "message", …}}`` mapped by :func:`graph_error`, and the usage headers
(``X-App-Usage``, ``X-Business-Use-Case-Usage``) that give the wait when a limit is hit. Instagram and Threads
publish in two steps: a container is created from public media addresses, polled until ``FINISHED``, then
published. Neither network takes uploaded bytes: the engine passes the public, signed addresses of the media
in ``request.options["media_urls"]``, in the order of ``request.media`` (§1.4).
"""

from __future__ import annotations

import datetime as dt
import json
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
from harmonie.content.networks.counting import threads_length
from harmonie.content.networks.limits import NetworkLimits, limits_for
from harmonie.content.networks.validation import text_with_link

GRAPH_VERSION = oauth.DEFAULT_GRAPH_VERSION  # §6: production code pins a version; one for the whole app
FACEBOOK_API = f"https://graph.facebook.com/{GRAPH_VERSION}"
INSTAGRAM_API = f"https://graph.instagram.com/{GRAPH_VERSION}"  # Instagram Login (§8); Facebook Login: service_url
THREADS_API = "https://graph.threads.net/v1.0"
RECONCILE_SLACK = dt.timedelta(minutes=2)

# §6 error codes
_RATE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
_TRANSIENT_CODES = frozenset({1, 2})
_EXPIRED_SUBCODE = 463
GONE = "100/33"  # "Unsupported … request. Object with ID '…' does not exist" [K]
_IG_SUBCODES = {
    2207042: ErrorKind.RATE_LIMITED,  # publishing limit reached
    2207026: ErrorKind.MEDIA_PROCESSING,  # unsupported video format
    2207001: ErrorKind.TRANSIENT,  # server error
    2207050: ErrorKind.POLICY,  # restricted user
}
THREADS_REPLY_CONTROLS = (
    "everyone",
    "accounts_you_follow",
    "mentioned_only",
    "parent_post_author_only",
    "followers_only",
)


def graph_error(response: httpx.Response, *, network: str, write: bool) -> ConnectorError:
    """The Graph error envelope (§6) mapped to the shared set."""
    body = http.json_body(response)
    envelope = body.get("error") if isinstance(body, dict) else None
    if not isinstance(envelope, dict):
        return http.error_for(response, network=network, write=write)
    code = int(envelope.get("code") or 0)
    subcode = int(envelope.get("error_subcode") or 0)
    detail = str(envelope.get("error_user_msg") or envelope.get("message") or "")
    code_text = f"{code}/{subcode}" if subcode else str(code)
    common: dict[str, Any] = {"network": network, "detail": detail, "code": code_text, "write": write}
    if code == 190:
        kind = ErrorKind.AUTH_EXPIRED if subcode == _EXPIRED_SUBCODE else ErrorKind.AUTH_REVOKED
        return http.error_for(response, kind=kind, **common)
    if code == 10 or 200 <= code <= 299:
        message = _(
            "%(network)s refused a permission: reconnect the channel and grant every permission asked; the app may "
            "also need Meta's review for it."
        ) % {"network": network}
        return http.error_for(response, kind=ErrorKind.AUTH_REVOKED, message=message, **common)
    if code in _RATE_CODES:
        return http.error_for(response, kind=ErrorKind.RATE_LIMITED, **common)
    if subcode in _IG_SUBCODES:
        return http.error_for(response, kind=_IG_SUBCODES[subcode], **common)
    if code == 368:
        return http.error_for(response, kind=ErrorKind.POLICY, **common)
    if code == 506:
        message = _("%(network)s refuses this post as a duplicate of the page's last post.") % {"network": network}
        return http.error_for(response, kind=ErrorKind.DUPLICATE, message=message, **common)
    if code in _TRANSIENT_CODES or envelope.get("is_transient") is True:
        error = http.error_for(response, kind=ErrorKind.TRANSIENT, **common)
        error.outcome_unknown = write
        return error
    if code == 100:
        return http.error_for(response, kind=ErrorKind.VALIDATION, **common)
    return http.error_for(response, **common)


class GraphConnector(Connector):
    """What Facebook, Instagram and Threads share: the client, the error mapping, reconciliation by listing."""

    api_url: ClassVar[str]
    poll_seconds: float = 10.0  # §8.1 recommends once a minute for up to five minutes; images are faster
    poll_attempts: int = 30

    def _client(self, credentials: Credentials, *, upload: bool = False) -> httpx.Client:
        return http.client(
            base_url=credentials.service_url or self.api_url,
            token=credentials.access_token,
            timeout=http.UPLOAD_TIMEOUT if upload else http.TIMEOUT,
        )

    def _call(self, client: httpx.Client, method: str, path: str, *, write: bool = False, **kwargs: Any) -> Any:
        response = http.send(client, method, path, network=self.label, write=write, **kwargs)
        if response.status_code >= 400:
            raise graph_error(response, network=self.label, write=write)
        body = http.json_body(response)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):  # an error with a 200
            raise graph_error(response, network=self.label, write=write)
        return body if isinstance(body, dict) else {}

    def new_key(self) -> str:
        return str(uuid.uuid4())

    def delete(self, credentials: Credentials, ref: RemoteRef) -> None:
        with self._client(credentials) as client:
            try:
                self._call(client, "DELETE", f"/{ref.remote_id}", write=True)
            except ConnectorError as exc:
                if exc.code != GONE:  # already deleted: what deleting wanted
                    raise

    def _media_urls(self, request: PublishRequest) -> list[str]:
        urls = [str(u) for u in request.options.get("media_urls") or []]
        if len(urls) != len(request.media):
            raise ConnectorError(
                ErrorKind.VALIDATION,
                _(
                    "%(network)s fetches media from public addresses, and this publication has %(count)s media "
                    "but %(urls)s addresses: the media store must give each file a public address."
                )
                % {"network": self.label, "count": len(request.media), "urls": len(urls)},
                code="media_urls",
            )
        return urls

    def _find_recent(
        self, items: list[dict[str, Any]], request: PublishRequest, *, text: str, text_field: str, time_field: str
    ) -> Reconciliation:
        """The post whose text matches, published after the first attempt; otherwise the network cannot tell
        (the listing may lag, and nothing stops a second post)."""
        start = (request.first_attempt_at - RECONCILE_SLACK) if request.first_attempt_at else None
        for item in items:
            published = http.parse_time(str(item.get(time_field, "")))
            if start is not None and (published is None or published < start):
                continue
            if http.same_text(str(item.get(text_field, "")), text):
                url = str(item.get("permalink") or item.get("permalink_url") or "")
                return Reconciliation(
                    Found.PUBLISHED,
                    PublishResult(remote_id=str(item["id"]), url=url, published_at=published),
                    detail=_("The post was found among the account's recent posts."),
                )
        return Reconciliation(
            Found.UNKNOWN,
            detail=_(
                "The post is not among the account's recent posts, but %(network)s may not list it yet: someone "
                "must check the account before publishing again."
            )
            % {"network": self.label},
        )

    def _wait_container(self, client: httpx.Client, container: str, *, field: str, fields: str) -> None:
        """Poll a container until it is ready (§8.1 ``?fields=status_code,status``, §9.2
        ``?fields=status,error_message``): ``field`` holds the state."""
        for attempt in range(self.poll_attempts):
            answer = self._call(client, "GET", f"/{container}", params={"fields": fields})
            state = str(answer.get(field, ""))
            if state in {"FINISHED", "PUBLISHED"}:
                return
            if state in {"ERROR", "EXPIRED"}:
                detail = str(answer.get("error_message") or answer.get("status") or "")
                if state == "EXPIRED":
                    message = _(
                        "%(network)s kept the prepared media too long without publishing it; publish again."
                    ) % {"network": self.label}
                else:
                    message = http.default_message(ErrorKind.MEDIA_PROCESSING, network=self.label, detail=detail)
                raise ConnectorError(ErrorKind.MEDIA_PROCESSING, message, code=state)
            if attempt + 1 < self.poll_attempts:
                time.sleep(self.poll_seconds)
        raise ConnectorError(
            ErrorKind.MEDIA_PROCESSING,
            _("%(network)s is still processing the media; try again later.") % {"network": self.label},
            code="IN_PROGRESS",
        )


def _insight_values(answer: dict[str, Any]) -> dict[str, int]:
    """``{"data": [{"name", "values": [{"value"}]} | {"name", "total_value": {"value"}}]}`` → name: value."""
    values: dict[str, int] = {}
    for entry in answer.get("data") or []:
        if "total_value" in entry:
            value = (entry.get("total_value") or {}).get("value")
        else:
            series = entry.get("values") or [{}]
            value = series[-1].get("value")
        if isinstance(value, int):
            values[str(entry.get("name"))] = value
    return values


# --- Facebook Pages (§7) ----------------------------------------------------------------------------------------


@registry.register
class FacebookConnector(GraphConnector):
    network = "facebook"
    label = "Facebook"
    limits: ClassVar[NetworkLimits | None] = limits_for("facebook")
    budget = RateBudget(calls=50, seconds=3600)  # §6: Business Use Case limits, no fixed figure: conservative
    concurrency = 2
    auth = "oauth2"
    api_url = FACEBOOK_API

    def post_url(self, post_id: str) -> str:
        page, _sep, post = post_id.partition("_")
        return f"https://www.facebook.com/{page}/posts/{post}" if post else f"https://www.facebook.com/{post_id}"

    def _photo(self, client: httpx.Client, page: str, item: MediaItem, *, fields: dict[str, str]) -> dict[str, Any]:
        data = dict(fields)
        if item.alt_text:
            data["alt_text_custom"] = item.alt_text
        files = {"source": (item.filename or "photo", item.data, item.mime_type)}
        # An unpublished photo (for a multi-photo post) is no post yet: its failure leaves nothing to reconcile.
        published = data.get("published") == "true"
        answer: dict[str, Any] = self._call(client, "POST", f"/{page}/photos", write=published, data=data, files=files)
        return answer

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        """§7.2: text and link on ``/feed``; one photo on ``/photos``; several photos uploaded unpublished and
        attached to a ``/feed`` post; a video on ``/videos``."""
        page = credentials.account_id
        has_media = bool(request.media)
        message = text_with_link("facebook", request.text, request.link, has_media=has_media)
        images = [m for m in request.media if m.mime_type.startswith("image/")]
        videos = [m for m in request.media if m.mime_type.startswith("video/")]
        with self._client(credentials, upload=has_media) as client:
            if videos:
                video = videos[0]
                data = {"description": message, "title": request.title} if request.title else {"description": message}
                files = {"source": (video.filename or "video.mp4", video.data, video.mime_type)}
                answer = self._call(client, "POST", f"/{page}/videos", write=True, data=data, files=files)
                video_id = str(answer["id"])
                return PublishResult(remote_id=video_id, url=f"https://www.facebook.com/{page}/videos/{video_id}/")
            if len(images) == 1:
                answer = self._photo(client, page, images[0], fields={"message": message, "published": "true"})
                post_id = str(answer.get("post_id") or answer["id"])
                return PublishResult(remote_id=post_id, url=self.post_url(post_id), uri=str(answer["id"]))
            data = {"message": message}
            for index, image in enumerate(images):
                photo = self._photo(client, page, image, fields={"published": "false"})
                data[f"attached_media[{index}]"] = json.dumps({"media_fbid": str(photo["id"])})
            if request.link and not images:
                data["link"] = request.link
            answer = self._call(client, "POST", f"/{page}/feed", write=True, data=data)
        post_id = str(answer["id"])
        return PublishResult(remote_id=post_id, url=self.post_url(post_id))

    def reconcile(self, credentials: Credentials, request: PublishRequest) -> Reconciliation:
        params = {"fields": "id,message,created_time,permalink_url", "limit": "25"}
        if request.first_attempt_at is not None:
            params["since"] = str(int((request.first_attempt_at - RECONCILE_SLACK).timestamp()))
        with self._client(credentials) as client:
            answer = self._call(client, "GET", f"/{credentials.account_id}/posts", params=params)
        text = text_with_link("facebook", request.text, request.link, has_media=bool(request.media))
        return self._find_recent(
            list(answer.get("data") or []), request, text=text, text_field="message", time_field="created_time"
        )

    def read_metrics(self, credentials: Credentials, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        """§7.3 counts of several posts in one call (``?ids=``): reactions, comments, shares."""
        if not refs:
            return {}
        fields = "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
        with self._client(credentials) as client:
            answer = self._call(
                client, "GET", "/", params={"ids": ",".join(r.remote_id for r in refs), "fields": fields}
            )
        metrics: dict[str, PostMetrics] = {}
        for post_id, post in answer.items():
            if not isinstance(post, dict):
                continue
            metrics[str(post_id)] = PostMetrics(
                likes=((post.get("reactions") or {}).get("summary") or {}).get("total_count"),
                replies=((post.get("comments") or {}).get("summary") or {}).get("total_count"),
                reposts=(post.get("shares") or {}).get("count", 0),
            )
        return metrics

    def account_info(self, credentials: Credentials) -> AccountInfo:
        with self._client(credentials) as client:
            page = self._call(
                client, "GET", f"/{credentials.account_id}", params={"fields": "id,name,username,followers_count,link"}
            )
        return AccountInfo(
            account_id=str(page.get("id", "")),
            handle=str(page.get("username", "")),
            display_name=str(page.get("name", "")),
            followers=page.get("followers_count"),
            url=str(page.get("link", "")),
        )

    def read_mentions(self, credentials: Credentials, *, since: dt.datetime | None = None) -> list[Mention]:
        """Posts that tag the Page (§7.4 ``/{page}/tagged``)."""
        params = {"fields": "id,message,from,created_time,permalink_url", "limit": "50"}
        if since is not None:
            params["since"] = str(int(since.timestamp()))
        with self._client(credentials) as client:
            answer = self._call(client, "GET", f"/{credentials.account_id}/tagged", params=params)
        mentions = []
        for post in answer.get("data") or []:
            created = http.parse_time(str(post.get("created_time", "")))
            if created is None:
                continue
            author = post.get("from") or {}
            mentions.append(
                Mention(
                    remote_id=str(post["id"]),
                    author_handle=str(author.get("name", "")),
                    author_id=str(author.get("id", "")),
                    text=str(post.get("message", "")),
                    created_at=created,
                    url=str(post.get("permalink_url", "")),
                )
            )
        return mentions

    def reply(self, credentials: Credentials, to: RemoteRef, request: PublishRequest) -> PublishResult:
        """A comment on a post, or a reply to a comment (§7.4 ``POST /{object-id}/comments``)."""
        with self._client(credentials) as client:
            answer = self._call(client, "POST", f"/{to.remote_id}/comments", write=True, data={"message": request.text})
        return PublishResult(remote_id=str(answer["id"]))


# --- Instagram (§8) ---------------------------------------------------------------------------------------------


@registry.register
class InstagramConnector(GraphConnector):
    network = "instagram"
    label = "Instagram"
    limits: ClassVar[NetworkLimits | None] = limits_for("instagram")
    budget = RateBudget(calls=25, seconds=86_400)  # §8.1: the 24-hour publishing cap (25 at the lowest)
    concurrency = 1
    auth = "oauth2"
    api_url = INSTAGRAM_API

    def publishing_limit(self, credentials: Credentials) -> tuple[int, int, int]:
        """(used, total, window seconds) of the 24-hour publishing cap (§8.1 ``content_publishing_limit``)."""
        with self._client(credentials) as client:
            answer = self._call(
                client,
                "GET",
                f"/{credentials.account_id}/content_publishing_limit",
                params={"fields": "quota_usage,config"},
            )
        entry = (answer.get("data") or [{}])[0]
        config = entry.get("config") or {}
        return (
            int(entry.get("quota_usage") or 0),
            int(config.get("quota_total") or 25),
            int(config.get("quota_duration") or 86_400),
        )

    def _container(self, client: httpx.Client, user: str, item: MediaItem, url: str, **extra: str) -> str:
        data = dict(extra)
        if item.mime_type.startswith("video/"):
            data.update({"media_type": "VIDEO" if "is_carousel_item" in extra else "REELS", "video_url": url})
        else:
            data["image_url"] = url
            if item.alt_text:
                data["alt_text"] = item.alt_text
        answer = self._call(client, "POST", f"/{user}/media", write=False, data=data)
        return str(answer["id"])

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        """§8.1: container(s), poll ``status_code`` until FINISHED, ``media_publish``, then the permalink."""
        if not request.media:
            raise ConnectorError(
                ErrorKind.VALIDATION, _("An Instagram post needs an image or a video."), code="media_required"
            )
        urls = self._media_urls(request)
        used, total, window = self.publishing_limit(credentials)
        if used >= total:
            raise ConnectorError(
                ErrorKind.RATE_LIMITED,
                _("Instagram's limit of %(total)s posts in %(hours)s hours is reached for this account.")
                % {"total": total, "hours": window // 3600},
                code="content_publishing_limit",
            )
        user, caption = credentials.account_id, request.text
        with self._client(credentials) as client:
            if len(request.media) == 1:
                container = self._container(client, user, request.media[0], urls[0], caption=caption)
            else:
                children = [
                    self._container(client, user, item, url, is_carousel_item="true")
                    for item, url in zip(request.media, urls, strict=True)
                ]
                for child in children:
                    self._wait_container(client, child, field="status_code", fields="status_code,status")
                container = str(
                    self._call(
                        client,
                        "POST",
                        f"/{user}/media",
                        write=False,
                        data={"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption},
                    )["id"]
                )
            self._wait_container(client, container, field="status_code", fields="status_code,status")
            media_id = str(
                self._call(client, "POST", f"/{user}/media_publish", write=True, data={"creation_id": container})["id"]
            )
            details = self._call(client, "GET", f"/{media_id}", params={"fields": "permalink,timestamp"})
        return PublishResult(
            remote_id=media_id,
            url=str(details.get("permalink", "")),
            uri=container,
            published_at=http.parse_time(str(details.get("timestamp", ""))),
        )

    def reconcile(self, credentials: Credentials, request: PublishRequest) -> Reconciliation:
        with self._client(credentials) as client:
            answer = self._call(
                client,
                "GET",
                f"/{credentials.account_id}/media",
                params={"fields": "id,caption,timestamp,permalink", "limit": "25"},
            )
        return self._find_recent(
            list(answer.get("data") or []), request, text=request.text, text_field="caption", time_field="timestamp"
        )

    def read_metrics(self, credentials: Credentials, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        """§8.2 media insights: views, likes, comments, shares, saved."""
        metrics: dict[str, PostMetrics] = {}
        with self._client(credentials) as client:
            for ref in refs:
                response = http.send(
                    client,
                    "GET",
                    f"/{ref.remote_id}/insights",
                    network=self.label,
                    params={"metric": "views,reach,likes,comments,shares,saved"},
                )
                if response.status_code >= 400:
                    error = graph_error(response, network=self.label, write=False)
                    if error.kind == ErrorKind.VALIDATION:  # a media deleted or not ours any more
                        continue
                    raise error
                values = _insight_values(http.json_body(response) or {})
                metrics[ref.remote_id] = PostMetrics(
                    likes=values.get("likes"),
                    replies=values.get("comments"),
                    reposts=values.get("shares"),
                    saves=values.get("saved"),
                    views=values.get("views"),
                )
        return metrics

    def account_info(self, credentials: Credentials) -> AccountInfo:
        with self._client(credentials) as client:
            user = self._call(
                client, "GET", f"/{credentials.account_id}", params={"fields": "id,username,name,followers_count"}
            )
        username = str(user.get("username", ""))
        return AccountInfo(
            account_id=str(user.get("id", "")),
            handle=username,
            display_name=str(user.get("name", "")),
            followers=user.get("followers_count"),
            url=f"https://www.instagram.com/{username}/" if username else "",
        )

    def read_mentions(self, credentials: Credentials, *, since: dt.datetime | None = None) -> list[Mention]:
        """Media the account is tagged in (§8.3 ``/{ig-user-id}/tags``)."""
        with self._client(credentials) as client:
            answer = self._call(
                client,
                "GET",
                f"/{credentials.account_id}/tags",
                params={"fields": "id,caption,username,timestamp,permalink", "limit": "50"},
            )
        mentions = []
        for media in answer.get("data") or []:
            created = http.parse_time(str(media.get("timestamp", "")))
            if created is None or (since is not None and created <= since):
                continue
            mentions.append(
                Mention(
                    remote_id=str(media["id"]),
                    author_handle=str(media.get("username", "")),
                    text=str(media.get("caption", "")),
                    created_at=created,
                    url=str(media.get("permalink", "")),
                )
            )
        return mentions

    def reply(self, credentials: Credentials, to: RemoteRef, request: PublishRequest) -> PublishResult:
        """A comment on the media (§8.3 ``POST /{ig-media-id}/comments``)."""
        with self._client(credentials) as client:
            answer = self._call(client, "POST", f"/{to.remote_id}/comments", write=True, data={"message": request.text})
        return PublishResult(remote_id=str(answer["id"]))

    def refresh(self, credentials: Credentials) -> TokenSet:
        with http.client() as client:
            return oauth.refresh_tokens("instagram", credentials, http=client)


# --- Threads (§9) -----------------------------------------------------------------------------------------------


@registry.register
class ThreadsConnector(GraphConnector):
    network = "threads"
    label = "Threads"
    limits: ClassVar[NetworkLimits | None] = limits_for("threads")
    budget = RateBudget(calls=250, seconds=86_400)  # §9.5: 250 API-published posts per 24 hours
    concurrency = 1
    auth = "oauth2"
    api_url = THREADS_API
    media_wait_seconds: float = 30.0  # §9.2: wait about 30 s before publishing a media container

    def _validate(self, request: PublishRequest, text: str) -> str:
        if threads_length(text) > 500:
            raise ConnectorError(
                ErrorKind.VALIDATION,
                _("Threads allows 500 characters (an emoji counts its bytes); this text counts %(count)s. Shorten it.")
                % {"count": threads_length(text)},
                code="text_too_long",
            )
        control = str(request.options.get("reply_control") or "")
        if control and control not in THREADS_REPLY_CONTROLS:
            raise ConnectorError(
                ErrorKind.VALIDATION,
                _("Threads has no reply control “%(value)s”: choose one of %(choices)s.")
                % {"value": control, "choices": ", ".join(THREADS_REPLY_CONTROLS)},
                code="reply_control",
            )
        return control

    def _item_fields(self, item: MediaItem, url: str) -> dict[str, str]:
        if item.mime_type.startswith("video/"):
            fields = {"media_type": "VIDEO", "video_url": url}
        else:
            fields = {"media_type": "IMAGE", "image_url": url}
        if item.alt_text:
            fields["alt_text"] = item.alt_text
        return fields

    def _thread(self, credentials: Credentials, request: PublishRequest, *, reply_to: str) -> PublishResult:
        """§9.2: container (text, media or carousel), the recommended wait and status check for media,
        ``threads_publish``, then the permalink."""
        has_media = bool(request.media)
        text = text_with_link("threads", request.text, request.link, has_media=has_media)
        control = self._validate(request, text)
        urls = self._media_urls(request) if has_media else []
        user = credentials.account_id
        data: dict[str, str] = {"text": text}
        if control:
            data["reply_control"] = control
        if reply_to:
            data["reply_to_id"] = reply_to
        with self._client(credentials) as client:
            if not has_media:
                data["media_type"] = "TEXT"
                if request.link and request.link not in text:
                    data["link_attachment"] = request.link
            elif len(request.media) == 1:
                data.update(self._item_fields(request.media[0], urls[0]))
            else:
                children = []
                for item, url in zip(request.media, urls, strict=True):
                    fields = {**self._item_fields(item, url), "is_carousel_item": "true"}
                    children.append(str(self._call(client, "POST", f"/{user}/threads", write=False, data=fields)["id"]))
                data.update({"media_type": "CAROUSEL", "children": ",".join(children)})
            container = str(self._call(client, "POST", f"/{user}/threads", write=False, data=data)["id"])
            if has_media:
                time.sleep(self.media_wait_seconds)
                self._wait_container(client, container, field="status", fields="status,error_message")
            media_id = str(
                self._call(client, "POST", f"/{user}/threads_publish", write=True, data={"creation_id": container})[
                    "id"
                ]
            )
            details = self._call(client, "GET", f"/{media_id}", params={"fields": "id,permalink,timestamp"})
        return PublishResult(
            remote_id=media_id,
            url=str(details.get("permalink", "")),
            uri=container,
            published_at=http.parse_time(str(details.get("timestamp", ""))),
        )

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        return self._thread(credentials, request, reply_to=request.reply_to.remote_id if request.reply_to else "")

    def reply(self, credentials: Credentials, to: RemoteRef, request: PublishRequest) -> PublishResult:
        return self._thread(credentials, request, reply_to=to.remote_id)

    def reconcile(self, credentials: Credentials, request: PublishRequest) -> Reconciliation:
        params = {"fields": "id,text,timestamp,permalink", "limit": "25"}
        if request.first_attempt_at is not None:
            params["since"] = str(int((request.first_attempt_at - RECONCILE_SLACK).timestamp()))
        with self._client(credentials) as client:
            answer = self._call(client, "GET", f"/{credentials.account_id}/threads", params=params)
        text = text_with_link("threads", request.text, request.link, has_media=bool(request.media))
        return self._find_recent(
            list(answer.get("data") or []), request, text=text, text_field="text", time_field="timestamp"
        )

    def read_metrics(self, credentials: Credentials, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        """§9.3 media insights: views, likes, replies, reposts, quotes."""
        metrics: dict[str, PostMetrics] = {}
        with self._client(credentials) as client:
            for ref in refs:
                answer = self._call(
                    client,
                    "GET",
                    f"/{ref.remote_id}/insights",
                    params={"metric": "views,likes,replies,reposts,quotes,shares"},
                )
                values = _insight_values(answer)
                metrics[ref.remote_id] = PostMetrics(
                    likes=values.get("likes"),
                    reposts=values.get("reposts"),
                    replies=values.get("replies"),
                    quotes=values.get("quotes"),
                    views=values.get("views"),
                )
        return metrics

    def account_info(self, credentials: Credentials) -> AccountInfo:
        user_id = credentials.account_id
        with self._client(credentials) as client:
            user = self._call(client, "GET", f"/{user_id}", params={"fields": "id,username,name"})
            insights = self._call(client, "GET", f"/{user_id}/threads_insights", params={"metric": "followers_count"})
        username = str(user.get("username", ""))
        return AccountInfo(
            account_id=str(user.get("id", "")),
            handle=username,
            display_name=str(user.get("name", "")),
            followers=_insight_values(insights).get("followers_count"),
            url=f"https://www.threads.net/@{username}" if username else "",
        )

    def read_mentions(self, credentials: Credentials, *, since: dt.datetime | None = None) -> list[Mention]:
        """§9.4 ``/{threads-user-id}/mentions``."""
        params = {"fields": "id,text,username,timestamp,permalink", "limit": "50"}
        if since is not None:
            params["since"] = str(int(since.timestamp()))
        with self._client(credentials) as client:
            answer = self._call(client, "GET", f"/{credentials.account_id}/mentions", params=params)
        mentions = []
        for post in answer.get("data") or []:
            created = http.parse_time(str(post.get("timestamp", "")))
            if created is None:
                continue
            mentions.append(
                Mention(
                    remote_id=str(post["id"]),
                    author_handle=str(post.get("username", "")),
                    text=str(post.get("text", "")),
                    created_at=created,
                    url=str(post.get("permalink", "")),
                )
            )
        return mentions

    def refresh(self, credentials: Credentials) -> TokenSet:
        with http.client() as client:
            return oauth.refresh_tokens("threads", credentials, http=client)
