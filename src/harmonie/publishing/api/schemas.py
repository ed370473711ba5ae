"""Input and output schemas of the publishing API. Datetimes are ISO 8601 in UTC."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from harmonie.publishing.models import AttemptKind, AttemptOutcome
from harmonie.publishing.states import CommentStatus, PublicationStatus


class AttemptOut(Schema):
    number: int
    kind: AttemptKind = Field(description="publish, reconcile (check on the network), comment (the first comment), "
                              "comment_check (check the first comment on the network).")  # fmt: skip
    worker: str = Field(description="host:pid:start of the worker that made the call.")
    started_at: dt.datetime
    finished_at: dt.datetime | None = Field(description="null: the call is in flight, or its worker stopped in it.")
    outcome: str = Field(description=f"One of {', '.join(repr(v) for v in AttemptOutcome.values)}; '' in flight.")
    error_kind: str
    message: str
    http_status: int | None


class PublicationOut(Schema):
    id: int
    post_id: int
    channel_id: int
    network: str
    status: PublicationStatus
    due_at: dt.datetime
    idempotency_key: str = Field(description="Chosen when the publication was made; sent on every attempt.")
    attempt_count: int
    next_attempt_at: dt.datetime | None = Field(description="When it is tried again (waiting to retry).")
    must_reconcile: bool = Field(description="The last call's outcome is unknown: the network is asked first.")
    remote_id: str
    remote_uri: str
    remote_url: str
    published_at: dt.datetime | None
    last_error_kind: str
    last_error: str = Field(description="Why it failed, waits or is unconfirmed, for people.")
    confirmed_by: str | None = Field(description="Who confirmed an unconfirmed publication.")
    first_comment_status: CommentStatus = Field(
        description="The post's first comment, published as a reply once the post is out: '' (none), 'pending', "
        "'sending', 'retry_wait', 'published', 'failed' or 'unconfirmed'. The post stays published whatever it is."
    )
    first_comment_key: str = Field(description="The first comment's own idempotency key.")
    first_comment_remote_id: str
    first_comment_url: str
    first_comment_error: str = Field(description="Why the first comment failed, waits or is unconfirmed.")

    @staticmethod
    def resolve_first_comment_status(obj: Any) -> str:
        return str(obj.comment_status)

    @staticmethod
    def resolve_first_comment_key(obj: Any) -> str:
        return str(obj.comment_key)

    @staticmethod
    def resolve_first_comment_remote_id(obj: Any) -> str:
        return str(obj.comment_remote_id)

    @staticmethod
    def resolve_first_comment_url(obj: Any) -> str:
        return str(obj.comment_url)

    @staticmethod
    def resolve_first_comment_error(obj: Any) -> str:
        return str(obj.comment_error)

    @staticmethod
    def resolve_network(obj: Any) -> str:
        return str(obj.channel.network)

    @staticmethod
    def resolve_confirmed_by(obj: Any) -> str | None:
        user = obj.confirmed_by
        return None if user is None else str(user.get_full_name() or user.email)


class PublicationDetailOut(PublicationOut):
    attempts: list[AttemptOut]

    @staticmethod
    def resolve_attempts(obj: Any) -> list[Any]:
        return list(obj.attempts.all())


class ConfirmIn(Schema):
    url: str = Field(description="The post's address on the network.", examples=["https://bsky.app/profile/x/post/y"])


class WorkerOut(Schema):
    id: str = Field(alias="worker_id")
    host: str
    pid: int
    version: str
    started_at: dt.datetime
    last_beat: dt.datetime
    seconds_since_beat: float
    handled: int
    in_flight: int


class WorkersOut(Schema):
    status: str = Field(description="'ok' when a worker beat recently, else 'degraded' with the reason.")
    reason: str
    stale_after_seconds: float
    workers: list[WorkerOut]
