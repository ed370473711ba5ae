"""The contract between Harmonie and a social network: small capability protocols, one shared error set.

A connector is one class per network (``connectors/<network>.py``) registered in ``connectors.registry``. It
declares what it can do by implementing some of the protocols below; the publishing engine, metric collection
and the inbox ask ``registry.supports(network, Capability.X)`` before they call it. Connectors are stateless:
everything about the account comes in a :class:`Credentials` (decrypted by the connections service just before
the call) and everything they learn goes back in return values; a refreshed token comes back as a
:class:`TokenSet` for the connections service to store. They never touch the database.

Every failure leaves a connector as a :class:`ConnectorError` of one :class:`ErrorKind`, whatever the network
said: the engine decides on the kind (retry, refresh, reconcile, fail, needs attention), never on a network's
own codes. ``outcome_unknown`` says the request may have reached the network (a timeout after sending, a 5xx
on a write): the engine then reconciles before anything else and never publishes blindly again.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from harmonie.content.networks.limits import NetworkLimits


class ErrorKind(enum.StrEnum):
    AUTH_EXPIRED = "auth_expired"  # the access token expired: refresh it, then try again
    AUTH_REVOKED = "auth_revoked"  # the user or the network withdrew access: someone must reconnect the channel
    RATE_LIMITED = "rate_limited"  # too many calls: wait for ``retry_after`` (or the budget's window)
    DUPLICATE = "duplicate"  # the network says this post already exists
    VALIDATION = "validation"  # the network refuses this content as it is: fix the post
    TRANSIENT = "transient"  # the network or the link failed for now: try again later
    MEDIA_PROCESSING = "media_processing"  # the network could not process a media file
    POLICY = "policy"  # refused by the network's rules (spam, content policy, app not approved): a person decides


#: Kinds worth another try on their own (after a wait); the others need a person or a refreshed token.
RETRYABLE = frozenset({ErrorKind.RATE_LIMITED, ErrorKind.TRANSIENT})


class ConnectorError(Exception):
    """A network call failed. ``message`` is for people (shown on the post); ``code`` is the network's own."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        code: str = "",
        http_status: int | None = None,
        retry_after: float | None = None,
        outcome_unknown: bool = False,
        remote_id: str = "",
        remote_url: str = "",
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.code = code
        self.http_status = http_status
        self.retry_after = retry_after  # seconds, when the network says
        self.outcome_unknown = outcome_unknown  # the write may have happened: reconcile before trying again
        self.remote_id = remote_id  # a duplicate that names the existing post
        self.remote_url = remote_url

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE

    def __repr__(self) -> str:
        return f"ConnectorError({self.kind.value!r}, {self.message!r}, code={self.code!r}, http={self.http_status})"


class Capability(enum.StrEnum):
    PUBLISH = "publish"
    DELETE = "delete"
    METRICS = "metrics"
    MENTIONS = "mentions"
    REPLY = "reply"
    ACCOUNT = "account"
    REFRESH = "refresh"


@dataclass(frozen=True)
class Credentials:
    """What a call needs to act as the channel's account, decrypted. ``service_url``: the account's server (a
    Mastodon instance, a Bluesky PDS) or the API's base URL when it is not the network's default."""

    network: str
    account_id: str = ""  # the network's id for the account: a DID, a user id, an organization URN, a page id
    handle: str = ""
    access_token: str = ""
    refresh_token: str = ""
    expires_at: dt.datetime | None = None
    secret: str = ""  # an app password (Bluesky) or a page/app secret where the network needs one
    service_url: str = ""
    client_id: str = ""  # the organization's app credentials, for refreshing tokens
    client_secret: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenSet:
    """Tokens a connector obtained (a refresh, a new session). An empty ``refresh_token`` means "keep the one you
    have": the connections service never overwrites a stored refresh token with an empty one."""

    access_token: str
    refresh_token: str = ""
    expires_at: dt.datetime | None = None
    account_id: str = ""
    scopes: str = ""


@dataclass(frozen=True)
class MediaItem:
    """One image or video to attach, read from the media library."""

    data: bytes
    mime_type: str
    alt_text: str = ""
    filename: str = ""
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None


@dataclass(frozen=True)
class RemoteRef:
    """A post on the network: its id and, where the network needs more to point at it, its URI and CID."""

    remote_id: str
    uri: str = ""
    cid: str = ""
    url: str = ""


@dataclass(frozen=True)
class PublishRequest:
    """One publication. ``idempotency_key`` is fixed when the publication is created (``Publisher.new_key``) and
    sent on every attempt, so that the network (Mastodon's Idempotency-Key, Bluesky's record key) or the
    reconciliation recognises a post already made. ``options`` carries network-specific choices (a Pinterest
    board, a YouTube privacy status, a Mastodon visibility)."""

    text: str
    idempotency_key: str
    media: Sequence[MediaItem] = ()
    link: str = ""
    title: str = ""
    language: str = ""
    reply_to: RemoteRef | None = None
    first_attempt_at: dt.datetime | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishResult:
    remote_id: str
    url: str = ""
    uri: str = ""
    cid: str = ""
    published_at: dt.datetime | None = None


