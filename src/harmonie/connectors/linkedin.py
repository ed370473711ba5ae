"""LinkedIn (versioned Posts API, Images and Videos APIs), over plain ``httpx`` (network-apis.md §5).

Every call carries ``LinkedIn-Version`` (pinned below) and ``X-Restli-Protocol-Version: 2.0.0``. The post's
commentary is "little text": the reserved characters are backslash-escaped (:func:`little_text`) and hashtags
become LinkedIn hashtag markup. ``POST /rest/posts`` answers 201 with no body; the post URN is in the
``x-restli-id`` header. LinkedIn refuses a second post with the same commentary with 422 "Content is a duplicate
of urn:li:share:N": that is the DUPLICATE signal (naming the existing post), and what makes publishing again
after an unknown outcome safe.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import quote

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

API = "https://api.linkedin.com"
NETWORK = "LinkedIn"
#: The pinned monthly version (§5: each is supported at least a year; a sunset one answers 426).
VERSION = "202601"
VIDEO_PART_BYTES = 4 * 1024 * 1024  # §5.2: 4 MiB parts

RESERVED = frozenset("\\|{}@[]()<>#*_~")
_HASHTAG_RE = re.compile(r"(?<![\w#])#(\w+)")
_DUPLICATE_URN_RE = re.compile(r"urn:li:(?:share|ugcPost):\d+")
_VERSION_CODES = frozenset({"VERSION_MISSING", "NONEXISTENT_VERSION", "DEPRECATED_VERSION"})


def _escape(text: str) -> str:
    return "".join(f"\\{char}" if char in RESERVED else char for char in text)


def little_text(text: str) -> str:
    """The commentary in LinkedIn's "little text" format (§5.2): every reserved character
    ``\\ | { } @ [ ] ( ) < > # * _ ~`` escaped with a backslash, so that LinkedIn neither drops nor garbles
    what follows it; ``#tag`` becomes the hashtag markup ``{hashtag|\\#|tag}`` so it stays a hashtag."""
    out: list[str] = []
    position = 0
    for match in _HASHTAG_RE.finditer(text):
        out.append(_escape(text[position : match.start()]))
        out.append(f"{{hashtag|\\#|{_escape(match.group(1))}}}")
        position = match.end()
    out.append(_escape(text[position:]))
    return "".join(out)


def author_urn(credentials: Credentials) -> str:
    """The author of the channel's posts: ``account_id`` is an organization or person URN (a bare number is
    taken as an organization id)."""
    account = credentials.account_id.strip()
    if account.startswith("urn:li:"):
        return account
    if account.isdigit():
        return f"urn:li:organization:{account}"
    return f"urn:li:person:{account}"


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}"


def _urn_path(urn: str) -> str:
    return quote(urn, safe="")


def error(response: httpx.Response, *, write: bool) -> ConnectorError:
    """LinkedIn's error body ``{"status", "serviceErrorCode", "code", "message"}`` mapped to the shared set."""
    body = http.json_body(response)
    body = body if isinstance(body, dict) else {}
    status = response.status_code
    code = str(body.get("code") or "")
    service_code = body.get("serviceErrorCode")
    detail = str(body.get("message") or "")
    if status == 422 and (code == "DUPLICATE_POST" or "duplicate" in detail.casefold()):
        found = _DUPLICATE_URN_RE.search(detail)
        urn = found.group(0) if found else ""
        return http.error_for(
            response,
            network=NETWORK,
            kind=ErrorKind.DUPLICATE,
            message=_("LinkedIn refuses this post as a duplicate of a post already published."),
            code=code or "DUPLICATE_POST",
            remote_id=urn,
            remote_url=post_url(urn) if urn else "",
        )
    if status == 426 or code in _VERSION_CODES:
        return http.error_for(
            response,
            network=NETWORK,
            kind=ErrorKind.VALIDATION,
            message=_(
                "LinkedIn no longer accepts the API version %(version)s that Harmonie uses: update Harmonie to a "
                "release with a newer LinkedIn version. Nothing was published."
            )
            % {"version": VERSION},
            code=code or "426",
        )
    if status == 401:
        kind = ErrorKind.AUTH_REVOKED if service_code == 65601 else ErrorKind.AUTH_EXPIRED
        return http.error_for(response, network=NETWORK, kind=kind, detail=detail, code=str(service_code or 401))
    if status == 403:
        return http.error_for(
            response,
            network=NETWORK,
            kind=ErrorKind.AUTH_REVOKED,
            message=_(
                "LinkedIn refused the call for lack of permission (%(detail)s): reconnect the channel with an "
                "administrator of the page, granting the posting permission."
            )
            % {"detail": detail},
            code=code or "403",
        )
    if status == 429:
        # §5.5: no rate-limit headers; the daily windows reset at 00:00 UTC.
        return http.error_for(
            response,
            network=NETWORK,
            kind=ErrorKind.RATE_LIMITED,
            message=_("LinkedIn's daily limit for this account is reached; Harmonie tries again after midnight UTC."),
            code=code or "429",
            retry_after_seconds=http.seconds_until_utc_midnight(),
        )
    return http.error_for(response, network=NETWORK, detail=detail, code=code, write=write)


