"""Short links over the API, mounted at ``/api/v1/analytics/links``: list with click counts (humans and bots kept
apart) and create (with the presets' UTM values). Token or session auth, like every router."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.analytics.models.tracking import LinkPurpose, ShortLink
from harmonie.analytics.selectors import tracking as selectors
from harmonie.analytics.services import tracking as services
from harmonie.content import selectors as content_selectors
from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of, ref
from harmonie.governance import selectors as governance_selectors

router = Router(tags=["links"])


class ShortLinkOut(Schema):
    id: int
    code: str
    short_url: str
    destination: str
    market_id: int
    campaign_id: int | None
    post_id: int | None
    channel_id: int | None
    purpose: str
    label: str
    is_active: bool
    human_clicks: int = Field(0, description="Clicks by people (bots excluded).")
    bot_clicks: int = Field(0, description="Requests from crawlers and link-preview fetchers, never counted.")
    created_at: dt.datetime

    @staticmethod
    def resolve_short_url(obj: ShortLink) -> str:
        return services.short_url(obj.code)


class ShortLinkIn(Schema):
    destination: str
    market_id: int
    campaign_id: int | None = None
    channel_id: int | None = None
    label: str = ""
    purpose: str = Field(
        LinkPurpose.MANUAL, description="manual or qr (post links are made by the publishing engine only)"
    )
    apply_presets: bool = Field(True, description="Add the UTM values of the presets (values in the URL are kept).")


@router.get("", response={200: list[ShortLinkOut], **ERRORS}, summary="List short links")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def link_list(
    request: HttpRequest, market_id: int | None = None, campaign_id: int | None = None
) -> QuerySet[ShortLink]:
    """Short links in the caller's markets, newest first, with their click counts."""
    return selectors.link_list(actor=actor_of(request), market_pk=market_id, campaign_pk=campaign_id)


@router.get("/{link_id}", response={200: ShortLinkOut, **ERRORS}, summary="Get a short link")
def link_get(request: HttpRequest, link_id: int) -> ShortLink:
    return selectors.link_get(actor=actor_of(request), pk=link_id)


@router.post("", response={201: ShortLinkOut, **ERRORS}, summary="Create a short link")
def link_create(request: HttpRequest, payload: ShortLinkIn) -> Status[ShortLink]:
    """Needs analytics.manage in the market. The destination must be an http(s) address."""
    actor = actor_of(request)
    market = ref(lambda: governance_selectors.market_get(actor=actor, pk=payload.market_id), "market_id")
    campaign = (
        ref(lambda: content_selectors.campaign_get(actor=actor, pk=payload.campaign_id), "campaign_id")  # type: ignore[arg-type]
        if payload.campaign_id is not None
        else None
    )
    channel = (
        ref(lambda: governance_selectors.channel_get(actor=actor, pk=payload.channel_id), "channel_id")  # type: ignore[arg-type]
        if payload.channel_id is not None
        else None
    )
    utm = (
        services.utm_for(organization=actor.organization, market=market, campaign=campaign)
        if payload.apply_presets
        else {}
    )
    link = services.short_link_create(
        actor=actor,
        market=market,
        destination=payload.destination,
        campaign=campaign,
        channel=channel,
        label=payload.label,
        purpose=payload.purpose,
        utm=utm,
    )
    return Status(201, selectors.link_get(actor=actor, pk=link.pk))
