"""Campaigns and their per-market launch dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from harmonie.content.models import Campaign, CampaignLaunch, CampaignStatus
from harmonie.core.audit import audit_record
from harmonie.core.errors import Conflict, ValidationFailed
from harmonie.governance.models import Budget, Dimension, Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy.models import Objective


def _check(
    *, actor: Actor, name: str, dimension: Dimension, objectives: Sequence[Objective], budget: Budget | None,
    status: str,
) -> str:  # fmt: skip
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the campaign a name."), field="name")
    if dimension.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a dimension of this organization."), field="dimension")
    for objective in objectives:
        if objective.organization_id != actor.organization_id:
            raise ValidationFailed(_("Choose objectives of this organization."), field="objectives")
    if budget is not None and budget.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a budget line of this organization."), field="budget")
    if status not in CampaignStatus.values:
        raise ValidationFailed(_("Choose a status: %(v)s.") % {"v": ", ".join(CampaignStatus.values)}, field="status")
    return name


@transaction.atomic
def campaign_create(
    *,
    actor: Actor,
    name: str,
    dimension: Dimension,
    description: str = "",
    objectives: Sequence[Objective] = (),
    budget: Budget | None = None,
    launches: Sequence[tuple[Market, dt.date]] = (),
    status: str = CampaignStatus.PLANNED,
) -> Campaign:
    """A campaign; HQ (content creators at Global) plans it, with a launch date per market."""
    actor.require_global(Perm.CONTENT_CREATE)
    name = _check(actor=actor, name=name, dimension=dimension, objectives=objectives, budget=budget, status=status)
    if Campaign.objects.filter(organization=actor.organization, name=name).exists():
        raise Conflict(_("A campaign named %(name)s already exists.") % {"name": name}, field="name")
    campaign = Campaign.objects.create(
        organization=actor.organization, name=name, dimension=dimension, description=description.strip(),
        budget=budget, status=status, created_by=actor.user,
    )  # fmt: skip
    campaign.objectives.set(objectives)
    for market, day in launches:
        _launch_set(actor=actor, campaign=campaign, market=market, day=day)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="campaign.create", target=campaign,
        after={"name": name, "dimension": dimension.pk, "status": status,
               "launches": {m.code: d.isoformat() for m, d in launches}},
    )  # fmt: skip
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor: Actor,
    campaign: Campaign,
    name: str,
    dimension: Dimension,
    description: str = "",
    objectives: Sequence[Objective] = (),
    budget: Budget | None = None,
    status: str = CampaignStatus.PLANNED,
) -> Campaign:
    actor.require_global(Perm.CONTENT_CREATE)
    name = _check(actor=actor, name=name, dimension=dimension, objectives=objectives, budget=budget, status=status)
    before = {"name": campaign.name, "dimension": campaign.dimension_id, "status": campaign.status}
    campaign.name, campaign.dimension, campaign.description = name, dimension, description.strip()
    campaign.budget, campaign.status = budget, status
    campaign.save()
    campaign.objectives.set(objectives)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="campaign.update", target=campaign,
        before=before, after={"name": name, "dimension": dimension.pk, "status": status},
    )  # fmt: skip
    return campaign


def _launch_set(*, actor: Actor, campaign: Campaign, market: Market, day: dt.date | None) -> CampaignLaunch | None:
    if market.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose markets of this organization."), field="launches")
    if day is None:
        CampaignLaunch.objects.filter(campaign=campaign, market=market).delete()
        return None
    launch, _created = CampaignLaunch.objects.update_or_create(
        campaign=campaign, market=market, defaults={"launch_date": day}
    )
    return launch


@transaction.atomic
def campaign_launch_set(
    *, actor: Actor, campaign: Campaign, market: Market, launch_date: dt.date | None
) -> CampaignLaunch | None:
    """Set (or remove, with None) a market's launch date. A market lead moves their own market's date."""
    actor.require(Perm.CONTENT_CREATE, market)
    before = CampaignLaunch.objects.filter(campaign=campaign, market=market).values_list("launch_date", flat=True)
    previous = before.first()
    launch = _launch_set(actor=actor, campaign=campaign, market=market, day=launch_date)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="campaign.launch_set", target=campaign,
        before={"market": market.code, "launch_date": previous.isoformat() if previous else None},
        after={"market": market.code, "launch_date": launch_date.isoformat() if launch_date else None},
        market_id=market.pk,
    )  # fmt: skip
    return launch