@registry.register
class LinkedInConnector(Connector):
    network = "linkedin"
    label = "LinkedIn"
    limits: ClassVar[NetworkLimits | None] = limits_for("linkedin")
    budget = RateBudget(calls=150, seconds=86_400)  # §5.5: ≈150 posts a day per member [K]
    concurrency = 1
    auth = "oauth2"

    api_url: str = API
    poll_seconds: float = 2.0
    poll_attempts: int = 60
    video_part_bytes: int = VIDEO_PART_BYTES

    def _client(self, credentials: Credentials, *, upload: bool = False) -> httpx.Client:
        return http.client(
            base_url=credentials.service_url or self.api_url,
            token=credentials.access_token,
            headers={"LinkedIn-Version": VERSION, "X-Restli-Protocol-Version": "2.0.0"},
            timeout=http.UPLOAD_TIMEOUT if upload else http.TIMEOUT,
        )

    def _send(
        self, client: httpx.Client, method: str, url: str, *, write: bool = False, **kwargs: Any
    ) -> httpx.Response:
        response = http.send(client, method, url, network=NETWORK, write=write, **kwargs)
        if response.status_code >= 400:
            raise error(response, write=write)
        return response

    def _json(self, client: httpx.Client, method: str, url: str, *, write: bool = False, **kwargs: Any) -> Any:
        return http.json_body(self._send(client, method, url, write=write, **kwargs)) or {}

    # --- media (§5.2) -----------------------------------------------------------------------------------------

    def _wait_available(self, client: httpx.Client, path: str) -> None:
        for _attempt in range(self.poll_attempts):
            asset = self._json(client, "GET", path)
            state = str(asset.get("status", ""))
            if state == "AVAILABLE":
                return
            if state == "PROCESSING_FAILED":
                raise ConnectorError(
                    ErrorKind.MEDIA_PROCESSING,
                    http.default_message(ErrorKind.MEDIA_PROCESSING, network=NETWORK),
                    code=state,
                )
            time.sleep(self.poll_seconds)
        raise ConnectorError(
            ErrorKind.MEDIA_PROCESSING, _("LinkedIn is still processing a media file; try again later."), code="timeout"
        )

    def _upload_image(self, client: httpx.Client, author: str, item: MediaItem) -> str:
        answer = self._json(
            client,
            "POST",
            "/rest/images",
            write=False,
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": {"owner": author}},
        )
        value = answer.get("value") or {}
        urn, upload_url = str(value["image"]), str(value["uploadUrl"])
        self._send(
            client,
            "PUT",
            upload_url,
            write=False,
            content=item.data,
            headers={"Content-Type": "application/octet-stream"},
        )
        self._wait_available(client, f"/rest/images/{_urn_path(urn)}")
        return urn

    def _upload_video(self, client: httpx.Client, author: str, item: MediaItem) -> str:
        request = {"owner": author, "fileSizeBytes": len(item.data), "uploadCaptions": False, "uploadThumbnail": False}
        answer = self._json(
            client,
            "POST",
            "/rest/videos",
            write=False,
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": request},
        )
        value = answer.get("value") or {}
        urn = str(value["video"])
        etags: list[str] = []
        for instruction in value.get("uploadInstructions") or []:
            first, last = int(instruction["firstByte"]), int(instruction["lastByte"])
            response = self._send(
                client,
                "PUT",
                str(instruction["uploadUrl"]),
                write=False,
                content=item.data[first : last + 1],
                headers={"Content-Type": "application/octet-stream"},
            )
            etags.append(response.headers.get("etag", ""))
        finalize = {"video": urn, "uploadToken": str(value.get("uploadToken", "")), "uploadedPartIds": etags}
        self._send(
            client,
            "POST",
            "/rest/videos",
            write=False,
            params={"action": "finalizeUpload"},
            json={"finalizeUploadRequest": finalize},
        )
        self._wait_available(client, f"/rest/videos/{_urn_path(urn)}")
        return urn

    def _content(self, client: httpx.Client, author: str, request: PublishRequest) -> dict[str, Any] | None:
        images = [m for m in request.media if m.mime_type.startswith("image/")]
        videos = [m for m in request.media if m.mime_type.startswith("video/")]
        if videos:
            video = videos[0]
            media: dict[str, Any] = {"id": self._upload_video(client, author, video)}
            if request.title:
                media["title"] = request.title
            return {"media": media}
        if len(images) == 1:
            media = {"id": self._upload_image(client, author, images[0])}
            if images[0].alt_text:
                media["altText"] = images[0].alt_text
            return {"media": media}
        if images:
            entries = []
            for image in images:
                entry = {"id": self._upload_image(client, author, image)}
                if image.alt_text:
                    entry["altText"] = image.alt_text
                entries.append(entry)
            return {"multiImage": {"images": entries}}
        if request.link:
            # §5.2: links do not unfurl through the API; the article card carries the link.
            article: dict[str, Any] = {"source": request.link, "title": request.title or request.link}
            if request.options.get("link_description"):
                article["description"] = str(request.options["link_description"])
            return {"article": article}
        return None

    # --- publishing -------------------------------------------------------------------------------------------

    def new_key(self) -> str:
        return str(uuid.uuid4())

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        author = author_urn(credentials)
        visibility = str(request.options.get("visibility") or "PUBLIC")
        with self._client(credentials, upload=bool(request.media)) as client:
            body: dict[str, Any] = {
                "author": author,
                "commentary": little_text(
                    text_with_link("linkedin", request.text, request.link, has_media=bool(request.media))
                ),
                "visibility": visibility,
                "distribution": {
                    "feedDistribution": "MAIN_FEED",
                    "targetEntities": [],
                    "thirdPartyDistributionChannels": [],
                },
                "lifecycleState": "PUBLISHED",
                "isReshareDisabledByAuthor": False,
            }
            content = self._content(client, author, request)
            if content is not None:
                body["content"] = content
            response = self._send(client, "POST", "/rest/posts", write=True, json=body)
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise ConnectorError(
                ErrorKind.TRANSIENT,
                _("LinkedIn accepted the post without naming it; Harmonie checks whether it was published."),
                code="no_urn",
                http_status=response.status_code,
                outcome_unknown=True,
            )
        return PublishResult(remote_id=urn, url=post_url(urn), uri=urn)

    def reconcile(self, credentials: Credentials, request: PublishRequest) -> Reconciliation:
        """§1: LinkedIn answers the same commentary a second time with 422 naming the post already made, so
        publishing again is safe (the DUPLICATE answer carries the existing URN). Without commentary there is
        nothing for LinkedIn to compare: it cannot tell."""
        if not request.text.strip():
            return Reconciliation(
                Found.UNKNOWN,
                detail=_("A LinkedIn post without text cannot be recognised as a duplicate: someone must check."),
            )
        return Reconciliation(
            Found.ABSENT,
            detail=_(
                "LinkedIn refuses the same text twice and names the existing post: publishing again either "
                "publishes it or reports the post already made."
            ),
        )

    # --- other capabilities -----------------------------------------------------------------------------------

    def delete(self, credentials: Credentials, ref: RemoteRef) -> None:
        with self._client(credentials) as client:
            response = http.send(
                client, "DELETE", f"/rest/posts/{_urn_path(ref.remote_id)}", network=NETWORK, write=True
            )
        if response.status_code not in {204, 404} and response.status_code >= 400:
            raise error(response, write=True)

    def read_metrics(self, credentials: Credentials, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        """Organization posts: ``organizationalEntityShareStatistics`` (lifetime counts with impressions and
        clicks); a member's posts: ``socialMetadata`` (reactions and comments) (§5.3)."""
        author = author_urn(credentials)
        if not refs:
            return {}
        with self._client(credentials) as client:
            if author.startswith("urn:li:organization:"):
                return self._share_statistics(client, author, refs)
            metrics: dict[str, PostMetrics] = {}
            for ref in refs:
                response = http.send(client, "GET", f"/rest/socialMetadata/{_urn_path(ref.remote_id)}", network=NETWORK)
                if response.status_code == 404:
                    continue
                if response.status_code >= 400:
                    raise error(response, write=False)
                data = http.json_body(response) or {}
                reactions = data.get("reactionSummaries") or {}
                metrics[ref.remote_id] = PostMetrics(
                    likes=sum(int(r.get("count") or 0) for r in reactions.values()),
                    replies=(data.get("commentSummary") or {}).get("count"),
                )
            return metrics

    def _share_statistics(self, client: httpx.Client, author: str, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        shares = [r.remote_id for r in refs if r.remote_id.startswith("urn:li:share:")]
        ugc = [r.remote_id for r in refs if r.remote_id.startswith("urn:li:ugcPost:")]
        # Rest.li 2.0 lists: List(urn%3Ali%3Ashare%3A1,…), written by hand so the parentheses stay as they are.
        query = f"q=organizationalEntity&organizationalEntity={_urn_path(author)}"
        if shares:
            query += "&shares=List(" + ",".join(_urn_path(s) for s in shares) + ")"
        if ugc:
            query += "&ugcPosts=List(" + ",".join(_urn_path(u) for u in ugc) + ")"
        answer = self._json(client, "GET", f"/rest/organizationalEntityShareStatistics?{query}")
        metrics: dict[str, PostMetrics] = {}
        for element in answer.get("elements") or []:
            urn = str(element.get("share") or element.get("ugcPost") or "")
            stats = element.get("totalShareStatistics") or {}
            if urn:
                metrics[urn] = PostMetrics(
                    likes=stats.get("likeCount"),
                    reposts=stats.get("shareCount"),
                    replies=stats.get("commentCount"),
                    impressions=stats.get("impressionCount"),
                    clicks=stats.get("clickCount"),
                )
        return metrics

    def account_info(self, credentials: Credentials) -> AccountInfo:
        author = author_urn(credentials)
        with self._client(credentials) as client:
            if author.startswith("urn:li:organization:"):
                org_id = author.rsplit(":", 1)[-1]
                org = self._json(client, "GET", f"/rest/organizations/{org_id}")
                size = self._json(
                    client,
                    "GET",
                    f"/rest/networkSizes/{_urn_path(author)}",
                    params={"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"},
                )
                vanity = str(org.get("vanityName", ""))
                return AccountInfo(
                    account_id=author,
                    handle=vanity,
                    display_name=str(org.get("localizedName", "")),
                    followers=size.get("firstDegreeSize"),
                    url=f"https://www.linkedin.com/company/{vanity}/" if vanity else "",
                )
            member = self._json(client, "GET", "/v2/userinfo")
        return AccountInfo(
            account_id=f"urn:li:person:{member.get('sub', '')}",
            handle=str(member.get("email", "")),
            display_name=str(member.get("name", "")),
        )

    def reply(self, credentials: Credentials, to: RemoteRef, request: PublishRequest) -> PublishResult:
        """A comment on the post (§5.4 ``socialActions/{urn}/comments``), as the channel's author."""
        body = {"actor": author_urn(credentials), "object": to.remote_id, "message": {"text": request.text}}
        with self._client(credentials) as client:
            response = self._send(
                client, "POST", f"/rest/socialActions/{_urn_path(to.remote_id)}/comments", write=True, json=body
            )
        data = http.json_body(response) or {}
        comment_id = response.headers.get("x-restli-id", "") or str(data.get("id", ""))
        return PublishResult(remote_id=comment_id, uri=str(data.get("$URN", "")), url=post_url(to.remote_id))

    def refresh(self, credentials: Credentials) -> TokenSet:
        """§5.1: refresh tokens exist only for approved partners; without one ``oauth`` says to reconnect."""
        with http.client() as client:
            return oauth.refresh_tokens("linkedin", credentials, http=client)
