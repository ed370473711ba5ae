"""Bluesky (AT Protocol) through the ``atproto`` SDK, with app passwords.

A post is one ``app.bsky.feed.post`` record created with a record key chosen before the first attempt (the
publication's idempotency key, a TID): Bluesky has no idempotency key, but a record key names the post, so
``reconcile`` asks the account's PDS for that key (``getRecord``) and knows for sure whether it exists. A second
``createRecord`` with the same key fails (HTTP 500 on PDS 0.5.35), so a blind retry can never make a duplicate.

Sessions: the connections service stores the ``accessJwt``/``refreshJwt`` pair (``Credentials.access_token`` and
``refresh_token``) and the app password (``Credentials.secret``). Calls send the access token as it is and never
refresh on their own (the SDK's automatic refresh is not used: a rotated refresh token must reach the database).
An expired token comes back as AUTH_EXPIRED; ``refresh`` then rotates the pair with ``refreshSession`` or, when
that is refused, opens a new session with the app password (AUTH_REVOKED when the password is refused too).
Sessions are cached that way because ``createSession`` is limited to 30 per 5 minutes per account.

OAuth is the long-term way (Bluesky recommends it for third-party apps): an OAuth 2.1 profile with mandatory PAR,
PKCE (S256) and DPoP-bound tokens (ES256 keys, server nonces), where ``client_id`` is the HTTPS URL of a published
client-metadata document and the authorization server is discovered from the account's PDS
(``/.well-known/oauth-protected-resource``). Supporting it takes: publishing Harmonie's client metadata (and a JWKS
for a confidential client) at a public HTTPS URL per installation, a DPoP key per session stored encrypted next to
the tokens, a DPoP proof (with the server's current nonce, retried on ``use_dpop_nonce``) on every call, which the
``atproto`` SDK does not do (its OAuth support is missing; the young ``atproto-oauth`` packages are unproven), and
refresh tokens that live 2 weeks (public client) or 3 months (confidential). App passwords work with every PDS today.

Reference: ``docs/network-apis.md`` §3 (shapes, limits, errors) and ``local-bluesky.md`` (the local network used
by the end-to-end tests in ``connectors/tests/test_bluesky.py``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import datetime as dt
import io
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
from atproto_client import Client, models  # type: ignore[import-untyped, unused-ignore]
from atproto_client.exceptions import RequestErrorBase  # type: ignore[import-untyped, unused-ignore]
from atproto_client.models.common import XrpcError  # type: ignore[import-untyped, unused-ignore]
from atproto_client.models.utils import get_response_model  # type: ignore[import-untyped, unused-ignore]
from atproto_client.request import Request  # type: ignore[import-untyped, unused-ignore]
from atproto_client.utils import facet_detection  # type: ignore[import-untyped, unused-ignore]
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from harmonie.connectors import registry
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
from harmonie.content.networks.limits import limits_for

DEFAULT_SERVICE = "https://bsky.social"
POST = "app.bsky.feed.post"
MAX_IMAGES = 4
METRICS_BATCH = 25  # app.bsky.feed.getPosts takes at most 25 URIs
MENTION_PAGES = 5  # listNotifications pages read at most (100 each)
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RKEY_RE = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")

# --- record keys ----------------------------------------------------------------------------------------------

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
_tid_lock = threading.Lock()
_last_tid = 0


def encode_tid(micros: int, clock_id: int) -> str:
    """A TID: 13 base32-sortable characters of (microseconds since the epoch << 10 | a 10-bit clock id)."""
    value = (micros << 10) | (clock_id & 0x3FF)
    chars = []
    for _i in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def tid() -> str:
    """A TID for now, with a random clock id. Keys made by one process only ever grow, even within a
    microsecond."""
    global _last_tid  # noqa: PLW0603 - the process-wide monotonic guard
    value = ((time.time_ns() // 1000) << 10) | secrets.randbelow(1024)
    with _tid_lock:
        value = max(value, _last_tid + 1)
        _last_tid = value
    return encode_tid(value >> 10, value & 0x3FF)


# --- helpers --------------------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, unverified: only to read its subject and expiry (the server verifies it)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


def _jwt_expiry(token: str) -> dt.datetime | None:
    exp = _jwt_claims(token).get("exp")
    return dt.datetime.fromtimestamp(exp, dt.UTC) if isinstance(exp, int | float) else None


def _split_uri(uri: str) -> tuple[str, str, str]:
    """``at://<repo>/<collection>/<rkey>`` -> (repo, collection, rkey)."""
    parts = uri.removeprefix("at://").split("/")
    if not uri.startswith("at://") or len(parts) != 3 or not all(parts):
        raise ConnectorError(ErrorKind.VALIDATION, _("%(uri)s is not the address of a Bluesky post.") % {"uri": uri})
    return parts[0], parts[1], parts[2]


