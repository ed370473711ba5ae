"""YouTube Data API v3, over plain ``httpx`` (network-apis.md §10).

A video goes up through a resumable upload (§10.2): ``POST …/videos?uploadType=resumable`` with the metadata
gives a session URI; the bytes follow in chunks (multiples of 256 KiB) with ``Content-Range``; YouTube answers
308 with the ``Range`` it holds until the last chunk, then the video resource. After a failed chunk the session is
asked where it stands (``Content-Range: bytes */N``) and the upload resumes from there: a retried
``videos.insert`` would make a second video. Quota errors are RATE_LIMITED until midnight Pacific time.
"""

from __future__ import annotations

import datetime as dt
import re
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

UPLOAD_API = "https://www.googleapis.com/upload/youtube/v3"
DATA_API = "https://www.googleapis.com/youtube/v3"
NETWORK = "YouTube"
CHUNK_UNIT = 256 * 1024  # §10.2: chunks are multiples of 256 KiB
PRIVACY = ("public", "unlisted", "private")
RECONCILE_SLACK = dt.timedelta(minutes=2)
_RANGE_RE = re.compile(r"bytes=0-(\d+)")

_VALIDATION_REASONS = frozenset(
    {"invalidTitle", "invalidDescription", "invalidCategoryId", "invalidTags", "videoNotFound", "commentsDisabled"}
)


def error(response: httpx.Response, *, write: bool = False) -> ConnectorError:
    """``{"error": {"code", "message", "errors": [{"domain", "reason", "message"}], "status"}}`` (§10.5)."""
    body = http.json_body(response)
    envelope = body.get("error") if isinstance(body, dict) else None
    if not isinstance(envelope, dict):
        return http.error_for(response, network=NETWORK, write=write)
    reasons = [str(e.get("reason", "")) for e in envelope.get("errors") or [] if isinstance(e, dict)]
    reason = reasons[0] if reasons else str(envelope.get("status") or "")
    detail = str(envelope.get("message") or "")
    common: dict[str, Any] = {"network": NETWORK, "code": reason, "write": write}
    if reason == "quotaExceeded":
        message = _(
            "The daily quota of the organization's YouTube API project is used up; Harmonie tries again after "
            "midnight Pacific time, when it resets. Ask Google for more quota if this happens often."
        )
        return http.error_for(
            response,
            kind=ErrorKind.RATE_LIMITED,
            message=message,
            retry_after_seconds=http.seconds_until_pacific_midnight(),
            **common,
        )
    if reason in {"rateLimitExceeded", "userRateLimitExceeded"}:
        wait = http.retry_after(response.headers) or 60.0
        return http.error_for(response, kind=ErrorKind.RATE_LIMITED, retry_after_seconds=wait, detail=detail, **common)
    if reason == "uploadLimitExceeded":
        message = _("This channel reached YouTube's daily upload limit; Harmonie tries again in 24 hours.")
        return http.error_for(
            response, kind=ErrorKind.RATE_LIMITED, message=message, retry_after_seconds=86_400.0, **common
        )
    if reason in {"forbidden", "insufficientPermissions"}:
        return http.error_for(response, kind=ErrorKind.AUTH_REVOKED, detail=detail, **common)
    if reason == "processingFailure":
        return http.error_for(response, kind=ErrorKind.MEDIA_PROCESSING, detail=detail, **common)
    if reason in _VALIDATION_REASONS:
        return http.error_for(response, kind=ErrorKind.VALIDATION, detail=detail, **common)
    return http.error_for(response, detail=detail, **common)


def watch_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


