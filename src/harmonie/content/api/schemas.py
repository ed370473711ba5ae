"""Input and output schemas of the content API. Dates are ISO 8601; datetimes are aware (UTC out, with an offset
in); a post's local date and time are on its channel's wall clock."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from harmonie.content import selectors
from harmonie.content.models import CampaignStatus, ContentKind, LocalizationState, MediaKind, PostStatus
from harmonie.content.timeutils import utc_to_local

# --- datetimes with an offset ----------------------------------------------------------------

# In a query string an unencoded "+" arrives as a space: "2027-03-22T09:00:00 01:00". Read it as the "+" it was.
_SPACED_OFFSET = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


def _restore_plus(value: Any) -> Any:
    if isinstance(value, str):
        return _SPACED_OFFSET.sub(r"\1+\2", value.strip())
    return value


def _require_offset(value: dt.datetime) -> dt.datetime:
    if value.utcoffset() is None:
        raise PydanticCustomError(
            "naive_datetime",
            "add the time zone offset, e.g. 2027-03-22T09:00:00+01:00 or 2027-03-22T08:00:00Z "
            "(a time without an offset is ambiguous), or send local_date and local_time on the channel's clock",
        )
    return value


OffsetDatetime = Annotated[dt.datetime, BeforeValidator(_restore_plus), AfterValidator(_require_offset)]


def _ids(manager: Any) -> list[int]:
    return sorted(obj.pk for obj in manager.all())


# --- campaigns -------------------------------------------------------------------------------


class LaunchOut(Schema):
    market_id: int
    market_code: str
    launch_date: dt.date

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return str(obj.market.code)


class CampaignOut(Schema):
    id: int
    name: str
    description: str
    dimension_id: int
    dimension_key: str
    objective_ids: list[int]
    budget_id: int | None
    status: CampaignStatus
    launches: list[LaunchOut] = Field(description="One launch date per market, earliest first.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_dimension_key(obj: Any) -> str:
        return str(obj.dimension.key)

    @staticmethod
    def resolve_objective_ids(obj: Any) -> list[int]:
        return _ids(obj.objectives)

    @staticmethod
    def resolve_launches(obj: Any) -> list[Any]:
        return list(obj.launches.all())


class LaunchIn(Schema):
    market_id: int
    launch_date: dt.date


class CampaignIn(Schema):
    name: str
    dimension_id: int
    description: str = ""
    objective_ids: list[int] = Field(default_factory=list)
    budget_id: int | None = None
    status: CampaignStatus = CampaignStatus.PLANNED
    launches: list[LaunchIn] = Field(default_factory=list)


class CampaignUpdateIn(Schema):
    """Only the fields sent are changed; send ``budget_id: null`` to take the campaign off its budget line.
    Launch dates are set one market at a time (``PUT /campaigns/{id}/launches/{market_id}``)."""

    name: str | None = None
    dimension_id: int | None = None
    description: str | None = None
    objective_ids: list[int] | None = None
    budget_id: int | None = None
    status: CampaignStatus | None = None


class LaunchSetIn(Schema):
    launch_date: dt.date | None = Field(description="null removes the market's launch date.")


# --- master and local content, localizations -------------------------------------------------


class MasterOut(Schema):
    id: int
    kind: ContentKind = Field(description="master: to be localized per market; local: a market's own content.")
    market_id: int
    market_code: str
    campaign_id: int | None
    dimension_id: int
    dimension_key: str
    pillar_id: int | None
    title: str
    body: str
    source_language: str
    key_message_ids: list[int]
    media_ids: list[int]
    version: int = Field(description="Goes up by one each time the title or text changes.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return str(obj.market.code)

    @staticmethod
    def resolve_dimension_key(obj: Any) -> str:
        return str(obj.dimension.key)

    @staticmethod
    def resolve_key_message_ids(obj: Any) -> list[int]:
        return _ids(obj.key_messages)

    @staticmethod
    def resolve_media_ids(obj: Any) -> list[int]:
        return _ids(obj.media)


class MasterIn(Schema):
    kind: ContentKind = ContentKind.MASTER
    market_id: int = Field(description="Global (or a region) for master content; the market for local content.")
    dimension_id: int
    title: str
    body: str
    source_language: str = Field(description="BCP 47 tag.", examples=["en"])
    campaign_id: int | None = None
    pillar_id: int | None = None
    key_message_ids: list[int] = Field(default_factory=list)
    media_ids: list[int] = Field(default_factory=list)


class MasterUpdateIn(Schema):
    """Only the fields sent are changed; send ``campaign_id``/``pillar_id: null`` to clear them. A new title or
    text makes a new version: adapted localizations made on an older one become outdated."""

    title: str | None = None
    body: str | None = None
    campaign_id: int | None = None
    pillar_id: int | None = None
    key_message_ids: list[int] | None = None
    media_ids: list[int] | None = None


class MasterQuery(Schema):
    campaign_id: int | None = None
    kind: ContentKind | None = None


class DiffPartOut(Schema):
    op: str = Field(description="equal, insert or delete.")
    text: str


class LocalizationOut(Schema):
    id: int
    master_id: int
    market_id: int
    market_code: str
    language: str
    state: LocalizationState
    title: str
    body: str = Field(description="The local text when adapted; empty when adopted (the master's text applies).")
    decline_reason: str
    based_on_version: int
    master_version: int
    outdated: bool = Field(description="Adapted on an older version of the master (an adopted one follows it).")
    master_changes: list[DiffPartOut] | None = Field(
        description="When outdated: the master's title and text, word by word, from based_on_version to now."
    )
    updated_at: dt.datetime

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return str(obj.market.code)

    @staticmethod
    def resolve_master_version(obj: Any) -> int:
        return int(obj.master.version)

    @staticmethod
    def resolve_outdated(obj: Any) -> bool:
        return selectors.is_outdated(obj)

    @staticmethod
    def resolve_master_changes(obj: Any) -> list[Any] | None:
        change = selectors.localization_master_change(localization=obj)
        return None if change is None else list(change.parts)


class LocalizationRequestIn(Schema):
    market_id: int
    language: str = Field(description="One of the market's languages (BCP 47).", examples=["fr-FR"])


class AdaptIn(Schema):
    title: str = ""
    body: str


class DeclineIn(Schema):
    reason: str


# --- posts -----------------------------------------------------------------------------------


class PostOut(Schema):
    id: int
    channel_id: int
    channel: str = Field(description="network:handle, as in the CSV.", examples=["linkedin:vireo-france"])
    network: str
    timezone: str = Field(description="The channel's time zone: local_date and local_time are on its clock.")
    market_id: int
    market_code: str
    master_id: int
    localization_id: int | None
    campaign_id: int | None
    dimension_id: int
    status: PostStatus
    scheduled_at: dt.datetime | None = Field(description="UTC.")
    local_date: dt.date | None
    local_time: str | None = Field(examples=["09:00"])
    text: str
    link: str
    first_comment: str
    utm: dict[str, str]
    media_ids: list[int]
    created_at: dt.datetime
    updated_at: dt.datetime

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
    def resolve_campaign_id(obj: Any) -> int | None:
        return obj.master.campaign_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_dimension_id(obj: Any) -> int:
        return int(obj.master.dimension_id)

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

    @staticmethod
    def resolve_media_ids(obj: Any) -> list[int]:
        return _ids(obj.media)


class WhenIn(Schema):
    scheduled_at: OffsetDatetime | None = Field(
        None, description="ISO 8601 with its offset. Or send local_date and local_time instead."
    )
    local_date: dt.date | None = Field(None, description="With local_time: on the channel's wall clock.")
    local_time: dt.time | None = Field(None, examples=["09:00"])


class PostIn(WhenIn):
    """From an adopted or adapted localization (``localization_id``) or from local content (``master_id`` of
    content of kind ``local``). Without a time the post is a draft; with one it is scheduled at once."""

    channel_id: int
    localization_id: int | None = None
    master_id: int | None = Field(None, description="Local content only; master content goes through a localization.")
    text: str | None = Field(None, description="Default: the source's text.")
    link: str = ""
    first_comment: str = ""
    utm: dict[str, str] = Field(default_factory=dict, examples=[{"utm_campaign": "coat-x"}])
    media_ids: list[int] | None = Field(None, description="Default: the source's media.")


class PostUpdateIn(Schema):
    """Only the fields sent are changed. A scheduled post is checked again for its time."""

    text: str | None = None
    link: str | None = None
    first_comment: str | None = None
    utm: dict[str, str] | None = None
    media_ids: list[int] | None = None


class ScheduleIn(WhenIn):
    """Schedule a draft, or move a scheduled post: every scheduling check runs again."""


class PostQuery(Schema):
    market_id: int | None = None
    channel_id: int | None = None
    campaign_id: int | None = None
    dimension_id: int | None = None
    status: PostStatus | None = None
    from_: OffsetDatetime | None = Field(None, alias="from", description="Scheduled at or after (with an offset).")
    to: OffsetDatetime | None = Field(None, description="Scheduled before (exclusive, with an offset).")


class CheckIn(Schema):
    channel_id: int
    text: str
    link: str = ""
    first_comment: str = ""
    media_ids: list[int] = Field(default_factory=list)


class ProblemOut(Schema):
    code: str
    field: str
    message: str


class CheckOut(Schema):
    network: str
    label: str
    count: int = Field(description="The text's length as the network counts it (the link included where it goes).")
    limit: int
    unit: str = Field(description="graphemes, weighted, chars, utf16, bytes or emoji_bytes.")
    link_added: bool = Field(description="The link is appended to the text on this network (and counted).")
    ok: bool
    problems: list[ProblemOut]


# --- media -----------------------------------------------------------------------------------


class MediaOut(Schema):
    id: int
    kind: MediaKind
    title: str
    original_name: str
    mime_type: str
    size_bytes: int
    width: int | None
    height: int | None
    duration_seconds: float | None
    alt_text: str
    tags: list[str]
    rights_holder: str
    rights_expire_at: dt.datetime | None
    owner_market_id: int
    owner_market_code: str
    allowed_market_ids: list[int] = Field(description="Empty: every market.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner_market_code(obj: Any) -> str:
        return str(obj.owner_market.code)

    @staticmethod
    def resolve_allowed_market_ids(obj: Any) -> list[int]:
        return _ids(obj.allowed_markets)

    @staticmethod
    def resolve_duration_seconds(obj: Any) -> float | None:
        return None if obj.duration_seconds is None else float(obj.duration_seconds)


class MediaQuery(Schema):
    tag: str | None = None
    kind: MediaKind | None = None
