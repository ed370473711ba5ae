from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, ValidationFailed
from harmonie.core.validation import normalize_languages, validate_currency, validate_timezone
from harmonie.governance.models import Market, MarketKind
from harmonie.governance.permissions import Actor, Perm

MARKET_FIELDS = ["parent", "kind", "code", "name", "languages", "timezone", "currency"]

# Which kinds may sit under which: Global > region > country (a region may hold sub-regions).
ALLOWED_CHILDREN: dict[str, set[str]] = {
    MarketKind.GLOBAL: {MarketKind.REGION, MarketKind.COUNTRY},
    MarketKind.REGION: {MarketKind.REGION, MarketKind.COUNTRY},
    MarketKind.COUNTRY: set(),
}


def market_path_segment(pk: int) -> str:
    """``/0000000042/``: zero-padded ids keep siblings in creation order when sorted by path."""
    return f"/{pk:010d}/"


def _clean(*, code: str, name: str, languages: list[str], timezone: str, currency: str) -> dict[str, object]:
    code = (code or "").strip().upper()
    if not code or len(code) > 20 or not code.replace("-", "").replace("_", "").isalnum():
        raise ValidationFailed(_("Give a short code of letters and digits, e.g. FR or EMEA."), field="code")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the market a name."), field="name")
    return {
        "code": code,
        "name": name,
        "languages": normalize_languages(languages),
        "timezone": validate_timezone(timezone),
        "currency": validate_currency(currency),
    }


def _check_kind(parent: Market, kind: str) -> None:
    if kind == MarketKind.GLOBAL:
        raise ValidationFailed(_("There is only one Global market, the root of the tree."), field="kind")
    if kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
        raise ValidationFailed(
            _("A %(kind)s cannot be placed under %(parent)s (a %(parent_kind)s).")
            % {"kind": MarketKind(kind).label, "parent": parent.name, "parent_kind": MarketKind(parent.kind).label},
            field="parent",
        )


def market_create_root(
    *, organization_id: int, code: str, name: str, languages: list[str], timezone: str, currency: str
) -> Market:
    """The Global market of a new organization (called by ``organization_create``)."""
    data = _clean(code=code, name=name, languages=languages, timezone=timezone, currency=currency)
    market = Market.objects.create(organization_id=organization_id, kind=MarketKind.GLOBAL, path="", depth=0, **data)
    market.path = market_path_segment(market.pk)
    market.save(update_fields=["path"])
    return market


@transaction.atomic
def market_create(
    *,
    actor: Actor,
    parent: Market,
    kind: str,
    code: str,
    name: str,
    languages: list[str],
    timezone: str,
    currency: str,
) -> Market:
    actor.require(Perm.MARKETS_MANAGE, parent)
    _check_kind(parent, kind)
    data = _clean(code=code, name=name, languages=languages, timezone=timezone, currency=currency)
    if Market.objects.filter(organization=actor.organization, code=data["code"]).exists():
        raise Conflict(_("A market with the code %(code)s already exists.") % {"code": data["code"]}, field="code")
    try:
        with transaction.atomic():
            market = Market.objects.create(
                organization=actor.organization, parent=parent, kind=kind, path="", depth=parent.depth + 1, **data
            )
    except IntegrityError as exc:
        raise Conflict(_("A market with the code %(code)s already exists.") % {"code": data["code"]}) from exc
    market.path = parent.path + market_path_segment(market.pk)[1:]
    market.save(update_fields=["path"])
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="market.create",
        target=market,
        after=snapshot(market, MARKET_FIELDS),
        market_id=market.pk,
    )
    return market


@transaction.atomic
def market_update(
    *,
    actor: Actor,
    market: Market,
    name: str,
    code: str,
    languages: list[str],
    timezone: str,
    currency: str,
    parent: Market | None = None,
) -> Market:
    actor.require(Perm.MARKETS_MANAGE, market)
    before = snapshot(market, MARKET_FIELDS)
    data = _clean(code=code, name=name, languages=languages, timezone=timezone, currency=currency)
    if (
        data["code"] != market.code
        and Market.objects.filter(organization=actor.organization, code=data["code"]).exclude(pk=market.pk).exists()
    ):
        raise Conflict(_("A market with the code %(code)s already exists.") % {"code": data["code"]}, field="code")
    for key, value in data.items():
        setattr(market, key, value)
    if parent is not None and parent.pk != market.parent_id:
        _move(actor=actor, market=market, parent=parent)
    market.save()
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="market.update",
        target=market,
        before=before,
        after=snapshot(market, MARKET_FIELDS),
        market_id=market.pk,
    )
    return market


def _move(*, actor: Actor, market: Market, parent: Market) -> None:
    if market.is_root:
        raise ValidationFailed(_("The Global market cannot be moved."), field="parent")
    actor.require_global(Perm.MARKETS_MANAGE)
    if parent.organization_id != market.organization_id:
        raise ValidationFailed(_("Choose a parent market of this organization."), field="parent")
    if parent.path.startswith(market.path):
        raise ValidationFailed(_("A market cannot be moved under itself or one of its own markets."), field="parent")
    _check_kind(parent, market.kind)
    old_path, new_path = market.path, parent.path + market_path_segment(market.pk)[1:]
    depth_delta = parent.depth + 1 - market.depth
    for child in Market.objects.filter(organization_id=market.organization_id, path__startswith=old_path).exclude(
        pk=market.pk
    ):
        child.path = new_path + child.path[len(old_path) :]
        child.depth += depth_delta
        child.save(update_fields=["path", "depth"])
    market.parent = parent
    market.path = new_path
    market.depth = parent.depth + 1
