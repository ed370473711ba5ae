"""UTM presets and their resolution, short links (creation, the redirect's click), QR links, and the tracked link
of a post when the editorial charter requires one."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.analytics.bots import is_bot
from harmonie.analytics.models.tracking import LinkClick, LinkPurpose, ShortLink, UtmPreset
from harmonie.analytics.services.tracking.scope import check_campaign, check_channel
from harmonie.analytics.utm import UTM_KEYS, clean_utm, merge_utm, tagged_link
from harmonie.content.models import Campaign, Post
from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, ValidationFailed
from harmonie.governance.models import Channel, Market, Organization
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy.charter.engine import RuleKind, validate_params
from harmonie.strategy.selectors import applicable_rules

PRESET_FIELDS = ["market", "campaign", "name", *UTM_KEYS]
LINK_FIELDS = ["market", "campaign", "post", "channel", "code", "destination", "purpose", "label", "is_active"]

# Codes: 8 characters of [A-Za-z0-9] (62^8, about 2.2e14 codes): unguessable, URL-safe, easy to read out.
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
CODE_LENGTH = 8
CODE_ATTEMPTS = 5
MAX_UTM_VALUE = 100
# Purposes members may create; ``post`` links are made by the publishing engine only (post_tracked_link).
USER_PURPOSES = (LinkPurpose.MANUAL.value, LinkPurpose.QR.value)


# --- UTM presets ------------------------------------------------------------------------------------------------


def utm_for(*, organization: Organization, market: Market | None, campaign: Campaign | None) -> dict[str, str]:
    """The UTM values that apply: per key, the most specific preset wins — the campaign's (in this market or its
    parents first, then for every market), then the market's, its parents' (nearest first), the organization's."""
    presets = list(
        UtmPreset.objects.filter(organization=organization)
        .filter(Q(market__isnull=True) | Q(market_id__in=market.ancestor_ids() if market else []))
        .filter(Q(campaign__isnull=True) | Q(campaign=campaign) if campaign else Q(campaign__isnull=True))
    )
    distance = {pk: i for i, pk in enumerate(market.ancestor_ids())} if market else {}
    far = len(distance) + 1

    def rank(p: UtmPreset) -> tuple[int, int, int]:
        return (0 if p.campaign_id else 1, distance.get(p.market_id, far) if p.market_id else far, p.pk)

    return merge_utm({k: getattr(p, k) for k in UTM_KEYS} for p in sorted(presets, key=rank))


def _preset_scope(*, actor: Actor, market: Market | None, campaign: Campaign | None) -> None:
    if market is not None and market.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a market of this organization."), field="market")
    if campaign is not None and campaign.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a campaign of this organization."), field="campaign")
    if market is not None:
        check_campaign(campaign=campaign, market=market)
    if market is None:
        actor.require_global(Perm.ANALYTICS_MANAGE)
    else:
        actor.require(Perm.ANALYTICS_MANAGE, market)


def _preset_values(*, name: str, values: Mapping[str, object]) -> dict[str, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the preset a name, e.g. “France — LinkedIn organic”."), field="name")
    cleaned = clean_utm(values)
    if not cleaned:
        raise ValidationFailed(_("Fill in at least one UTM value (utm_source, utm_medium, ...)."), field="utm_source")
    for key, value in cleaned.items():
        if len(value) > MAX_UTM_VALUE:
            raise ValidationFailed(
                _("%(key)s is %(n)d characters long; keep it under %(max)d.")
                % {"key": key, "n": len(value), "max": MAX_UTM_VALUE},
                field=key,
            )
    return {"name": name[:120], **{k: cleaned.get(k, "") for k in UTM_KEYS}}


def _preset_unique(*, actor: Actor, market: Market | None, campaign: Campaign | None, exclude: int | None) -> None:
    clash = UtmPreset.objects.filter(organization=actor.organization, market=market, campaign=campaign)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    existing = clash.first()
    if existing is not None:
        raise Conflict(
            _("“%(name)s” already sets the UTM values for this scope: edit it rather than adding a second one.")
            % {"name": existing.name},
            field="name",
        )


@transaction.atomic
def utm_preset_create(
    *,
    actor: Actor,
    name: str,
    values: Mapping[str, object],
    market: Market | None = None,
    campaign: Campaign | None = None,
) -> UtmPreset:
    """A preset for the organization (no market, no campaign: global permission), a market, or a campaign
    (optionally in one market)."""
    _preset_scope(actor=actor, market=market, campaign=campaign)
    data = _preset_values(name=name, values=values)
    _preset_unique(actor=actor, market=market, campaign=campaign, exclude=None)
    preset = UtmPreset.objects.create(organization=actor.organization, market=market, campaign=campaign, **data)
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="utm_preset.create",
        target=preset,
        after=snapshot(preset, PRESET_FIELDS),
        market_id=market.pk if market else None,
    )
    return preset