@registry.register
class YouTubeConnector(Connector):
    network = "youtube"
    label = "YouTube"
    limits: ClassVar[NetworkLimits | None] = limits_for("youtube")
    budget = RateBudget(calls=100, seconds=86_400)  # §10.5: videos.insert has a bucket of 100 calls a day
    concurrency = 1
    auth = "oauth2_pkce"

    upload_url: str = UPLOAD_API
    data_url: str = DATA_API
    chunk_bytes: int = 32 * CHUNK_UNIT  # 8 MiB
    max_resumes: int = 5

    def _client(self, credentials: Credentials, *, upload: bool = False) -> httpx.Client:
        return http.client(token=credentials.access_token, timeout=http.UPLOAD_TIMEOUT if upload else http.TIMEOUT)

    def _call(self, client: httpx.Client, method: str, url: str, *, write: bool = False, **kwargs: Any) -> Any:
        response = http.send(client, method, url, network=NETWORK, write=write, **kwargs)
        if response.status_code >= 400:
            raise error(response, write=write)
        return http.json_body(response) or {}

    def new_key(self) -> str:
        return str(uuid.uuid4())

    # --- publishing (§10.2) -----------------------------------------------------------------------------------

    def _metadata(self, request: PublishRequest) -> dict[str, Any]:
        title = request.title.strip()
        if not title:
            raise ConnectorError(ErrorKind.VALIDATION, _("YouTube needs a title: add one."), code="title_required")
        privacy = str(request.options.get("privacy_status") or "public")
        if privacy not in PRIVACY:
            raise ConnectorError(
                ErrorKind.VALIDATION,
                _("YouTube has no privacy status “%(value)s”: choose public, unlisted or private.")
                % {"value": privacy},
                code="privacy_status",
            )
        snippet: dict[str, Any] = {
            "title": title,
            "description": text_with_link("youtube", request.text, request.link, has_media=True),
            "categoryId": str(request.options.get("category_id") or "22"),
        }
        if request.options.get("tags"):
            snippet["tags"] = [str(tag) for tag in request.options["tags"]]
        if request.language:
            snippet["defaultLanguage"] = request.language
        status = {
            "privacyStatus": privacy,
            "selfDeclaredMadeForKids": bool(request.options.get("made_for_kids", False)),
            "containsSyntheticMedia": bool(request.options.get("synthetic_media", False)),
        }
        return {"snippet": snippet, "status": status}

    def _start_session(self, client: httpx.Client, request: PublishRequest, video: MediaItem) -> str:
        """The upload session. It creates no video until every byte is in: a failure here is no outcome."""
        notify = "true" if request.options.get("notify_subscribers", True) else "false"
        response = http.send(
            client,
            "POST",
            f"{self.upload_url}/videos",
            network=NETWORK,
            params={"uploadType": "resumable", "part": "snippet,status", "notifySubscribers": notify},
            headers={"X-Upload-Content-Type": video.mime_type, "X-Upload-Content-Length": str(len(video.data))},
            json=self._metadata(request),
        )
        if response.status_code >= 400:
            raise error(response)
        location = str(response.headers.get("location", ""))
        if not location:
            raise ConnectorError(
                ErrorKind.TRANSIENT, _("YouTube gave no upload address; Harmonie tries again later."), code="no_session"
            )
        return location

    def _where(self, client: httpx.Client, session: str, total: int) -> tuple[int, dict[str, Any] | None]:
        """Ask the session how many bytes it holds (§10.2 resume): (next offset, the video if complete)."""
        response = http.send(
            client, "PUT", session, network=NETWORK, write=True, headers={"Content-Range": f"bytes */{total}"}
        )
        return self._progress(response)

    def _progress(self, response: httpx.Response) -> tuple[int, dict[str, Any] | None]:
        if response.status_code in {200, 201}:
            return -1, http.json_body(response) or {}
        if response.status_code == 308:
            held = _RANGE_RE.fullmatch(response.headers.get("range", "").strip())
            return (int(held.group(1)) + 1 if held else 0), None
        raise error(response, write=True)

    def _upload(self, client: httpx.Client, session: str, video: MediaItem) -> dict[str, Any]:
        total, offset, failures, stalls = len(video.data), 0, 0, 0
        while True:
            if offset >= total:  # every byte is held but the session did not answer with the video: ask it
                offset, resource = self._where(client, session, total)
                stalls += 1
                if resource is not None:
                    return resource
                if stalls > self.max_resumes:
                    raise ConnectorError(
                        ErrorKind.TRANSIENT,
                        _(
                            "YouTube did not confirm the end of the upload; Harmonie checks the channel's uploads "
                            "before trying again."
                        ),
                        code="no_completion",
                        outcome_unknown=True,
                    )
                continue
            end = min(offset + self.chunk_bytes, total) - 1
            try:
                response = http.send(
                    client,
                    "PUT",
                    session,
                    network=NETWORK,
                    write=True,
                    content=video.data[offset : end + 1],
                    headers={"Content-Type": video.mime_type, "Content-Range": f"bytes {offset}-{end}/{total}"},
                )
                if response.status_code >= 500:
                    raise error(response, write=True)
                offset, resource = self._progress(response)
            except ConnectorError as exc:
                if exc.kind != ErrorKind.TRANSIENT:
                    raise
                failures += 1
                offset, resource = self._resume(
                    client, session, total, failures, last_chunk=end + 1 == total, cause=exc
                )
            if resource is not None:
                return resource

    def _resume(
        self, client: httpx.Client, session: str, total: int, failures: int, *, last_chunk: bool, cause: ConnectorError
    ) -> tuple[int, dict[str, Any] | None]:
        while failures <= self.max_resumes:
            try:
                return self._where(client, session, total)
            except ConnectorError as exc:
                if exc.kind != ErrorKind.TRANSIENT:
                    raise
                failures += 1
        # Only a failure on the last chunk may have completed the video.
        raise ConnectorError(
            ErrorKind.TRANSIENT,
            _("The upload to YouTube kept failing; Harmonie tries again later.")
            if not last_chunk
            else _(
                "YouTube did not confirm the end of the upload; Harmonie checks the channel's uploads before "
                "trying again."
            ),
            code=cause.code,
            outcome_unknown=last_chunk,
        ) from cause

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        videos = [
            m for m in request.media if m.mime_type.startswith("video/") or m.mime_type == "application/octet-stream"
        ]
        if len(videos) != 1 or len(request.media) != 1:
            raise ConnectorError(ErrorKind.VALIDATION, _("A YouTube publication is one video file."), code="one_video")
        with self._client(credentials, upload=True) as client:
            session = self._start_session(client, request, videos[0])
            video = self._upload(client, session, videos[0])
        video_id = str(video["id"])
        published = http.parse_time(str((video.get("snippet") or {}).get("publishedAt", "")))
        return PublishResult(remote_id=video_id, url=watch_url(video_id), published_at=published)

    def reconcile(self, credentials: Credentials, request: PublishRequest) -> Reconciliation:
        """The channel's uploads playlist (§10.3 ``channels.list`` → ``playlistItems.list``, 1 unit each): a
        video with this title uploaded since the first attempt is ours; otherwise YouTube cannot tell."""
        with self._client(credentials) as client:
            channels = self._call(
                client, "GET", f"{self.data_url}/channels", params={"part": "contentDetails", "mine": "true"}
            )
            items = channels.get("items") or []
            uploads = (
                ((items[0].get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads") if items else ""
            )
            if not uploads:
                return Reconciliation(Found.UNKNOWN, detail=_("YouTube did not list the channel's uploads."))
            listing = self._call(
                client,
                "GET",
                f"{self.data_url}/playlistItems",
                params={"part": "snippet", "playlistId": uploads, "maxResults": "25"},
            )
        start = request.first_attempt_at - RECONCILE_SLACK if request.first_attempt_at else None
        for item in listing.get("items") or []:
            snippet = item.get("snippet") or {}
            published = http.parse_time(str(snippet.get("publishedAt", "")))
            if start is not None and (published is None or published < start):
                continue
            if str(snippet.get("title", "")).strip() == request.title.strip():
                video_id = str((snippet.get("resourceId") or {}).get("videoId", ""))
                return Reconciliation(
                    Found.PUBLISHED,
                    PublishResult(remote_id=video_id, url=watch_url(video_id), published_at=published),
                    detail=_("The video was found among the channel's uploads."),
                )
        return Reconciliation(
            Found.UNKNOWN,
            detail=_(
                "The video is not among the channel's uploads, but YouTube may not list it yet: someone must check "
                "the channel before uploading again."
            ),
        )

    # --- other capabilities -----------------------------------------------------------------------------------

    def delete(self, credentials: Credentials, ref: RemoteRef) -> None:
        with self._client(credentials) as client:
            response = http.send(
                client, "DELETE", f"{self.data_url}/videos", network=NETWORK, write=True, params={"id": ref.remote_id}
            )
        if response.status_code >= 400 and response.status_code != 404:
            raise error(response, write=True)

    def read_metrics(self, credentials: Credentials, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        """``videos.list part=statistics`` (§10.3), 50 ids a call; counts come as strings."""
        metrics: dict[str, PostMetrics] = {}
        ids = [ref.remote_id for ref in refs]
        with self._client(credentials) as client:
            for start in range(0, len(ids), 50):
                answer = self._call(
                    client,
                    "GET",
                    f"{self.data_url}/videos",
                    params={"part": "statistics", "id": ",".join(ids[start : start + 50])},
                )
                for item in answer.get("items") or []:
                    stats = item.get("statistics") or {}
                    metrics[str(item["id"])] = PostMetrics(
                        views=_count(stats.get("viewCount")),
                        likes=_count(stats.get("likeCount")),
                        replies=_count(stats.get("commentCount")),
                        saves=_count(stats.get("favoriteCount")),
                    )
        return metrics

    def account_info(self, credentials: Credentials) -> AccountInfo:
        with self._client(credentials) as client:
            answer = self._call(
                client, "GET", f"{self.data_url}/channels", params={"part": "snippet,statistics", "mine": "true"}
            )
        items = answer.get("items") or [{}]
        channel = items[0]
        snippet, stats = channel.get("snippet") or {}, channel.get("statistics") or {}
        handle = str(snippet.get("customUrl", ""))
        return AccountInfo(
            account_id=str(channel.get("id", "")),
            handle=handle,
            display_name=str(snippet.get("title", "")),
            followers=None if stats.get("hiddenSubscriberCount") else _count(stats.get("subscriberCount")),
            url=f"https://www.youtube.com/{handle}" if handle else "",
        )

    def reply(self, credentials: Credentials, to: RemoteRef, request: PublishRequest) -> PublishResult:
        """A top-level comment on the video (§10.4 ``commentThreads.insert``, 50 units)."""
        body = {"snippet": {"videoId": to.remote_id, "topLevelComment": {"snippet": {"textOriginal": request.text}}}}
        with self._client(credentials) as client:
            answer = self._call(
                client, "POST", f"{self.data_url}/commentThreads", write=True, params={"part": "snippet"}, json=body
            )
        return PublishResult(remote_id=str(answer["id"]), url=watch_url(to.remote_id))

    def refresh(self, credentials: Credentials) -> TokenSet:
        with http.client() as client:
            return oauth.refresh_tokens("youtube", credentials, http=client)


def _count(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
