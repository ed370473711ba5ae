"""Master content and local content, and the localizations of a master (request, adopt, adapt, decline)."""

# No "from __future__ import annotations": Ninja reads the Query[...] parameter types at import time.
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.content import selectors, services
from harmonie.content.api.media import media_refs
from harmonie.content.api.schemas import (
    AdaptIn,
    DeclineIn,
    LocalizationOut,
    LocalizationRequestIn,
    MasterIn,
    MasterOut,
    MasterQuery,
    MasterUpdateIn,
)
from harmonie.content.models import Campaign, Localization, MasterContent
from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of, ref
from harmonie.core.errors import ValidationFailed
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.permissions import Actor
from harmonie.strategy import selectors as strategy_selectors
from harmonie.strategy.models import ContentPillar, KeyMessage

masters = Router(tags=["master and local content"])
localizations = Router(tags=["localizations"])


def _campaign(actor: Actor, campaign_id: int | None) -> Campaign | None:
    if campaign_id is None:
        return None
    return ref(lambda: selectors.campaign_get(actor=actor, pk=campaign_id), "campaign_id")


def _pillar(actor: Actor, pillar_id: int | None) -> ContentPillar | None:
    if pillar_id is None:
        return None
    pillar = next((p for p in strategy_selectors.brand_view(actor=actor).pillars if p.pk == pillar_id), None)
    if pillar is None:
        raise ValidationFailed(_("No such pillar."), field="pillar_id")
    return pillar


def _key_message(actor: Actor, pk: int) -> KeyMessage:
    return ref(lambda: strategy_selectors.key_message_get(actor=actor, pk=pk), "key_message_ids")


def _key_messages(actor: Actor, ids: list[int]) -> list[KeyMessage]:
    return [_key_message(actor, pk) for pk in dict.fromkeys(ids)]


def _master_out(actor: Actor, pk: int) -> MasterContent:
    return selectors.master_list(actor=actor).prefetch_related("key_messages", "media").get(pk=pk)


# --- master and local content -----------------------------------------------------------------


@masters.get("", response={200: list[MasterOut], **ERRORS}, summary="List master and local content")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def master_list(request: HttpRequest, filters: Query[MasterQuery]) -> QuerySet[MasterContent]:
    """Masters of your markets and of the markets above them (Global's brand content), and local content of your
    markets or of cells the governance matrix opens to other markets; filters ``campaign_id``, ``kind``."""
    return selectors.master_list(
        actor=actor_of(request),
        campaign_pk=filters.campaign_id,
        kind=filters.kind.value if filters.kind else None,
    ).prefetch_related("key_messages", "media")


@masters.get("/{master_id}", response={200: MasterOut, **ERRORS}, summary="Get master or local content")
def master_get(request: HttpRequest, master_id: int) -> MasterContent:
    actor = actor_of(request)
    selectors.master_get(actor=actor, pk=master_id)  # 404 out of scope
    return _master_out(actor, master_id)


@masters.post("", response={201: MasterOut, **ERRORS}, summary="Create master or local content")
def master_create(request: HttpRequest, payload: MasterIn) -> Status[MasterContent]:
    """The governance matrix decides who may create content of a dimension in a market (403 ``governance``
    with its reason otherwise): a community manager cannot create content the matrix keeps global."""
    actor = actor_of(request)
    market = ref(lambda: governance_selectors.market_get(actor=actor, pk=payload.market_id), "market_id")
    dimension = ref(lambda: governance_selectors.dimension_get(actor=actor, pk=payload.dimension_id), "dimension_id")
    master = services.master_create(
        actor=actor,
        market=market,
        dimension=dimension,
        title=payload.title,
        body=payload.body,
        source_language=payload.source_language,
        kind=payload.kind.value,
        campaign=_campaign(actor, payload.campaign_id),
        pillar=_pillar(actor, payload.pillar_id),
        key_messages=_key_messages(actor, payload.key_message_ids),
        media=media_refs(actor, payload.media_ids),
    )
    return Status(201, _master_out(actor, master.pk))


