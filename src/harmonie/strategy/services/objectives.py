"""Objectives, KPIs, audiences, and the objectives-first policy."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, ValidationFailed
from harmonie.governance.models import Channel, Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy.knowledge import metrics
from harmonie.strategy.models import (
    KPI,
    AgeBand,
    Approach,
    Audience,
    AudienceKind,
    Objective,
    ObjectiveStatus,
    ObjectiveType,
    RelationMode,
    StrategyPolicy,
    Voice,
)

OBJECTIVE_FIELDS = [
    "name", "type", "market", "period_start", "period_end", "audience", "relation_mode", "approach", "voice", "status",
]  # fmt: skip
KPI_FIELDS = ["metric", "baseline", "target", "period_start", "period_end", "note"]
AUDIENCE_FIELDS = ["name", "kind", "age_band", "description", "relation_mode", "approach", "voice"]


def _choice(value: str, choices: type, field: str, *, blank: bool = False) -> str:
    if blank and not value:
        return ""
    if value not in choices.values:  # type: ignore[attr-defined]
        allowed = ", ".join(choices.values)  # type: ignore[attr-defined]
        raise ValidationFailed(_("Choose one of: %(allowed)s.") % {"allowed": allowed}, field=field)
    return value


def _period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationFailed(_("The period ends before it starts: check the dates."), field="period_end")


def _channel_serves(channel: Channel, market: Market) -> bool:
    if channel.owner_market.path.startswith(market.path):
        return True
    return any(m.path.startswith(market.path) for m in channel.served_markets.all())


def _clean_objective(
    *, actor: Actor, market: Market, name: str, type: str, period_start: dt.date, period_end: dt.date,
    audience: Audience | None, channels: Sequence[Channel], relation_mode: str, approach: str, voice: str, status: str,
) -> dict[str, object]:  # fmt: skip
    actor.require(Perm.STRATEGY_MANAGE, market)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the objective a name."), field="name")
    _choice(type, ObjectiveType, "type")
    _period(period_start, period_end)
    if audience is not None and audience.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose an audience of this organization."), field="audience")
    for channel in channels:
        if channel.organization_id != actor.organization_id or not _channel_serves(channel, market):
            raise ValidationFailed(
                _("%(channel)s does not serve %(market)s: choose channels of this market.")
                % {"channel": channel, "market": market.name},
                field="channels",
            )
    return {
        "name": name,
        "type": type,
        "period_start": period_start,
        "period_end": period_end,
        "audience": audience,
        "relation_mode": _choice(relation_mode, RelationMode, "relation_mode", blank=True),
        "approach": _choice(approach, Approach, "approach", blank=True),
        "voice": _choice(voice, Voice, "voice", blank=True),
        "status": _choice(status, ObjectiveStatus, "status"),
    }


def _objective_snapshot(objective: Objective) -> dict[str, object]:
    return snapshot(objective, OBJECTIVE_FIELDS) | {"channels": sorted(objective.channels.values_list("pk", flat=True))}


@transaction.atomic
def objective_create(
    *,
    actor: Actor,
    market: Market,
    name: str,
    type: str,
    period_start: dt.date,
    period_end: dt.date,
    description: str = "",
    audience: Audience | None = None,
    channels: Sequence[Channel] = (),
    relation_mode: str = "",
    approach: str = "",
    voice: str = "",
    status: str = ObjectiveStatus.ACTIVE,
) -> Objective:
    data = _clean_objective(
        actor=actor, market=market, name=name, type=type, period_start=period_start, period_end=period_end,
        audience=audience, channels=channels, relation_mode=relation_mode, approach=approach, voice=voice,
        status=status,
    )  # fmt: skip
    objective = Objective.objects.create(
        organization=actor.organization, market=market, description=description.strip(), created_by=actor.user,
        **data,
    )  # fmt: skip
    objective.channels.set(channels)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="objective.create", target=objective,
        after=_objective_snapshot(objective), market_id=market.pk,
    )  # fmt: skip
    return objective


@transaction.atomic
def objective_update(
    *,
    actor: Actor,
    objective: Objective,
    name: str,
    type: str,
    period_start: dt.date,
    period_end: dt.date,
    description: str = "",
    audience: Audience | None = None,
    channels: Sequence[Channel] = (),
    relation_mode: str = "",
    approach: str = "",
    voice: str = "",
    status: str = ObjectiveStatus.ACTIVE,
) -> Objective:
    before = _objective_snapshot(objective)
    data = _clean_objective(
        actor=actor, market=objective.market, name=name, type=type, period_start=period_start,
        period_end=period_end, audience=audience, channels=channels, relation_mode=relation_mode,
        approach=approach, voice=voice, status=status,
    )  # fmt: skip
    for key, value in data.items():
        setattr(objective, key, value)
    objective.description = description.strip()
    objective.save()
    objective.channels.set(channels)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="objective.update", target=objective,
        before=before, after=_objective_snapshot(objective), market_id=objective.market_id,
    )  # fmt: skip
    return objective


def _decimal(value: object, field: str, *, optional: bool = False) -> Decimal | None:
    if optional and (value is None or value == ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.0001"))
    except InvalidOperation as exc:
        raise ValidationFailed(_("Give a number, e.g. 12.5."), field=field) from exc


def _clean_kpi(
    *, objective: Objective, metric: str, target: object, baseline: object, period_start: dt.date | None,
    period_end: dt.date | None,
) -> dict[str, object]:  # fmt: skip
    dictionary = metrics()
    if metric not in dictionary:
        raise ValidationFailed(
            _("'%(metric)s' is not in the metric dictionary. Choose one of: %(allowed)s.")
            % {"metric": metric, "allowed": ", ".join(sorted(dictionary))},
            field="metric",
        )
    start = period_start or objective.period_start
    end = period_end or objective.period_end
    _period(start, end)
    if start < objective.period_start or end > objective.period_end:
        raise ValidationFailed(
            _("A KPI's period must lie within its objective's (%(start)s to %(end)s).")
            % {"start": objective.period_start, "end": objective.period_end},
            field="period_start",
        )
    target_value = _decimal(target, "target")
    baseline_value = _decimal(baseline, "baseline", optional=True)
    unit = dictionary[metric].unit
    for field, value in (("target", target_value), ("baseline", baseline_value)):
        if value is not None and unit == "percent" and not (Decimal(-100) <= value <= Decimal(1000)):
            raise ValidationFailed(_("A percentage must be between -100 and 1000."), field=field)
        if value is not None and unit in {"count", "people", "minutes", "currency"} and value < 0:
            raise ValidationFailed(_("This metric cannot be negative."), field=field)
    return {"metric": metric, "target": target_value, "baseline": baseline_value, "period_start": start,
            "period_end": end}  # fmt: skip


@transaction.atomic
def kpi_create(
    *,
    actor: Actor,
    objective: Objective,
    metric: str,
    target: object,
    baseline: object = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    note: str = "",
) -> KPI:
    actor.require(Perm.STRATEGY_MANAGE, objective.market)
    data = _clean_kpi(
        objective=objective, metric=metric, target=target, baseline=baseline, period_start=period_start,
        period_end=period_end,
    )  # fmt: skip
    start, end = data["period_start"], data["period_end"]
    assert isinstance(start, dt.date)
    assert isinstance(end, dt.date)
    if objective.kpis.filter(metric=metric, period_start=start, period_end=end).exists():
        raise Conflict(_("This objective already has that KPI for that period."), field="metric")
    kpi = KPI.objects.create(objective=objective, note=note.strip(), **data)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="kpi.create", target=kpi,
        after=snapshot(kpi, KPI_FIELDS), market_id=objective.market_id, target_label=f"{objective.name}: {metric}",
    )  # fmt: skip
    return kpi


@transaction.atomic
def kpi_update(
    *,
    actor: Actor,
    kpi: KPI,
    metric: str,
    target: object,
    baseline: object = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    note: str = "",
) -> KPI:
    objective = kpi.objective
    actor.require(Perm.STRATEGY_MANAGE, objective.market)
    before = snapshot(kpi, KPI_FIELDS)
    data = _clean_kpi(
        objective=objective, metric=metric, target=target, baseline=baseline, period_start=period_start,
        period_end=period_end,
    )  # fmt: skip
    for key, value in data.items():
        setattr(kpi, key, value)
    kpi.note = note.strip()
    kpi.save()
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="kpi.update", target=kpi, before=before,
        after=snapshot(kpi, KPI_FIELDS), market_id=objective.market_id, target_label=f"{objective.name}: {metric}",
    )  # fmt: skip
    return kpi


@transaction.atomic
def kpi_delete(*, actor: Actor, kpi: KPI) -> None:
    objective = kpi.objective
    actor.require(Perm.STRATEGY_MANAGE, objective.market)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="kpi.delete", target=kpi,
        before=snapshot(kpi, KPI_FIELDS), market_id=objective.market_id,
        target_label=f"{objective.name}: {kpi.metric}",
    )  # fmt: skip
    kpi.delete()


def _clean_audience(
    *, actor: Actor, name: str, kind: str, age_band: str, markets: Sequence[Market], relation_mode: str,
    approach: str, voice: str,
) -> dict[str, object]:  # fmt: skip
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the audience a name."), field="name")
    for market in markets:
        if market.organization_id != actor.organization_id:
            raise ValidationFailed(_("Choose markets of this organization."), field="markets")
        actor.require(Perm.STRATEGY_MANAGE, market)
    if not markets:
        actor.require_global(Perm.STRATEGY_MANAGE)
    return {
        "name": name,
        "kind": _choice(kind, AudienceKind, "kind"),
        "age_band": _choice(age_band, AgeBand, "age_band", blank=True),
        "relation_mode": _choice(relation_mode, RelationMode, "relation_mode"),
        "approach": _choice(approach, Approach, "approach"),
        "voice": _choice(voice, Voice, "voice"),
    }


@transaction.atomic
def audience_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    relation_mode: str,
    approach: str,
    voice: str = Voice.BRAND,
    age_band: str = "",
    markets: Sequence[Market] = (),
    description: str = "",
) -> Audience:
    data = _clean_audience(
        actor=actor, name=name, kind=kind, age_band=age_band, markets=markets, relation_mode=relation_mode,
        approach=approach, voice=voice,
    )  # fmt: skip
    if Audience.objects.filter(organization=actor.organization, name=data["name"]).exists():
        raise Conflict(_("An audience with this name already exists."), field="name")
    audience = Audience.objects.create(organization=actor.organization, description=description.strip(), **data)
    audience.markets.set(markets)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="audience.create", target=audience,
        after=snapshot(audience, AUDIENCE_FIELDS) | {"markets": sorted(m.pk for m in markets)},
    )  # fmt: skip
    return audience


@transaction.atomic
def audience_update(
    *,
    actor: Actor,
    audience: Audience,
    name: str,
    kind: str,
    relation_mode: str,
    approach: str,
    voice: str = Voice.BRAND,
    age_band: str = "",
    markets: Sequence[Market] = (),
    description: str = "",
) -> Audience:
    current = list(audience.markets.all())
    for market in current:
        actor.require(Perm.STRATEGY_MANAGE, market)
    if not current:
        actor.require_global(Perm.STRATEGY_MANAGE)
    before = snapshot(audience, AUDIENCE_FIELDS) | {"markets": sorted(m.pk for m in current)}
    data = _clean_audience(
        actor=actor, name=name, kind=kind, age_band=age_band, markets=markets, relation_mode=relation_mode,
        approach=approach, voice=voice,
    )  # fmt: skip
    for key, value in data.items():
        setattr(audience, key, value)
    audience.description = description.strip()
    audience.save()
    audience.markets.set(markets)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="audience.update", target=audience,
        before=before, after=snapshot(audience, AUDIENCE_FIELDS) | {"markets": sorted(m.pk for m in markets)},
    )  # fmt: skip
    return audience


@transaction.atomic
def audience_delete(*, actor: Actor, audience: Audience) -> None:
    markets = list(audience.markets.all())
    for market in markets:
        actor.require(Perm.STRATEGY_MANAGE, market)
    if not markets:
        actor.require_global(Perm.STRATEGY_MANAGE)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="audience.delete", target=audience,
        before=snapshot(audience, AUDIENCE_FIELDS),
    )  # fmt: skip
    audience.delete()


@transaction.atomic
def strategy_policy_set(*, actor: Actor, objectives_first: bool) -> StrategyPolicy:
    actor.require_global(Perm.ORG_MANAGE)
    policy, _created = StrategyPolicy.objects.get_or_create(organization=actor.organization)
    if policy.objectives_first != objectives_first:
        audit_record(
            organization_id=actor.organization_id, actor=actor.user, action="strategy_policy.update", target=policy,
            before={"objectives_first": policy.objectives_first}, after={"objectives_first": objectives_first},
            target_label=_("Strategy policy"),
        )  # fmt: skip
        policy.objectives_first = objectives_first
        policy.save(update_fields=["objectives_first", "updated_at"])
    return policy


def objectives_covering(*, channel: Channel, at: dt.datetime) -> list[Objective]:
    """Active objectives with at least one KPI that cover ``channel`` on the day of ``at``.

    An objective covers the channels it lists; one that lists none covers every channel owned by or
    serving its market. The day is read in the objective market's time zone.
    """
    return objectives_covering_channels(channels=[channel], at=at)[channel.pk]


def objectives_covering_channels(*, channels: Sequence[Channel], at: dt.datetime) -> dict[int, list[Objective]]:
    """``objectives_covering`` for many channels of one organization at once, in a fixed number of queries
    (pass channels with ``owner_market`` selected and ``served_markets`` prefetched)."""
    if not channels:
        return {}
    organization_ids = {channel.organization_id for channel in channels}
    if len(organization_ids) != 1:
        raise ValueError("objectives_covering_channels needs channels of one organization")
    candidates = list(
        Objective.objects.filter(organization_id=organization_ids.pop(), status=ObjectiveStatus.ACTIVE)
        .filter(Exists(KPI.objects.filter(objective=OuterRef("pk"))))
        .filter(
            period_start__lte=(at + dt.timedelta(days=1)).date(), period_end__gte=(at - dt.timedelta(days=1)).date()
        )
        .select_related("market")
        .prefetch_related("channels")
    )
    in_period = [
        objective
        for objective in candidates
        if objective.period_start
        <= at.astimezone(zoneinfo.ZoneInfo(objective.market.timezone)).date()
        <= objective.period_end
    ]
    out: dict[int, list[Objective]] = {}
    for channel in channels:
        served_paths = [channel.owner_market.path, *(m.path for m in channel.served_markets.all())]
        covering: list[Objective] = []
        for objective in in_period:
            listed = list(objective.channels.all())
            if listed:
                if any(c.pk == channel.pk for c in listed):
                    covering.append(objective)
            elif any(path.startswith(objective.market.path) for path in served_paths):
                covering.append(objective)
        out[channel.pk] = covering
    return out


def objectives_first_refusal(*, channel: Channel, at: dt.datetime) -> ValidationFailed:
    """The error ``objectives_first_check`` raises for ``channel`` at ``at`` (pages show it before any post)."""
    local = at.astimezone(zoneinfo.ZoneInfo(channel.timezone))
    return ValidationFailed(
        _(
            "Objectives first: no active objective with a KPI covers %(channel)s on %(day)s. "
            "Set one up in Strategy → Objectives (an objective for %(market)s with at least one KPI "
            "and this channel), or ask an org admin to switch the policy off."
        )
        % {"channel": channel, "day": local.date().isoformat(), "market": channel.owner_market.name},
        field="channel",
        code="objectives_first",
    )


def objectives_first_check(*, channel: Channel, at: dt.datetime) -> list[Objective]:
    """Raise if the organization puts objectives first and nothing measures this publication.

    Called by content scheduling before a post is scheduled; returns the covering objectives.
    """
    if at.tzinfo is None:
        raise ValueError("objectives_first_check needs an aware datetime")
    policy = StrategyPolicy.objects.filter(organization_id=channel.organization_id).first()
    covering = objectives_covering(channel=channel, at=at)
    if covering or (policy is not None and not policy.objectives_first):
        return covering
    raise objectives_first_refusal(channel=channel, at=at)