class Found(enum.StrEnum):
    PUBLISHED = "published"  # the post is on the network: ``result`` says where
    ABSENT = "absent"  # certainly not on the network: publishing again makes no duplicate
    UNKNOWN = "unknown"  # the network cannot tell: a person must check (the publication is *unconfirmed*)


@dataclass(frozen=True)
class Reconciliation:
    found: Found
    result: PublishResult | None = None
    detail: str = ""


@dataclass(frozen=True)
class PostMetrics:
    """Counts of one post at one moment; None where the network does not give the figure."""

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    impressions: int | None = None
    views: int | None = None
    clicks: int | None = None
    saves: int | None = None


@dataclass(frozen=True)
class AccountInfo:
    account_id: str
    handle: str
    display_name: str = ""
    followers: int | None = None
    url: str = ""


@dataclass(frozen=True)
class Mention:
    remote_id: str
    author_handle: str
    text: str
    created_at: dt.datetime
    url: str = ""
    uri: str = ""
    cid: str = ""
    author_id: str = ""
    in_reply_to: str = ""


@dataclass(frozen=True)
class RateBudget:
    """At most ``calls`` publishing calls per ``seconds`` for one account (the engine keeps under it)."""

    calls: int
    seconds: int


# --- capabilities -------------------------------------------------------------------------------------------


@runtime_checkable
class Publisher(Protocol):
    def new_key(self) -> str:
        """A fresh idempotency key in the form the network wants (a TID record key, a UUID)."""

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        """Publish, or raise ConnectorError. Must send ``request.idempotency_key`` where the network takes one."""

    def reconcile(self, credentials: Credentials, request: PublishRequest) -> Reconciliation:
        """After an attempt whose outcome is unknown: is the post on the network?"""


@runtime_checkable
class Deleter(Protocol):
    def delete(self, credentials: Credentials, ref: RemoteRef) -> None: ...


@runtime_checkable
class MetricsReader(Protocol):
    def read_metrics(self, credentials: Credentials, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        """Counts per ``remote_id`` (posts the network no longer has are left out)."""


@runtime_checkable
class MentionsReader(Protocol):
    def read_mentions(self, credentials: Credentials, *, since: dt.datetime | None = None) -> list[Mention]: ...


@runtime_checkable
class Replier(Protocol):
    def reply(self, credentials: Credentials, to: RemoteRef, request: PublishRequest) -> PublishResult: ...


@runtime_checkable
class AccountReader(Protocol):
    def account_info(self, credentials: Credentials) -> AccountInfo: ...


@runtime_checkable
class TokenRefresher(Protocol):
    def refresh(self, credentials: Credentials) -> TokenSet:
        """New tokens from the refresh token (or a new session from the app password); AUTH_REVOKED if refused."""


CAPABILITY_PROTOCOLS: dict[Capability, type] = {
    Capability.PUBLISH: Publisher,
    Capability.DELETE: Deleter,
    Capability.METRICS: MetricsReader,
    Capability.MENTIONS: MentionsReader,
    Capability.REPLY: Replier,
    Capability.ACCOUNT: AccountReader,
    Capability.REFRESH: TokenRefresher,
}


class Connector:
    """Base of every connector: what the network is, what it accepts, how fast it may be called."""

    network: ClassVar[str]
    label: ClassVar[str]
    limits: ClassVar[NetworkLimits | None] = None  # what one post may hold (``content.networks.limits``)
    budget: ClassVar[RateBudget] = RateBudget(calls=60, seconds=60)  # publishing calls per account
    network_budget: ClassVar[RateBudget | None] = None  # publishing calls per app, all accounts together
    concurrency: ClassVar[int] = 4  # calls in flight at once per account
    auth: ClassVar[str] = "oauth2"  # "oauth2" | "oauth2_pkce" | "app_password" | "token"
    #: ``reconcile`` answers for sure whether a post is there (``Found.ABSENT`` when it is not): a client-chosen key
    #: the network keeps (Bluesky record keys, Mastodon idempotency keys). The engine then records a publication's
    #: first attempt in the claim itself (a call left by a killed worker is found or safely sent again); for the
    #: other networks it records it just before the call, so that a post claimed and never sent is not *unconfirmed*.
    exact_reconcile: ClassVar[bool] = False

    def capabilities(self) -> frozenset[Capability]:
        return frozenset(cap for cap, proto in CAPABILITY_PROTOCOLS.items() if isinstance(self, proto))