@transaction.atomic
def utm_preset_update(*, actor: Actor, preset: UtmPreset, name: str, values: Mapping[str, object]) -> UtmPreset:
    """Change a preset's name and values (its scope stays: delete and create to move it)."""
    if preset.organization_id != actor.organization_id:
        raise ValidationFailed(_("No such preset."))
    _preset_scope(actor=actor, market=preset.market, campaign=preset.campaign)
    before = snapshot(preset, PRESET_FIELDS)
    for key, value in _preset_values(name=name, values=values).items():
        setattr(preset, key, value)
    preset.save()
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="utm_preset.update",
        target=preset,
        before=before,
        after=snapshot(preset, PRESET_FIELDS),
        market_id=preset.market_id,
    )
    return preset


@transaction.atomic
def utm_preset_delete(*, actor: Actor, preset: UtmPreset) -> None:
    if preset.organization_id != actor.organization_id:
        raise ValidationFailed(_("No such preset."))
    _preset_scope(actor=actor, market=preset.market, campaign=preset.campaign)
    before = snapshot(preset, PRESET_FIELDS)
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="utm_preset.delete",
        target=preset,
        before=before,
        market_id=preset.market_id,
    )
    preset.delete()


# --- short links ------------------------------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def short_url(code: str) -> str:
    """The absolute address of a short link: ``HARMONIE_PUBLIC_URL`` + ``/l/<code>``."""
    return settings.HARMONIE_PUBLIC_URL.rstrip("/") + reverse("short_link", args=[code])


def _blocked_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified or address.is_link_local


def clean_destination(raw: str, *, field: str = "destination") -> str:
    """An absolute http(s) address people may be sent to; a clear error otherwise."""
    url = (raw or "").strip()
    if not url:
        raise ValidationFailed(
            _("Give the address to send people to, such as https://vireo.example/offer."), field=field
        )
    if len(url) > 2000:
        raise ValidationFailed(_("This address is %(n)d characters long; 2000 at most.") % {"n": len(url)}, field=field)
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValidationFailed(_("The address contains spaces or control characters: encode them (%20)."), field=field)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise ValidationFailed(
            _(
                "This address cannot be read: check the site name, the brackets around an IPv6 address and the "
                "port (a number up to 65535)."
            ),
            field=field,
        ) from exc
    if parts.scheme.lower() not in {"http", "https"}:
        raise ValidationFailed(
            _("Only web addresses starting with https:// or http:// can be shortened (got “%(scheme)s:”).")
            % {"scheme": parts.scheme or url.split(":", 1)[0]},
            field=field,
        )
    if not host:
        raise ValidationFailed(_("The address has no site name: write it as https://vireo.example/page."), field=field)
    if parts.username or parts.password:
        raise ValidationFailed(_("Remove the user name and password from the address."), field=field)
    allow_loopback = bool(getattr(settings, "HARMONIE_ALLOW_LOOPBACK_SERVERS", settings.DEBUG))
    if _blocked_host(host) and not allow_loopback:
        raise ValidationFailed(
            _("%(host)s is this machine's own address: short links must point to a public site.") % {"host": host},
            field=field,
        )
    own = urlsplit(settings.HARMONIE_PUBLIC_URL)
    if host == (own.hostname or "") and parts.path.startswith("/l/"):
        raise ValidationFailed(_("This is already a short link: shorten its destination instead."), field=field)
    return url


