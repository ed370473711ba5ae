"""Every read of the strategy domain, scoped to the acting member."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.core.errors import NotFound
from harmonie.governance.models import Channel, Dimension, Market, RoleAssignment
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.selectors import channel_list, market_list
from harmonie.strategy.charter.engine import Finding, LintContext, RuleSpec, lint
from harmonie.strategy.knowledge import DEFAULT_FORMAT, DEFAULT_MINUTES
from harmonie.strategy.models import (
    KPI,
    Audience,
    BrandPlatform,
    CadenceTarget,
    CharterRule,
    ContentPillar,
    FormatEffort,
    KeyMessage,
    KeyMessageAdaptation,
    Objective,
    StrategyPolicy,
)


def _market_and_ancestors_q(actor: Actor, perm: Perm, path_field: str, id_field: str) -> Q:
    """Rows of markets in scope, or of a market above the scope (Global's objectives apply everywhere)."""
    ancestor_ids: set[int] = set()
    for path in actor.scope_paths(perm):
        ancestor_ids.update(int(p) for p in path.strip("/").split("/") if p)
    return actor.market_q(perm, path_field) | Q(**{f"{id_field}__in": ancestor_ids})


def strategy_policy(*, actor: Actor) -> StrategyPolicy:
    actor.require(Perm.STRATEGY_VIEW)
    policy = StrategyPolicy.objects.filter(organization=actor.organization).first()
    return policy or StrategyPolicy(organization=actor.organization, objectives_first=True)


def objective_list(*, actor: Actor, market_pk: int | None = None, status: str | None = None) -> QuerySet[Objective]:
    actor.require(Perm.STRATEGY_VIEW)
    qs = Objective.objects.filter(organization=actor.organization).filter(
        _market_and_ancestors_q(actor, Perm.STRATEGY_VIEW, "market__path", "market_id")
    )
    if market_pk is not None:
        qs = qs.filter(market_id=market_pk)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("market", "audience").prefetch_related(
        Prefetch("kpis", queryset=KPI.objects.order_by("metric")),
        Prefetch("channels", queryset=Channel.objects.order_by("network", "handle")),
    )


def objective_get(*, actor: Actor, pk: int) -> Objective:
    objective = objective_list(actor=actor).filter(pk=pk).first()
    if objective is None:
        raise NotFound(_("No such objective."))
    return objective


def kpi_get(*, actor: Actor, pk: int) -> KPI:
    kpi = (
        KPI.objects.filter(pk=pk, objective__in=objective_list(actor=actor)).select_related("objective__market").first()
    )
    if kpi is None:
        raise NotFound(_("No such KPI."))
    return kpi


def audience_list(*, actor: Actor) -> QuerySet[Audience]:
    actor.require(Perm.STRATEGY_VIEW)
    in_scope = Audience.objects.filter(organization=actor.organization).filter(
        Q(markets__isnull=True) | actor.market_q(Perm.STRATEGY_VIEW, "markets__path")
    )
    return Audience.objects.filter(pk__in=in_scope.values("pk")).prefetch_related("markets")


def audience_get(*, actor: Actor, pk: int) -> Audience:
    audience = audience_list(actor=actor).filter(pk=pk).first()
    if audience is None:
        raise NotFound(_("No such audience."))
    return audience


@dataclass
class BrandView:
    platform: BrandPlatform
    key_messages: list[KeyMessage]
    pillars: list[ContentPillar]


def brand_view(*, actor: Actor) -> BrandView:
    """The brand platform with key messages (and the adaptations of markets in scope) and pillars."""
    actor.require(Perm.STRATEGY_VIEW)
    platform = BrandPlatform.objects.filter(organization=actor.organization).first() or BrandPlatform(
        organization=actor.organization
    )
    adaptations = KeyMessageAdaptation.objects.filter(
        actor.market_q(Perm.STRATEGY_VIEW, "market__path")
    ).select_related("market")
    messages = list(
        KeyMessage.objects.filter(organization=actor.organization).prefetch_related(
            Prefetch("adaptations", queryset=adaptations)
        )
    )
    pillars = list(ContentPillar.objects.filter(organization=actor.organization))
    return BrandView(platform=platform, key_messages=messages, pillars=pillars)


def key_message_get(*, actor: Actor, pk: int) -> KeyMessage:
    actor.require(Perm.STRATEGY_VIEW)
    message = KeyMessage.objects.filter(organization=actor.organization, pk=pk).first()
    if message is None:
        raise NotFound(_("No such key message."))
    return message


def charter_rule_list(*, actor: Actor, market_pk: int | None = None) -> QuerySet[CharterRule]:
    actor.require(Perm.STRATEGY_VIEW)
    qs = CharterRule.objects.filter(organization=actor.organization).filter(
        _market_and_ancestors_q(actor, Perm.STRATEGY_VIEW, "market__path", "market_id")
    )
    if market_pk is not None:
        qs = qs.filter(market_id=market_pk)
    return qs.select_related("market", "dimension")


def charter_rule_get(*, actor: Actor, pk: int) -> CharterRule:
    rule = charter_rule_list(actor=actor).filter(pk=pk).first()
    if rule is None:
        raise NotFound(_("No such charter rule."))
    return rule


def applicable_rules(
    *, organization_id: int, market: Market, network: str | None, dimension: Dimension | None
) -> list[CharterRule]:
    """Active rules of the market and the markets above it, for this network and dimension."""
    qs = CharterRule.objects.filter(
        organization_id=organization_id, is_active=True, market_id__in=market.ancestor_ids()
    ).filter(Q(dimension__isnull=True) | Q(dimension=dimension) if dimension else Q(dimension__isnull=True))
    qs = qs.filter(Q(network="") | Q(network=network)) if network else qs.filter(network="")
    return list(qs.select_related("market", "dimension").order_by("market__path", "id"))


@dataclass(frozen=True)
class LintResult:
    findings: list[Finding]
    rules: dict[int, CharterRule]
    blocking: bool


def charter_lint(
    *,
    actor: Actor,
    text: str,
    market: Market,
    channel: Channel | None = None,
    dimension: Dimension | None = None,
    at: dt.datetime | None = None,
    language: str | None = None,
) -> LintResult:
    """Check ``text`` against every charter rule that applies in ``market`` (and above), for the
    channel's network and the dimension. The market's main language is used unless one is given."""
    actor.require(Perm.STRATEGY_VIEW, market)
    if channel is not None and channel.organization_id != actor.organization_id:
        raise NotFound(_("No such channel."))
    rules = applicable_rules(
        organization_id=actor.organization_id,
        market=market,
        network=channel.network if channel else None,
        dimension=dimension,
    )
    specs = [
        RuleSpec(id=r.pk, kind=r.kind, severity=r.severity, params=r.params, name=r.name, rationale=r.rationale)
        for r in rules
    ]
    context = LintContext(
        language=language or (market.languages[0] if market.languages else None),
        network=channel.network if channel else None,
        dimension=dimension.key if dimension else None,
        at=at or timezone.now(),
    )
    findings = lint(text=text, rules=specs, context=context)
    return LintResult(
        findings=findings,
        rules={r.pk: r for r in rules},
        blocking=any(f.severity == "block" for f in findings),
    )


@dataclass
class ChannelLoad:
    channel: Channel
    posts_per_week: Decimal
    main_format: str
    minutes_per_post: int
    hours_per_week: Decimal
    has_target: bool


@dataclass
class MarketLoad:
    market: Market
    channels: list[ChannelLoad] = field(default_factory=list)
    required_hours: Decimal = Decimal(0)
    available_hours: Decimal = Decimal(0)
    members: int = 0

    @property
    def overloaded(self) -> bool:
        return self.required_hours > self.available_hours

    @property
    def load_percent(self) -> int:
        if self.available_hours == 0:
            return 999 if self.required_hours > 0 else 0
        return int((self.required_hours / self.available_hours * 100).to_integral_value())


def format_efforts(*, actor: Actor) -> dict[str, int]:
    """Minutes per post of each format: the organization's own, else the default (as ``resource_plan`` counts)."""
    actor.require(Perm.STRATEGY_VIEW)
    own = dict(FormatEffort.objects.filter(organization=actor.organization).values_list("format", "minutes_per_post"))
    return {fmt: own.get(fmt, minutes) for fmt, minutes in DEFAULT_MINUTES.items()}


CREATING_ROLES = ("org_admin", "market_lead", "community_manager", "contributor")


def resource_plan(*, actor: Actor) -> list[MarketLoad]:
    """Required hours (cadence × minutes per post of the channel's main format) against available
    hours (weekly hours of members holding a content role in that very market), per market."""
    actor.require(Perm.STRATEGY_VIEW)
    markets = list(market_list(actor=actor))
    loads = {m.pk: MarketLoad(market=m) for m in markets}
    efforts = dict(
        FormatEffort.objects.filter(organization=actor.organization).values_list("format", "minutes_per_post")
    )
    targets = {t.channel_id: t for t in CadenceTarget.objects.filter(channel__organization=actor.organization)}
    for channel in channel_list(actor=actor).filter(is_active=True):
        load = loads.get(channel.owner_market_id)
        if load is None:
            continue
        target = targets.get(channel.pk)
        fmt = target.main_format if target else DEFAULT_FORMAT.get(channel.network, "text")
        minutes = efforts.get(fmt, DEFAULT_MINUTES[fmt])
        per_week = target.posts_per_week if target else Decimal(0)
        hours = (per_week * minutes / Decimal(60)).quantize(Decimal("0.1"))
        load.channels.append(ChannelLoad(channel, per_week, fmt, minutes, hours, target is not None))
        load.required_hours += hours
    hours_by_member: dict[int, Decimal] = {}
    market_members: dict[int, set[int]] = defaultdict(set)
    for assignment in RoleAssignment.objects.filter(
        member__organization=actor.organization, member__is_active=True, role__in=CREATING_ROLES,
        market_id__in=loads.keys(),
    ).select_related("member"):  # fmt: skip
        market_members[assignment.market_id].add(assignment.member_id)
        hours_by_member[assignment.member_id] = assignment.member.weekly_hours
    for market_id, member_ids in market_members.items():
        loads[market_id].members = len(member_ids)
        loads[market_id].available_hours = sum((hours_by_member[m] for m in member_ids), Decimal(0))
    return [loads[m.pk] for m in markets if loads[m.pk].channels or loads[m.pk].members]
