"""Input and output schemas of the approvals API. Datetimes are ISO 8601, in UTC out and with an offset in; a post's
local date and time are on its channel's wall clock (``timezone``), as in the content API."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from ninja import Field, Schema

from harmonie.approvals.models import ConditionKind, CrisisEventKind, CrisisStatus, RequestStatus, StepMode, StepStatus
from harmonie.content.api.schemas import OffsetDatetime
from harmonie.content.models import PostStatus
from harmonie.content.timeutils import utc_to_local
from harmonie.governance.models import Network, Role


def _person(user: Any) -> str | None:
    """How a person is shown: their full name, else their e-mail (None when there is nobody)."""
    if user is None:
        return None
    return str(user.get_full_name() or user.email)


def _seconds(delta: dt.timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


# --- posts as the review sees them -----------------------------------------------------------


class PostSummaryOut(Schema):
    """A post in a review list: where and when it goes out, what it says, where it stands."""

    id: int
    channel_id: int
    channel: str = Field(description="network:handle.", examples=["linkedin:vireo-france"])
    network: str
    timezone: str = Field(description="The channel's time zone: local_date and local_time are on its clock.")
    market_id: int
    market_code: str
    status: PostStatus
    status_note: str = Field(description="Why the post is in its status (who asked for changes, the crisis…).")
    scheduled_at: dt.datetime | None = Field(description="UTC.")
    local_date: dt.date | None
    local_time: str | None = Field(examples=["09:00"])
    text: str
    revision: int = Field(description="Goes up with every change of what the post says; approvals are per revision.")

    @staticmethod
    def resolve_channel(obj: Any) -> str:
        return f"{obj.channel.network}:{obj.channel.handle}"

    @staticmethod
    def resolve_network(obj: Any) -> str:
        return str(obj.channel.network)

    @staticmethod
    def resolve_timezone(obj: Any) -> str:
        return str(obj.channel.timezone)

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return str(obj.market.code)

    @staticmethod
    def resolve_local_date(obj: Any) -> dt.date | None:
        if obj.scheduled_at is None:
            return None
        return utc_to_local(obj.scheduled_at, obj.channel.timezone).date()

    @staticmethod
    def resolve_local_time(obj: Any) -> str | None:
        if obj.scheduled_at is None:
            return None
        return utc_to_local(obj.scheduled_at, obj.channel.timezone).strftime("%H:%M")


class QueueItemOut(Schema):
    """A step waiting for a review, with its post."""

    step_id: int
    step: str = Field(description="The step's name.")
    mode: StepMode
    round: int
    reason: str = Field(description="Why the post passes this step (the matrix cell or the condition).")
    started_at: dt.datetime | None
    due_at: dt.datetime | None = Field(description="UTC: the step's response time target.")
    overdue: bool
    overdue_by_seconds: int | None
    post: PostSummaryOut

    @staticmethod
    def resolve_step_id(obj: Any) -> int:
        return int(obj.step.pk)

    @staticmethod
    def resolve_step(obj: Any) -> str:
        return str(obj.step.name)

    @staticmethod
    def resolve_mode(obj: Any) -> str:
        return str(obj.step.mode)

    @staticmethod
    def resolve_round(obj: Any) -> int:
        return int(obj.step.request.round)

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return str(obj.step.reason)

    @staticmethod
    def resolve_started_at(obj: Any) -> dt.datetime | None:
        return obj.step.started_at  # type: ignore[no-any-return]

    @staticmethod
    def resolve_due_at(obj: Any) -> dt.datetime | None:
        return obj.step.due_at  # type: ignore[no-any-return]

    @staticmethod
    def resolve_overdue_by_seconds(obj: Any) -> int | None:
        return _seconds(obj.overdue_by)


# --- a post's review -------------------------------------------------------------------------


class ApproverOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.user.get_full_name() or obj.user.email)


class StepOut(Schema):
    id: int
    position: int
    name: str
    mode: StepMode = Field(description="any: one approver is enough; all: each of them must approve.")
    external: bool = Field(description="Approved by someone outside through a review link.")
    approvers: list[ApproverOut] = Field(description="Fixed at submission; never the post's authors (four-eyes).")
    reason: str
    status: StepStatus
    response_hours: int
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    approved_by: list[str] = Field(description="Who approved this step so far.")
    is_current: bool
    overdue: bool

    @staticmethod
    def resolve_id(obj: Any) -> int:
        return int(obj.step.pk)

    @staticmethod
    def resolve_position(obj: Any) -> int:
        return int(obj.step.position)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.step.name)

    @staticmethod
    def resolve_mode(obj: Any) -> str:
        return str(obj.step.mode)

    @staticmethod
    def resolve_external(obj: Any) -> bool:
        return bool(obj.step.external)

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return str(obj.step.reason)

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.step.status)

    @staticmethod
    def resolve_response_hours(obj: Any) -> int:
        return int(obj.step.response_hours)

    @staticmethod
    def resolve_started_at(obj: Any) -> dt.datetime | None:
        return obj.step.started_at  # type: ignore[no-any-return]

    @staticmethod
    def resolve_due_at(obj: Any) -> dt.datetime | None:
        return obj.step.due_at  # type: ignore[no-any-return]

    @staticmethod
    def resolve_completed_at(obj: Any) -> dt.datetime | None:
        return obj.step.completed_at  # type: ignore[no-any-return]


class ReasonOut(Schema):
    circuit: str = Field(description="The circuit's key.")
    name: str
    reason: str


class RoundOut(Schema):
    """One round of review of one revision of the post."""

    round: int
    status: RequestStatus
    post_revision: int
    reasons: list[ReasonOut] = Field(description="Why these steps: one entry per circuit that applies.")
    submitted_at: dt.datetime
    submitted_by: str | None
    closed_at: dt.datetime | None
    close_note: str
    steps: list[StepOut]

    @staticmethod
    def resolve_round(obj: Any) -> int:
        return int(obj.request.round)

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.request.status)

    @staticmethod
    def resolve_post_revision(obj: Any) -> int:
        return int(obj.request.post_revision)

    @staticmethod
    def resolve_reasons(obj: Any) -> list[dict[str, str]]:
        return obj.request.reason_list  # type: ignore[no-any-return]

    @staticmethod
    def resolve_submitted_at(obj: Any) -> dt.datetime:
        return obj.request.submitted_at  # type: ignore[no-any-return]

    @staticmethod
    def resolve_submitted_by(obj: Any) -> str | None:
        return _person(obj.request.submitted_by)

    @staticmethod
    def resolve_closed_at(obj: Any) -> dt.datetime | None:
        return obj.request.closed_at  # type: ignore[no-any-return]

    @staticmethod
    def resolve_close_note(obj: Any) -> str:
        return str(obj.request.close_note)


class ThreadEntryOut(Schema):
    id: int
    verb: str = Field(description="submit, comment, approve, request_changes, reject or withdraw.")
    author: str
    member_id: int | None
    external: bool = Field(description="Written by an external reviewer through a review link.")
    step: str | None = Field(description="The step it was about, if any.")
    comment: str
    post_revision: int
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author_label)

    @staticmethod
    def resolve_external(obj: Any) -> bool:
        return obj.external_link_id is not None

    @staticmethod
    def resolve_step(obj: Any) -> str | None:
        return None if obj.step is None else str(obj.step.name)


class LinkOut(Schema):
    """An external review link, without its token (shown once, when the link is created)."""

    id: int
    reviewer_name: str
    reviewer_email: str
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
    created_at: dt.datetime


class ReviewOut(Schema):
    """Everything the review page shows."""

    post: PostSummaryOut
    status: PostStatus
    status_note: str
    rounds: list[RoundOut] = Field(description="Oldest first.")
    thread: list[ThreadEntryOut] = Field(description="Oldest first.")
    current_step_id: int | None
    can_act: bool = Field(description="You may approve, request changes or reject the current step now.")
    why_not: str = Field(description="When you may not: why.")
    is_author: bool
    external_links: list[LinkOut]

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.post.status)

    @staticmethod
    def resolve_status_note(obj: Any) -> str:
        return str(obj.post.status_note)

    @staticmethod
    def resolve_current_step_id(obj: Any) -> int | None:
        return None if obj.current is None else int(obj.current.step.pk)

    @staticmethod
    def resolve_external_links(obj: Any) -> list[Any]:
        return list(obj.links)


class Verb(StrEnum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    COMMENT = "comment"


class ReviewIn(Schema):
    verb: Verb
    comment: str = Field("", description="Required to request changes, reject or comment.")


# --- external review links -------------------------------------------------------------------


class LinkIn(Schema):
    reviewer_name: str
    reviewer_email: str = ""
    days: int = Field(7, description="How long the link works: 1 to 30 days.")


class LinkBatchIn(LinkIn):
    post_ids: list[int] = Field(description="The posts the reviewer may see and review; nothing else.")


class LinkCreatedOut(LinkOut):
    post_ids: list[int]
    token: str = Field(description="The secret, shown in this answer only: only its hash is kept.")
    url: str = Field(description="The review page to send the reviewer.", examples=["/approvals/external/abc.../"])
    api_url: str = Field(description="The same, as JSON.", examples=["/api/v1/approvals/external/abc..."])


class ExternalThreadEntryOut(Schema):
    verb: str
    author: str
    external: bool
    comment: str
    post_revision: int
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author_label)

    @staticmethod
    def resolve_external(obj: Any) -> bool:
        return obj.external_link_id is not None


class ExternalPostOut(Schema):
    """A post as its external reviewer sees it: what it says, where and when, its review thread, and whether it is
    their turn."""

    id: int
    channel: str
    network: str
    timezone: str
    market_code: str
    status: PostStatus
    scheduled_at: dt.datetime | None
    local_date: dt.date | None
    local_time: str | None
    text: str
    link: str
    first_comment: str
    current_step: str | None = Field(description="The step in progress, if the post is in review.")
    your_turn: bool = Field(description="You may approve, request changes or reject now; you may comment anytime.")
    thread: list[ExternalThreadEntryOut] = Field(description="The post's review thread, oldest first.")

    @staticmethod
    def resolve_id(obj: Any) -> int:
        return int(obj.post.pk)

    @staticmethod
    def resolve_channel(obj: Any) -> str:
        return PostSummaryOut.resolve_channel(obj.post)

    @staticmethod
    def resolve_network(obj: Any) -> str:
        return PostSummaryOut.resolve_network(obj.post)

    @staticmethod
    def resolve_timezone(obj: Any) -> str:
        return PostSummaryOut.resolve_timezone(obj.post)

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return PostSummaryOut.resolve_market_code(obj.post)

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.post.status)

    @staticmethod
    def resolve_scheduled_at(obj: Any) -> dt.datetime | None:
        return obj.post.scheduled_at  # type: ignore[no-any-return]

    @staticmethod
    def resolve_local_date(obj: Any) -> dt.date | None:
        return PostSummaryOut.resolve_local_date(obj.post)

    @staticmethod
    def resolve_local_time(obj: Any) -> str | None:
        return PostSummaryOut.resolve_local_time(obj.post)

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return str(obj.post.text)

    @staticmethod
    def resolve_link(obj: Any) -> str:
        return str(obj.post.link)

    @staticmethod
    def resolve_first_comment(obj: Any) -> str:
        return str(obj.post.first_comment)

    @staticmethod
    def resolve_current_step(obj: Any) -> str | None:
        return None if obj.current is None else str(obj.current.name)


class ExternalReviewOut(Schema):
    reviewer_name: str
    expires_at: dt.datetime
    posts: list[ExternalPostOut]


# --- circuits and conditions -----------------------------------------------------------------


class CircuitStepOut(Schema):
    position: int
    name: str
    mode: StepMode
    role: str = Field(description="A role key, or empty.")
    team_id: int | None
    team_name: str | None
    market_id: int | None = Field(description="Where the role is looked for; null: the post's market and above.")
    market_code: str | None
    member_id: int | None
    member_name: str | None
    external: bool
    response_hours: int

    @staticmethod
    def resolve_team_name(obj: Any) -> str | None:
        return None if obj.team is None else str(obj.team.name)

    @staticmethod
    def resolve_market_code(obj: Any) -> str | None:
        return None if obj.market is None else str(obj.market.code)

    @staticmethod
    def resolve_member_name(obj: Any) -> str | None:
        return None if obj.member is None else _person(obj.member.user)


class CircuitOut(Schema):
    id: int
    key: str = Field(description="What the governance matrix names.", examples=["brand-hq"])
    name: str
    description: str
    is_active: bool
    steps: list[CircuitStepOut] = Field(description="In order.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())


class CircuitStepIn(Schema):
    """Name the approvers with a role (in ``market_id``, or in the post's market and above), a team, one member,
    or make it an external review (no member: the reviewer gets a link)."""

    name: str
    mode: StepMode = StepMode.ANY
    role: Role | None = None
    team_id: int | None = None
    market_id: int | None = None
    member_id: int | None = None
    external: bool = False
    response_hours: int = Field(24, description="The response time target: 1 hour to 30 days.")


class CircuitIn(Schema):
    """A new circuit, or (PUT) the whole of an existing one: open reviews keep the steps they had."""

    name: str
    key: str = Field("", description="Default: made from the name.")
    description: str = ""
    is_active: bool = True
    steps: list[CircuitStepIn]


class ConditionOut(Schema):
    id: int
    kind: ConditionKind
    circuit_id: int
    circuit_key: str
    network: str
    campaign_id: int | None
    dimension_id: int | None = Field(description="null: every dimension.")
    position: int

    @staticmethod
    def resolve_circuit_key(obj: Any) -> str:
        return str(obj.circuit.key)


class ConditionIn(Schema):
    kind: ConditionKind
    circuit_id: int
    network: Network | None = Field(None, description="For kind network.")
    campaign_id: int | None = Field(None, description="For kind campaign.")
    dimension_id: int | None = Field(None, description="Only posts of this dimension; null: every dimension.")


# --- crises and holding statements -----------------------------------------------------------


class CrisisOut(Schema):
    id: int
    title: str
    reason: str
    status: CrisisStatus
    org_wide: bool = Field(description="No market and no channel named: the whole organization.")
    market_ids: list[int]
    channel_ids: list[int]
    circuit_id: int | None
    declared_by: str | None
    declared_at: dt.datetime
    ended_by: str | None
    ended_at: dt.datetime | None
    summary: str = Field(description="Lessons learned, written when the crisis ends.")

    @staticmethod
    def resolve_market_ids(obj: Any) -> list[int]:
        return sorted(m.pk for m in obj.markets.all())

    @staticmethod
    def resolve_channel_ids(obj: Any) -> list[int]:
        return sorted(c.pk for c in obj.channels.all())

    @staticmethod
    def resolve_org_wide(obj: Any) -> bool:
        return not obj.markets.all() and not obj.channels.all()

    @staticmethod
    def resolve_declared_by(obj: Any) -> str | None:
        return _person(obj.declared_by)

    @staticmethod
    def resolve_ended_by(obj: Any) -> str | None:
        return _person(obj.ended_by)


class CrisisIn(Schema):
    """No market and no channel: the whole organization (org admins)."""

    title: str
    reason: str
    market_ids: list[int] = Field(default_factory=list, description="These markets and the markets below them.")
    channel_ids: list[int] = Field(default_factory=list)
    circuit_id: int | None = Field(None, description="The circuit new posts in scope follow.")


class CrisisDeclaredOut(Schema):
    crisis: CrisisOut
    held_post_ids: list[int] = Field(description="The posts put on hold, in the same transaction.")


class CrisisEventOut(Schema):
    id: int
    kind: CrisisEventKind
    post_id: int | None
    actor: str
    detail: str
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)


class CrisisReportOut(Schema):
    """The after-action report: the timeline and what it adds up to."""

    events: list[CrisisEventOut]
    counts: dict[str, int] = Field(description="Events per kind, every kind present.")
    duration_seconds: int | None = Field(description="Declared to ended (to now while active).")
    first_statement_after_seconds: int | None = Field(description="Declared to the first holding statement.")
    still_on_hold: list[int] = Field(description="Ids of the posts it holds still.")

    @staticmethod
    def resolve_duration_seconds(obj: Any) -> int | None:
        return _seconds(obj.duration)

    @staticmethod
    def resolve_first_statement_after_seconds(obj: Any) -> int | None:
        return _seconds(obj.first_statement_after)

    @staticmethod
    def resolve_still_on_hold(obj: Any) -> list[int]:
        return [p.pk for p in obj.still_on_hold]


class CrisisDetailOut(Schema):
    crisis: CrisisOut
    report: CrisisReportOut


class RescheduleIn(Schema):
    scheduled_at: OffsetDatetime | None = Field(
        None, description="ISO 8601 with its offset. Or send local_date and local_time instead."
    )
    local_date: dt.date | None = Field(None, description="With local_time: on the channel's wall clock.")
    local_time: dt.time | None = Field(None, examples=["09:00"])


class NoteIn(Schema):
    text: str


class PublishIn(Schema):
    channel_ids: list[int]


class EndIn(Schema):
    summary: str = Field("", description="Lessons learned.")


class StatementOut(Schema):
    id: int
    title: str
    language: str
    text: str
    dimension_id: int
    master_id: int | None = Field(description="The content its posts come from.")
    approved_by: str | None
    approved_at: dt.datetime
    is_active: bool

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return _person(obj.approved_by)


class StatementIn(Schema):
    """Writing a statement pre-approves it: only members approving content at Global may."""

    title: str
    language: str = Field(description="BCP 47 tag.", examples=["de"])
    text: str
    dimension_id: int


# --- notifications and the post state machine ------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: str = Field(examples=["review_requested", "changes_requested", "approved", "rejected", "comment"])
    message: str
    url: str
    post_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationQuery(Schema):
    unread: bool = False
    limit: int = Field(50, ge=1, le=500)


class NotificationListOut(Schema):
    items: list[NotificationOut] = Field(description="Newest first.")
    unread_count: int


class MarkReadIn(Schema):
    ids: list[int] | None = Field(None, description="Default: all your unread notifications.")


class MarkReadOut(Schema):
    marked: int
    unread_count: int


class PostStateOut(Schema):
    label: str
    allowed: list[PostStatus] = Field(description="The statuses it may move to; empty: final.")
