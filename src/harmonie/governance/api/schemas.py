"""Input and output schemas of the governance API. Dates are ISO 8601; datetimes are aware, in UTC."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import AwareDatetime

from harmonie.governance.models import (
    Creators,
    GovernancePreset,
    LocalVariants,
    MarketKind,
    Network,
    Ownership,
    Role,
    TeamKind,
)


def _code(market: Any) -> str | None:
    return market.code if market is not None else None


# --- markets and teams -----------------------------------------------------------------------


class MarketOut(Schema):
    id: int
    code: str = Field(examples=["FR"])
    name: str
    kind: MarketKind
    parent_id: int | None = Field(description="None for Global, the root of the tree.")
    depth: int = Field(description="0 for Global, 1 for its children, and so on.")
    languages: list[str] = Field(description="BCP 47 tags, the main one first.", examples=[["fr-FR"]])
    timezone: str = Field(description="IANA time zone.", examples=["Europe/Paris"])
    currency: str = Field(description="ISO 4217 code.", examples=["EUR"])
    created_at: dt.datetime
    updated_at: dt.datetime


class MarketCreateIn(Schema):
    parent_id: int
    kind: MarketKind
    code: str
    name: str
    languages: list[str]
    timezone: str
    currency: str


class MarketUpdateIn(Schema):
    """Only the fields sent are changed. Moving a market (``parent_id``) needs markets.manage at Global."""

    name: str | None = None
    code: str | None = None
    languages: list[str] | None = None
    timezone: str | None = None
    currency: str | None = None
    parent_id: int | None = None


class TeamOut(Schema):
    id: int
    name: str
    kind: TeamKind
    market_id: int | None
    market_code: str | None
    description: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_market_code(obj: Any) -> str | None:
        return _code(obj.market)


class TeamIn(Schema):
    name: str
    kind: TeamKind
    market_id: int | None = Field(None, description="Required for a market team.")
    description: str = ""


class TeamUpdateIn(Schema):
    """Only the fields sent are changed; send ``market_id: null`` to detach the team from its market."""

    name: str | None = None
    kind: TeamKind | None = None
    market_id: int | None = None
    description: str | None = None


# --- members, roles, invitations -------------------------------------------------------------


class RoleOut(Schema):
    id: int
    role: Role
    market_id: int
    market_code: str

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return str(obj.market.code)


class MemberOut(Schema):
    id: int
    user_id: int
    email: str
    first_name: str
    last_name: str
    team_id: int | None
    team_name: str | None
    is_active: bool
    weekly_hours: Decimal = Field(description="Hours per week spent on social media.")
    roles: list[RoleOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.user.email)

    @staticmethod
    def resolve_first_name(obj: Any) -> str:
        return str(obj.user.first_name)

    @staticmethod
    def resolve_last_name(obj: Any) -> str:
        return str(obj.user.last_name)

    @staticmethod
    def resolve_team_name(obj: Any) -> str | None:
        return obj.team.name if obj.team is not None else None

    @staticmethod
    def resolve_roles(obj: Any) -> list[Any]:
        return list(obj.roles.all())


class MemberUpdateIn(Schema):
    """Only the fields sent are changed; send ``team_id: null`` to take the member out of their team."""

    team_id: int | None = None
    is_active: bool | None = None
    weekly_hours: Decimal | None = Field(None, description="0 to 80.")


class RoleIn(Schema):
    role: Role
    market_id: int


class InvitationOut(Schema):
    id: int
    email: str
    role: Role
    market_id: int
    market_code: str
    team_id: int | None
    invited_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    accepted_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return str(obj.market.code)

    @staticmethod
    def resolve_invited_by(obj: Any) -> str:
        return str(obj.invited_by.email)


class InvitationCreatedOut(InvitationOut):
    token: str = Field(description="The one-time invitation token. Shown once; only its hash is stored.")
    accept_url: str = Field(description="The link the invitee opens (also sent by e-mail).")


class InvitationIn(Schema):
    email: str
    role: Role
    market_id: int
    team_id: int | None = None


# --- dimensions and the governance matrix ----------------------------------------------------


class DimensionOut(Schema):
    id: int
    key: str
    name: str
    description: str
    is_builtin: bool
    position: int


class DimensionIn(Schema):
    name: str
    key: str = Field("", description="A slug; made from the name when empty.")
    description: str = ""


class DimensionUpdateIn(Schema):
    name: str | None = None
    description: str | None = None


class MatrixMarketOut(Schema):
    id: int
    code: str
    name: str
    kind: MarketKind
    parent_id: int | None
    depth: int


class CellOut(Schema):
    dimension_id: int
    market_id: int | None = Field(description="None: the dimension's default (the Global column).")
    market_code: str | None
    ownership: Ownership
    creators: Creators
    local_variants: LocalVariants
    cross_market_visibility: bool
    approval_circuit: str
    overridden: bool = Field(description="True when the rule is this cell's own (always for the default).")
    source_market_id: int | None = Field(
        description="For an inherited cell: the market whose override applies; None when it is the default."
    )
    source_market_code: str | None


class MatrixRowOut(Schema):
    dimension: DimensionOut
    cells: list[CellOut]


class MatrixOut(Schema):
    preset: GovernancePreset
    markets: list[MatrixMarketOut] = Field(description="Global first, then each visible market in tree order.")
    rows: list[MatrixRowOut]


class CellIn(Schema):
    ownership: Ownership
    creators: Creators
    local_variants: LocalVariants
    cross_market_visibility: bool = False
    approval_circuit: str = ""


class PresetIn(Schema):
    preset: GovernancePreset


class PresetOut(Schema):
    preset: GovernancePreset
    changed_cells: int = Field(description="How many dimension defaults changed (market overrides are all removed).")


class DecisionOut(Schema):
    allowed: bool
    reason: str


class CheckOut(Schema):
    dimension_id: int
    dimension_key: str
    market_id: int
    market_code: str
    create: DecisionOut
    localize: DecisionOut
    read_content: DecisionOut


class CheckQuery(Schema):
    dimension_id: int | None = None
    dimension_key: str | None = Field(None, description="Instead of dimension_id, e.g. product.")
    market_id: int | None = None
    market_code: str | None = Field(None, description="Instead of market_id, e.g. DE.")


# --- channels and budgets --------------------------------------------------------------------


class ChannelOut(Schema):
    id: int
    network: Network
    handle: str
    display_name: str
    owner_market_id: int
    owner_market_code: str
    served_market_ids: list[int]
    timezone: str
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner_market_code(obj: Any) -> str:
        return str(obj.owner_market.code)

    @staticmethod
    def resolve_served_market_ids(obj: Any) -> list[int]:
        return sorted(m.pk for m in obj.served_markets.all())


class ChannelIn(Schema):
    network: Network
    handle: str
    display_name: str = ""
    owner_market_id: int
    served_market_ids: list[int] = Field(default_factory=list, description="Empty: the owner market only.")
    timezone: str = Field("", description="IANA time zone; empty: the owner market's.")


class ChannelUpdateIn(Schema):
    display_name: str | None = None
    served_market_ids: list[int] | None = None
    timezone: str | None = None
    is_active: bool | None = None


class ChannelQuery(Schema):
    market_id: int | None = Field(None, description="Channels owned by or serving this market.")
    network: Network | None = None


class BudgetOut(Schema):
    id: int
    market_id: int
    market_code: str
    dimension_id: int
    dimension_key: str
    period_start: dt.date
    period_end: dt.date
    planned_amount: Decimal
    currency: str
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return str(obj.market.code)

    @staticmethod
    def resolve_dimension_key(obj: Any) -> str:
        return str(obj.dimension.key)


class BudgetIn(Schema):
    market_id: int
    dimension_id: int
    period_start: dt.date
    period_end: dt.date
    planned_amount: Decimal
    currency: str = Field("", description="ISO 4217; empty: the market's currency.")
    notes: str = ""


class BudgetUpdateIn(Schema):
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    planned_amount: Decimal | None = None
    currency: str | None = None
    notes: str | None = None


class BudgetQuery(Schema):
    year: int | None = Field(None, ge=1900, le=9999, description="Budgets whose period touches this year.")
    market_id: int | None = None
    dimension_id: int | None = None


# --- audit log -------------------------------------------------------------------------------


class AuditEntryOut(Schema):
    id: int
    created_at: dt.datetime
    actor_id: int | None
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    market_id: int | None
    market_code: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @staticmethod
    def resolve_market_code(obj: Any) -> str | None:
        return _code(obj.market)


class AuditQuery(Schema):
    action: str | None = Field(None, description="Prefix match: 'budget' finds budget.create, budget.update…")
    target_type: str | None = Field(None, examples=["governance.budget"])
    since: AwareDatetime | None = Field(None, description="Inclusive, ISO 8601 with a time zone.")
    until: AwareDatetime | None = Field(None, description="Exclusive, ISO 8601 with a time zone.")