def post_url(handle_or_did: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{handle_or_did}/post/{rkey}"


def _repo(credentials: Credentials) -> str:
    repo = credentials.account_id or str(_jwt_claims(credentials.access_token).get("sub", "")) or credentials.handle
    if not repo:
        raise ConnectorError(
            ErrorKind.AUTH_REVOKED, _("The Bluesky channel has no account: connect it again with its app password.")
        )
    return repo


def _auth(credentials: Credentials) -> dict[str, str]:
    if not credentials.access_token:
        raise ConnectorError(
            ErrorKind.AUTH_EXPIRED, _("The Bluesky channel has no session yet: refresh its connection.")
        )
    return {"Authorization": f"Bearer {credentials.access_token}"}


@contextlib.contextmanager
def _client(credentials: Credentials) -> Iterator[Any]:
    """An SDK client on the account's PDS, without a session of its own: calls carry the token in their headers."""
    request = Request(timeout=TIMEOUT)
    try:
        yield Client(base_url=credentials.service_url or DEFAULT_SERVICE, request=request)
    finally:
        request.close()


# --- errors ---------------------------------------------------------------------------------------------------

# An access token the PDS cannot verify (InvalidToken) is treated like an expired one: the engine refreshes, and
# only a refused refresh *and* a refused app password make the channel need a person (AUTH_REVOKED, in ``refresh``).
AUTH_EXPIRED_CODES = frozenset({"ExpiredToken", "InvalidToken"})
AUTH_REVOKED_CODES = frozenset({"AuthenticationRequired", "AuthMissing", "AccountDeactivated", "AccountNotFound"})
POLICY_CODES = frozenset({"AccountTakedown", "RepoTakendown", "RepoSuspended"})
MEDIA_CODES = frozenset({"BlobTooLarge", "InvalidMimeType", "BlobNotFound"})


def _retry_after(headers: dict[str, Any]) -> float | None:
    reset = headers.get("ratelimit-reset")
    if reset is not None:
        with contextlib.suppress(ValueError):
            return max(0.0, float(reset) - time.time())
    after = headers.get("retry-after")
    if after is not None:
        with contextlib.suppress(ValueError):
            return max(0.0, float(after))
    return None


def _never_sent(exc: BaseException) -> bool:
    """The request certainly did not reach the network (no connection was made)."""
    cause = exc.__cause__ or exc
    return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def map_error(exc: Exception, *, write: bool) -> ConnectorError:
    """One Bluesky failure as the shared error set. ``write``: the call could have changed the repository."""
    if isinstance(exc, ConnectorError):
        return exc
    response = exc.response if isinstance(exc, RequestErrorBase) else None
    if response is None:  # no answer: a timeout, a reset connection
        unknown = write and not _never_sent(exc)
        return ConnectorError(
            ErrorKind.TRANSIENT,
            _("Bluesky could not be reached (%(error)s); Harmonie will try again.") % {"error": type(exc).__name__},
            outcome_unknown=unknown,
        )
    status = int(response.status_code)
    content = response.content
    code = str(content.error) if isinstance(content, XrpcError) else ""
    said = (str(content.message or "") if isinstance(content, XrpcError) else "") or code or str(status)
    detail = {"message": said}
    kwargs: dict[str, Any] = {"code": code, "http_status": status}
    if status == 429 or code == "RateLimitExceeded":
        return ConnectorError(
            ErrorKind.RATE_LIMITED,
            _("Bluesky asks to slow down (%(message)s); Harmonie waits before the next call.") % detail,
            retry_after=_retry_after(response.headers),
            **kwargs,
        )
    if code in AUTH_EXPIRED_CODES:
        return ConnectorError(
            ErrorKind.AUTH_EXPIRED,
            _("The Bluesky session ended (%(message)s): it will be refreshed.") % detail,
            **kwargs,
        )
    if code in POLICY_CODES:
        return ConnectorError(
            ErrorKind.POLICY,
            _("Bluesky suspended this account (%(message)s): see its moderation notice.") % detail,
            **kwargs,
        )
    if code in AUTH_REVOKED_CODES or status in {401, 403}:
        return ConnectorError(
            ErrorKind.AUTH_REVOKED,
            _("Bluesky refused the account's credentials (%(message)s): connect the channel again.") % detail,
            **kwargs,
        )
    if code in MEDIA_CODES or status == 413 or "blob too big" in said:
        return ConnectorError(
            ErrorKind.MEDIA_PROCESSING,
            _("Bluesky refused a media file (%(message)s): use a smaller or another image.") % detail,
            **kwargs,
        )
    if status >= 500 and write:  # on this PDS a record key used twice is a 500 too: the post may exist
        return ConnectorError(
            ErrorKind.TRANSIENT,
            _("Bluesky failed (%(message)s); Harmonie checks whether the post exists before trying again.") % detail,
            outcome_unknown=True,
            **kwargs,
        )
    if status >= 500:
        return ConnectorError(
            ErrorKind.TRANSIENT, _("Bluesky failed (%(message)s); Harmonie will try again.") % detail, **kwargs
        )
    return ConnectorError(
        ErrorKind.VALIDATION,
        _("Bluesky refused the post (%(message)s): change it and publish again.") % detail,
        **kwargs,
    )


@contextlib.contextmanager
def _mapped(*, write: bool) -> Iterator[None]:
    try:
        yield
    except (RequestErrorBase, httpx.HTTPError) as exc:
        raise map_error(exc, write=write) from exc


# --- the connector --------------------------------------------------------------------------------------------


@registry.register
class BlueskyConnector(Connector):
    network = "bluesky"
    label = "Bluesky"
    limits = limits_for("bluesky")
    # network-apis.md §3.5: record writes 5,000 points an hour per account, a create costs 3.
    budget = RateBudget(calls=1666, seconds=3600)
    auth = "app_password"
    exact_reconcile = True  # the record key is the idempotency key: getRecord says present or absent

    # -- publishing

    def new_key(self) -> str:
        return tid()

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        key = request.idempotency_key
        if not RKEY_RE.fullmatch(key) or key in {".", ".."}:
            raise ConnectorError(
                ErrorKind.VALIDATION, _("%(key)s cannot be a Bluesky record key.") % {"key": key or "''"}
            )
        auth, repo = _auth(credentials), _repo(credentials)
        with _client(credentials) as client:
            record = self._record(client, auth, credentials, request)
            data = {"repo": repo, "collection": POST, "rkey": key, "validate": True, "record": record}
            with _mapped(write=True):
                created = client.com.atproto.repo.create_record(data, headers=auth)
        return self._result(credentials, str(created.uri), str(created.cid), record.created_at)

    def reconcile(self, credentials: Credentials, request: PublishRequest) -> Reconciliation:
        """Ask the PDS for the record key: there, absent, or (any other answer) unknown. getRecord is public: an
        expired session does not stop the check."""
        repo = _repo(credentials)
        with _client(credentials) as client:
            try:
                found = client.com.atproto.repo.get_record(
                    {"repo": repo, "collection": POST, "rkey": request.idempotency_key}
                )
            except (RequestErrorBase, httpx.HTTPError) as exc:
                error = map_error(exc, write=False)
                if error.code == "RecordNotFound":
                    detail = _("Bluesky has no post with the key %(key)s: it was not published.")
                    return Reconciliation(Found.ABSENT, detail=detail % {"key": request.idempotency_key})
                return Reconciliation(Found.UNKNOWN, detail=error.message)
        created_at = str(getattr(found.value, "created_at", "") or "")
        return Reconciliation(Found.PUBLISHED, self._result(credentials, str(found.uri), str(found.cid), created_at))

    def reply(self, credentials: Credentials, to: RemoteRef, request: PublishRequest) -> PublishResult:
        return self.publish(credentials, dataclasses.replace(request, reply_to=to))

    def delete(self, credentials: Credentials, ref: RemoteRef) -> None:
        repo, rkey = _repo(credentials), ref.remote_id
        if ref.uri:
            repo, _collection, rkey = _split_uri(ref.uri)
        auth = _auth(credentials)
        with _client(credentials) as client, _mapped(write=True):
            client.com.atproto.repo.delete_record({"repo": repo, "collection": POST, "rkey": rkey}, headers=auth)

    # -- reading (AppView: needs a PDS with an AppView behind it)

    def read_metrics(self, credentials: Credentials, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        auth, repo = _auth(credentials), _repo(credentials)
        ids = {(ref.uri or f"at://{repo}/{POST}/{ref.remote_id}"): ref.remote_id for ref in refs}
        by_rkey = {uri.rsplit("/", 1)[-1]: remote_id for uri, remote_id in ids.items()}  # at://handle/... comes back
        uris = list(ids)  # as at://did/..., so a post is also found by its record key
        metrics: dict[str, PostMetrics] = {}
        with _client(credentials) as client, _mapped(write=False):
            for start in range(0, len(uris), METRICS_BATCH):
                answer = client.app.bsky.feed.get_posts({"uris": uris[start : start + METRICS_BATCH]}, headers=auth)
                for post in answer.posts:
                    uri = str(post.uri)
                    remote_id = ids.get(uri) or by_rkey.get(uri.rsplit("/", 1)[-1])
                    if remote_id is not None:
                        metrics[remote_id] = PostMetrics(
                            likes=post.like_count,
                            reposts=post.repost_count,
                            replies=post.reply_count,
                            quotes=post.quote_count,
                        )
        return metrics

    def account_info(self, credentials: Credentials) -> AccountInfo:
        auth, repo = _auth(credentials), _repo(credentials)
        with _client(credentials) as client, _mapped(write=False):
            profile = client.app.bsky.actor.get_profile({"actor": repo}, headers=auth)
        handle = str(profile.handle)
        return AccountInfo(
            account_id=str(profile.did),
            handle=handle,
            display_name=str(profile.display_name or ""),
            followers=profile.followers_count,
            url=f"https://bsky.app/profile/{handle}",
        )

    def read_mentions(self, credentials: Credentials, *, since: dt.datetime | None = None) -> list[Mention]:
        """Mentions of the account and replies to its posts, newest first (``since``: the last one already seen)."""
        auth = _auth(credentials)
        mentions: list[Mention] = []
        cursor: str | None = None
        with _client(credentials) as client, _mapped(write=False):
            for _page in range(MENTION_PAGES):
                params = {"limit": 100, "reasons": ["mention", "reply"], "cursor": cursor}
                answer = client.app.bsky.notification.list_notifications(params, headers=auth)
                for item in answer.notifications:
                    mention = _mention(item)
                    if mention is not None and (since is None or mention.created_at > since):
                        mentions.append(mention)
                cursor = answer.cursor
                # Notifications come newest first (by the server's indexing time): stop at a page older than since.
                oldest = _parse_time(answer.notifications[-1].indexed_at) if answer.notifications else None
                if not cursor or (since is not None and oldest is not None and oldest <= since):
                    break
        return mentions

    # -- sessions

    def refresh(self, credentials: Credentials) -> TokenSet:
        with _client(credentials) as client:
            if credentials.refresh_token:
                try:
                    with _mapped(write=False):
                        session = client.com.atproto.server.refresh_session(
                            headers={"Authorization": f"Bearer {credentials.refresh_token}"}
                        )
                    return _tokens(session)
                except ConnectorError as error:
                    if error.kind in {ErrorKind.TRANSIENT, ErrorKind.RATE_LIMITED}:
                        raise
                    if not credentials.secret:
                        raise ConnectorError(
                            ErrorKind.AUTH_REVOKED,
                            _("Bluesky refused the session (%(message)s) and there is no app password to open a "
                              "new one: connect the channel again.") % {"message": error.message},
                            code=error.code,
                            http_status=error.http_status,
                        ) from error  # fmt: skip
            if not credentials.secret:
                raise ConnectorError(
                    ErrorKind.AUTH_REVOKED,
                    _("The Bluesky channel has neither a session nor an app password: connect it again."),
                )
            identifier = credentials.handle or credentials.account_id
            try:
                with _mapped(write=False):
                    session = client.com.atproto.server.create_session(
                        {"identifier": identifier, "password": credentials.secret}
                    )
            except ConnectorError as error:
                if error.kind in {ErrorKind.TRANSIENT, ErrorKind.RATE_LIMITED, ErrorKind.POLICY}:
                    raise
                raise ConnectorError(
                    ErrorKind.AUTH_REVOKED,
                    _("Bluesky refused the app password of %(handle)s (%(message)s): create a new app password and "
                      "connect the channel again.") % {"handle": identifier, "message": error.message},
                    code=error.code,
                    http_status=error.http_status,
                ) from error  # fmt: skip
        return _tokens(session)

    # -- building a post

    def _record(self, client: Any, auth: dict[str, str], credentials: Credentials, request: PublishRequest) -> Any:
        images = [m for m in request.media if m.mime_type.startswith("image/")]
        videos = [m for m in request.media if m.mime_type.startswith("video/")]
        if len(images) > MAX_IMAGES or len(videos) > 1 or (images and videos):
            raise ConnectorError(
                ErrorKind.VALIDATION,
                _("A Bluesky post holds up to 4 images or one video, not both: remove some media."),
            )
        facets = self._facets(client, request.text)
        embed: Any = None
        if images:
            embed = models.AppBskyEmbedImages.Main(images=[self._image(client, auth, item) for item in images])
        elif videos:
            video = videos[0]
            embed = models.AppBskyEmbedVideo.Main(
                video=self._upload(client, auth, video), alt=video.alt_text or None, aspect_ratio=_ratio(video)
            )
        else:
            link = request.link or next((f.features[0].uri for f in facets if _is_link(f)), "")
            if link:
                embed = models.AppBskyEmbedExternal.Main(
                    external=models.AppBskyEmbedExternal.External(
                        uri=link,
                        title=request.title or urlsplit(link).hostname or link,
                        description=str(request.options.get("link_description", "")),
                    )
                )
        return models.AppBskyFeedPost.Record(
            text=request.text,
            created_at=_iso(request.first_attempt_at or _now()),
            langs=[request.language] if request.language else None,
            facets=facets or None,
            embed=embed,
            reply=self._reply_ref(client, credentials, request.reply_to) if request.reply_to else None,
        )

    def _facets(self, client: Any, text: str) -> list[Any]:
        """Links, hashtags and cashtags as the SDK finds them (UTF-8 byte offsets), and mentions of handles that
        resolve to a DID (an unknown handle stays plain text)."""
        facets = list(facet_detection.detect_facets(text))
        dids: dict[str, str | None] = {}
        for found in facet_detection.detect_mentions(text):
            handle = str(found.handle).lower()
            if handle not in dids:
                dids[handle] = self._resolve(client, handle)
            did = dids[handle]
            if did:
                facets.append(
                    models.AppBskyRichtextFacet.Main(
                        features=[models.AppBskyRichtextFacet.Mention(did=did)],
                        index=models.AppBskyRichtextFacet.ByteSlice(
                            byte_start=found.byte_start, byte_end=found.byte_end
                        ),
                    )
                )
        return sorted(facets, key=lambda facet: int(facet.index.byte_start))

    def _resolve(self, client: Any, handle: str) -> str | None:
        try:
            with _mapped(write=False):
                return str(client.com.atproto.identity.resolve_handle({"handle": handle}).did)
        except ConnectorError as error:
            if error.kind is ErrorKind.VALIDATION:  # 400: no such handle
                return None
            raise

    def _upload(self, client: Any, auth: dict[str, str], item: MediaItem) -> Any:
        with _mapped(write=False):  # an unreferenced blob is dropped by the PDS: nothing is published yet
            answer = client.invoke_procedure(  # raw bytes as httpx ``content`` (the SDK's upload_blob sends ``data``)
                "com.atproto.repo.uploadBlob",
                content=item.data,
                headers={**auth, "Content-Type": item.mime_type},
                output_encoding="application/json",
            )
        return get_response_model(answer, models.ComAtprotoRepoUploadBlob.Response).blob

    def _image(self, client: Any, auth: dict[str, str], item: MediaItem) -> Any:
        return models.AppBskyEmbedImages.Image(
            image=self._upload(client, auth, item), alt=item.alt_text, aspect_ratio=_ratio(item)
        )

    def _reply_ref(self, client: Any, credentials: Credentials, to: RemoteRef) -> Any:
        """Root and parent of a reply: the parent's own root when it is itself a reply."""
        uri = to.uri or f"at://{_repo(credentials)}/{POST}/{to.remote_id}"
        repo, collection, rkey = _split_uri(uri)
        with _mapped(write=False):
            parent = client.com.atproto.repo.get_record({"repo": repo, "collection": collection, "rkey": rkey})
        parent_ref = models.ComAtprotoRepoStrongRef.Main(uri=str(parent.uri), cid=str(parent.cid))
        reply = getattr(parent.value, "reply", None)
        root = reply.root if reply is not None else parent_ref
        return models.AppBskyFeedPost.ReplyRef(root=root, parent=parent_ref)

    def _result(self, credentials: Credentials, uri: str, cid: str, created_at: str) -> PublishResult:
        repo, _collection, rkey = _split_uri(uri)
        return PublishResult(
            remote_id=rkey,
            uri=uri,
            cid=cid,
            url=post_url(credentials.handle or repo, rkey),
            published_at=_parse_time(created_at),
        )


def _is_link(facet: Any) -> bool:
    return isinstance(facet.features[0], models.AppBskyRichtextFacet.Link)


def _ratio(item: MediaItem) -> Any:
    width, height = item.width, item.height
    if (not width or not height) and item.mime_type.startswith("image/"):
        try:
            with Image.open(io.BytesIO(item.data)) as image:  # reads the header only
                width, height = image.size
        except (UnidentifiedImageError, OSError):
            return None
    if not width or not height:
        return None
    return models.AppBskyEmbedDefs.AspectRatio(width=width, height=height)


def _tokens(session: Any) -> TokenSet:
    access = str(session.access_jwt)
    return TokenSet(
        access_token=access,
        refresh_token=str(session.refresh_jwt),
        expires_at=_jwt_expiry(access),
        account_id=str(session.did),
    )


def _mention(item: Any) -> Mention | None:
    record = item.record
    text = getattr(record, "text", None)
    if text is None:
        return None
    created = _parse_time(getattr(record, "created_at", None)) or _parse_time(item.indexed_at) or _now()
    reply = getattr(record, "reply", None)
    _repo_did, _collection, rkey = _split_uri(str(item.uri))
    handle = str(item.author.handle)
    return Mention(
        remote_id=rkey,
        author_handle=handle,
        text=str(text),
        created_at=created,
        url=post_url(handle, rkey),
        uri=str(item.uri),
        cid=str(item.cid),
        author_id=str(item.author.did),
        in_reply_to=str(reply.parent.uri) if reply is not None else "",
    )