def _create_link(**fields: object) -> ShortLink:
    """Insert with a fresh random code, drawing again on the (rare) collision."""
    for _attempt in range(CODE_ATTEMPTS):
        code = new_code()
        if ShortLink.objects.filter(code=code).exists():
            continue
        try:
            with transaction.atomic():
                return ShortLink.objects.create(code=code, **fields)
        except IntegrityError:
            continue
    raise Conflict(_("Could not draw a free short code; try again."))


def _link_scope(
    *, organization_id: int, market: Market, campaign: Campaign | None, channel: Channel | None, post: Post | None
) -> None:
    if market.organization_id != organization_id:
        raise ValidationFailed(_("Choose a market of this organization."), field="market")
    if post is not None and post.organization_id != organization_id:
        raise ValidationFailed(_("Choose a post of this organization."), field="post")
    check_campaign(campaign=campaign, market=market)
    check_channel(channel=channel, market=market)


@transaction.atomic
def short_link_create(
    *,
    actor: Actor,
    market: Market,
    destination: str,
    campaign: Campaign | None = None,
    channel: Channel | None = None,
    label: str = "",
    purpose: str = LinkPurpose.MANUAL,
    utm: Mapping[str, object] | None = None,
) -> ShortLink:
    """A short link in ``market`` (analytics.manage there) to ``destination`` tagged with ``utm`` (values already in
    the destination are kept)."""
    _link_scope(organization_id=actor.organization_id, market=market, campaign=campaign, channel=channel, post=None)
    actor.require(Perm.ANALYTICS_MANAGE, market)
    if purpose not in USER_PURPOSES:
        raise ValidationFailed(
            _("Choose a purpose: %(v)s (post links are made by the publishing engine).")
            % {"v": ", ".join(USER_PURPOSES)},
            field="purpose",
        )
    target = clean_destination(tagged_link(clean_destination(destination), clean_utm(utm or {})))
    link = _create_link(
        organization=actor.organization,
        market=market,
        campaign=campaign,
        channel=channel,
        destination=target,
        purpose=purpose,
        label=(label or "").strip()[:200],
        created_by=actor.user,
    )
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="short_link.create",
        target=link,
        after=snapshot(link, LINK_FIELDS),
        market_id=market.pk,
    )
    return link


@transaction.atomic
def short_link_set_active(*, actor: Actor, link: ShortLink, active: bool) -> ShortLink:
    """Switch a link off (its address answers 404, clicks stop) or back on."""
    if link.organization_id != actor.organization_id:
        raise ValidationFailed(_("No such link."))
    actor.require(Perm.ANALYTICS_MANAGE, link.market)
    before = snapshot(link, LINK_FIELDS)
    link.is_active = active
    link.save(update_fields=["is_active", "updated_at"])
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="short_link.activate" if active else "short_link.deactivate",
        target=link,
        before=before,
        after=snapshot(link, LINK_FIELDS),
        market_id=link.market_id,
    )
    return link


def _referrer_host(referrer: str) -> str:
    try:
        return (urlsplit(referrer).hostname or "")[:255]
    except ValueError:
        return ""


def short_link_follow(*, code: str, user_agent: str, referrer: str, method: str) -> str | None:
    """The destination of an active link (None: unknown or inactive), recording the request as a click: one
    select, then one insert (none for HEAD). Bots are recorded apart and never counted."""
    if not code.isascii() or not code.isalnum() or len(code) > 16:
        return None
    row = ShortLink.objects.filter(code=code, is_active=True).values_list("pk", "destination").first()
    if row is None:
        return None
    link_id, destination = row
    if method != "HEAD":
        LinkClick.objects.create(
            link_id=link_id,
            clicked_at=timezone.now(),
            is_bot=is_bot(user_agent),
            referrer_host=_referrer_host(referrer),
        )
    return str(destination)