@masters.patch("/{master_id}", response={200: MasterOut, **ERRORS}, summary="Update master or local content")
def master_update(request: HttpRequest, master_id: int, payload: MasterUpdateIn) -> MasterContent:
    actor = actor_of(request)
    master = selectors.master_get(actor=actor, pk=master_id)
    fields = payload.model_fields_set
    services.master_update(
        actor=actor,
        master=master,
        title=payload.title if payload.title is not None else master.title,
        body=payload.body if payload.body is not None else master.body,
        pillar=_pillar(actor, payload.pillar_id) if "pillar_id" in fields else master.pillar,
        campaign=_campaign(actor, payload.campaign_id) if "campaign_id" in fields else master.campaign,
        key_messages=(
            list(master.key_messages.all())
            if payload.key_message_ids is None
            else _key_messages(actor, payload.key_message_ids)
        ),
        media=list(master.media.all()) if payload.media_ids is None else media_refs(actor, payload.media_ids),
    )
    return _master_out(actor, master.pk)


# --- localizations ----------------------------------------------------------------------------


@masters.get(
    "/{master_id}/localizations",
    response={200: list[LocalizationOut], **ERRORS},
    summary="List a master's localizations",
)
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def localization_list(request: HttpRequest, master_id: int) -> QuerySet[Localization]:
    """The localizations of your markets (and of cells the matrix opens), in market order, each with its state,
    whether it is outdated and, when it is, what changed in the master (``master_changes``)."""
    actor = actor_of(request)
    master = selectors.master_get(actor=actor, pk=master_id)
    return selectors.localization_list(actor=actor, master_pk=master.pk)


@masters.post("/{master_id}/localizations", response={201: LocalizationOut, **ERRORS}, summary="Request a localization")
def localization_request(request: HttpRequest, master_id: int, payload: LocalizationRequestIn) -> Status[Localization]:
    """A pending localization of the master for a market below its owner, in one of the market's languages."""
    actor = actor_of(request)
    master = selectors.master_get(actor=actor, pk=master_id)
    market = ref(lambda: governance_selectors.market_get(actor=actor, pk=payload.market_id), "market_id")
    localization = services.localization_request(actor=actor, master=master, market=market, language=payload.language)
    return Status(201, localization)


@localizations.get("/{localization_id}", response={200: LocalizationOut, **ERRORS}, summary="Get a localization")
def localization_get(request: HttpRequest, localization_id: int) -> Localization:
    return selectors.localization_get(actor=actor_of(request), pk=localization_id)


def _localization(request: HttpRequest, localization_id: int) -> tuple[Actor, Localization]:
    actor = actor_of(request)
    return actor, selectors.localization_get(actor=actor, pk=localization_id)


@localizations.post(
    "/{localization_id}/adopt", response={200: LocalizationOut, **ERRORS}, summary="Adopt the master as is"
)
def localization_adopt(request: HttpRequest, localization_id: int) -> Localization:
    actor, localization = _localization(request, localization_id)
    return services.localization_adopt(actor=actor, localization=localization)


@localizations.post("/{localization_id}/adapt", response={200: LocalizationOut, **ERRORS}, summary="Adapt the master")
def localization_adapt(request: HttpRequest, localization_id: int, payload: AdaptIn) -> Localization:
    """A local wording, where the governance matrix allows local variants (403 ``governance`` otherwise)."""
    actor, localization = _localization(request, localization_id)
    return services.localization_adapt(actor=actor, localization=localization, title=payload.title, body=payload.body)


@localizations.post(
    "/{localization_id}/decline", response={200: LocalizationOut, **ERRORS}, summary="Decline the master"
)
def localization_decline(request: HttpRequest, localization_id: int, payload: DeclineIn) -> Localization:
    """Say why the market will not use it; refused where the matrix requires local variants (403 ``governance``)."""
    actor, localization = _localization(request, localization_id)
    return services.localization_decline(actor=actor, localization=localization, reason=payload.reason)