# --- the tracked link of a post -----------------------------------------------------------------------------------


def _utm_rule_domains(post: Post) -> list[list[str]] | None:
    """The ``domains`` of each active utm charter rule for the post's market, network and dimension (an empty
    list: every domain); None when no such rule applies."""
    rules = [
        r
        for r in applicable_rules(
            organization_id=post.organization_id,
            market=post.market,
            network=post.channel.network,
            dimension=post.master.dimension,
        )
        if r.kind == RuleKind.UTM
    ]
    if not rules:
        return None
    return [list(validate_params(kind=RuleKind.UTM, params=r.params)["domains"]) for r in rules]


def _host_matches(host: str, domains: list[str]) -> bool:
    return not domains or any(host == d or host.endswith("." + d) for d in domains)


def post_tracked_link(*, post: Post) -> str:
    """The link a post publishes. When an active ``utm`` charter rule applies to its market and network (and the
    link is on one of the rule's domains, if it lists any), a first-party short link (absolute) to the link tagged
    with the post's UTM merged over the presets — the same short link for the same destination, a new one when the
    link changed. Otherwise the link tagged with the post's own UTM, as before. Empty when the post has no link."""
    own_utm = {str(k): str(v) for k, v in (post.utm or {}).items()}
    if not post.link:
        return post.link
    try:
        clean_destination(post.link, field="link")
    except ValidationFailed:
        # Not an address a short link may send people to (javascript:, a loopback host, unreadable): never
        # shortened; the post keeps its plain tagged link (the charter's link rules report it before publishing).
        try:
            return tagged_link(post.link, own_utm)
        except ValueError:
            return post.link
    rule_domains = _utm_rule_domains(post)
    host = (urlsplit(post.link).hostname or "").lower()
    if rule_domains is None or not any(_host_matches(host, d) for d in rule_domains):
        return tagged_link(post.link, own_utm)
    campaign = post.master.campaign
    utm = merge_utm([own_utm, utm_for(organization=post.organization, market=post.market, campaign=campaign)])
    destination = tagged_link(post.link, utm)
    existing = (
        ShortLink.objects.filter(post=post, purpose=LinkPurpose.POST, destination=destination, is_active=True)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return short_url(existing.code)
    return _post_link_create(post, campaign, destination)


@transaction.atomic
def _post_link_create(post: Post, campaign: Campaign | None, destination: str) -> str:
    """The post's short link and its audit row, together (only the link's first send writes: one worker sends a
    post at a time, and a post without a link, or not under a tracked-links rule, writes nothing)."""
    link = _create_link(
        organization_id=post.organization_id,
        market=post.market,
        campaign=campaign,
        post=post,
        channel=post.channel,
        destination=destination,
        purpose=LinkPurpose.POST,
        label=post.master.title[:200],
        created_by=None,
    )
    audit_record(
        organization_id=post.organization_id,
        actor=None,
        action="short_link.create",
        target=link,
        after=snapshot(link, LINK_FIELDS),
        market_id=post.market_id,
    )
    return short_url(link.code)


# --- QR codes ------------------------------------------------------------------------------------------------------


def qr_link_create(
    *,
    actor: Actor,
    market: Market,
    destination: str,
    campaign: Campaign | None = None,
    label: str = "",
    medium: str = "qr",
) -> ShortLink:
    """A short link for a QR code: the destination tagged with the presets of the market/campaign, with
    ``utm_medium`` set to ``medium`` (a QR code on a poster is not a social post)."""
    utm = merge_utm(
        [{"utm_medium": medium}, utm_for(organization=actor.organization, market=market, campaign=campaign)]
    )
    return short_link_create(
        actor=actor,
        market=market,
        destination=destination,
        campaign=campaign,
        label=label,
        purpose=LinkPurpose.QR,
        utm=utm,
    )
