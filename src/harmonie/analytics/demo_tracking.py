"""Demo tracking data for Vireo Industries: UTM presets (organization, France, Germany), short links for the demo
campaign's posts with a year of clicks (and the bots kept apart), a QR code for a store campaign, promo codes with
their redemptions, leads, and paid / owned / earned spend for the last 12 months against the demo budgets.

Deterministic (a seeded generator, days counted back from today) and idempotent: loading again adds nothing.
Written with ``bulk_create`` (a few thousand rows in well under two seconds)."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from harmonie.analytics.models.tracking import (
    LeadEntry,
    LinkClick,
    LinkPurpose,
    MediaType,
    Origin,
    PromoCode,
    PromoRedemption,
    ShortLink,
    SpendEntry,
    UtmPreset,
)
from harmonie.analytics.services.tracking.links import CODE_ALPHABET, CODE_LENGTH
from harmonie.analytics.utm import tagged_link
from harmonie.content.models import Campaign, Post
from harmonie.governance.models import Budget, Channel, Market, Organization

SEED = 7_2026
PRESET_ORG = "Vireo — organization"
REFERRERS = ["www.linkedin.com", "lnkd.in", "t.co", "bsky.app", "l.facebook.com", "", "", "mastodon.social"]


def _code(rng: random.Random, taken: set[str]) -> str:
    while True:
        code = "".join(rng.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def _months(today: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """The last ``count`` calendar months, this one included, oldest first."""
    out = []
    year, month = today.year, today.month
    for _i in range(count):
        start = dt.date(year, month, 1)
        end = (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)
        out.append((start, end))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


@transaction.atomic
def load_demo_tracking(org: Organization) -> bool:  # noqa: PLR0912, PLR0915 - one straight story
    """Load the tracking demo into ``org``; False when it is already there."""
    if UtmPreset.objects.filter(organization=org, name=PRESET_ORG).exists():
        return False
    rng = random.Random(SEED)  # noqa: S311 - demo data, not a secret
    markets = {m.code: m for m in Market.objects.filter(organization=org)}
    campaign = Campaign.objects.filter(organization=org).order_by("pk").first()
    today = timezone.localdate()
    UtmPreset.objects.bulk_create(
        [
            UtmPreset(
                organization=org,
                name=PRESET_ORG,
                utm_source="social",
                utm_medium="organic-social",
                utm_campaign="always-on",
            ),
            UtmPreset(organization=org, market=markets["FR"], name="France", utm_source="vireo-fr", utm_content="fr"),
            UtmPreset(
                organization=org, market=markets["DE"], name="Deutschland", utm_source="vireo-de", utm_content="de"
            ),
            *(
                [
                    UtmPreset(
                        organization=org,
                        campaign=campaign,
                        name=f"Campaign {campaign.name}",
                        utm_campaign="coat-x-launch",
                    )
                ]
                if campaign
                else []
            ),
        ]
    )

    taken = set(ShortLink.objects.values_list("code", flat=True))
    links: list[tuple[ShortLink, float]] = []
    posts = list(Post.objects.filter(organization=org).select_related("market", "channel").order_by("pk")[:4])
    for post in posts:
        destination = tagged_link(
            post.link or f"https://vireo.example/{post.market.code.lower()}/coat-x",
            {"utm_source": post.channel.network, "utm_medium": "organic-social", "utm_campaign": "coat-x-launch"},
        )
        links.append(
            (
                ShortLink(
                    organization=org,
                    market=post.market,
                    campaign=campaign,
                    post=post,
                    channel=post.channel,
                    code=_code(rng, taken),
                    destination=destination,
                    purpose=LinkPurpose.POST,
                    label=f"Post {post.pk} · {post.channel.handle}",
                ),
                4.0,
            )
        )
    for code, weight in (("FR", 3.0), ("DE", 2.0), ("US", 3.0)):
        links.append(
            (
                ShortLink(
                    organization=org,
                    market=markets[code],
                    campaign=campaign,
                    code=_code(rng, taken),
                    destination=f"https://vireo.example/{code.lower()}/coat-x?utm_source=newsletter"
                    "&utm_medium=email&utm_campaign=coat-x-launch",
                    purpose=LinkPurpose.MANUAL,
                    label=f"Coat X newsletter {code}",
                ),
                weight,
            )
        )
    links.append(
        (
            ShortLink(
                organization=org,
                market=markets["FR"],
                campaign=campaign,
                code=_code(rng, taken),
                destination="https://vireo.example/fr/magasins?utm_source=vitrine&utm_medium=qr"
                "&utm_campaign=coat-x-launch",
                purpose=LinkPurpose.QR,
                label="Store window posters, Lyon and Lille",
            ),
            2.0,
        )
    )
    ShortLink.objects.bulk_create([link for link, _w in links])

    clicks: list[LinkClick] = []
    for link, weight in links:
        zone = zoneinfo.ZoneInfo(link.market.timezone)
        for back in range(365):
            day = today - dt.timedelta(days=back)
            decay = 0.4 + 0.6 * (back / 365)  # older links were clicked more when they were new
            weekday = 0.5 if day.weekday() >= 5 else 1.0
            humans = max(0, round(rng.gauss(weight * decay * weekday, weight / 3)))
            for _i in range(humans):
                at = dt.datetime.combine(day, dt.time(rng.randint(7, 22), rng.randint(0, 59)), tzinfo=zone)
                clicks.append(
                    LinkClick(link=link, clicked_at=at.astimezone(dt.UTC), referrer_host=rng.choice(REFERRERS))
                )
            if rng.random() < 0.3:
                at = dt.datetime.combine(day, dt.time(rng.randint(0, 23), rng.randint(0, 59)), tzinfo=zone)
                clicks.append(LinkClick(link=link, clicked_at=at.astimezone(dt.UTC), is_bot=True))
    LinkClick.objects.bulk_create(clicks, batch_size=2000)

    promos = [
        PromoCode(
            organization=org,
            market=markets["FR"],
            campaign=campaign,
            code="COATX-FR",
            description="Coat X launch, distributors France",
            starts_on=today - dt.timedelta(days=120),
        ),
        PromoCode(
            organization=org,
            market=markets["DE"],
            campaign=campaign,
            code="COATX-DE",
            description="Coat X Einführung, Händler",
            starts_on=today - dt.timedelta(days=100),
        ),
        PromoCode(
            organization=org,
            market=markets["US"],
            code="TRADESHOW26",
            description="Trade show booth",
            starts_on=today - dt.timedelta(days=60),
            ends_on=today - dt.timedelta(days=30),
        ),
    ]
    PromoCode.objects.bulk_create(promos)
    redemptions = []
    for promo in promos:
        end = min(promo.ends_on or today, today)
        day = promo.starts_on
        while day <= end:
            count = max(0, round(rng.gauss(3, 2)))
            if count:
                revenue = Decimal(count * rng.randint(180, 420)).quantize(Decimal("0.01"))
                redemptions.append(
                    PromoRedemption(promo_code=promo, day=day, count=count, revenue=revenue, origin=Origin.IMPORT)
                )
            day += dt.timedelta(days=1)
    PromoRedemption.objects.bulk_create(redemptions)

    channels = {c.owner_market_id: c for c in Channel.objects.filter(organization=org).order_by("pk")}
    leads = []
    for code in ("FR", "DE", "US", "BR", "JP"):
        market = markets[code]
        for back in range(0, 365, 7):
            week = today - dt.timedelta(days=back)
            # About 1.6 leads a week per market: the DACH objective (90 a year) is nearly met, as in real life.
            for source, mean in (("Website form", 1.0), ("LinkedIn lead ads", 0.5), ("White paper download", 0.3)):
                count = max(0, round(rng.gauss(mean, mean / 2)))
                if count:
                    leads.append(
                        LeadEntry(
                            organization=org,
                            market=market,
                            day=week,
                            count=count,
                            source=source,
                            campaign=campaign if source == "LinkedIn lead ads" else None,
                            channel=channels.get(market.pk),
                            origin=Origin.IMPORT,
                        )
                    )
    LeadEntry.objects.bulk_create(leads)

    budgets = list(Budget.objects.filter(organization=org, dimension__key="product").select_related("market"))
    spend = []
    for start, end in _months(today, 12):
        for code in ("FR", "DE", "US", "BR", "JP"):
            market = markets[code]
            budget = next(
                (b for b in budgets if b.market_id == market.pk and b.period_start <= start and b.period_end >= end),
                None,
            )
            monthly = (budget.planned_amount / 3) if budget else Decimal(3000 if code != "JP" else 400000)
            for media, share in (
                (MediaType.PAID, Decimal("0.55")),
                (MediaType.OWNED, Decimal("0.30")),
                (MediaType.EARNED, Decimal("0.08")),
            ):
                amount = (monthly * share * Decimal(rng.uniform(0.8, 1.15))).quantize(Decimal("0.01"))
                impressions = (
                    int(amount * (rng.randint(40, 90) if code != "JP" else 1)) if media == MediaType.PAID else None
                )
                spend.append(
                    SpendEntry(
                        organization=org,
                        market=market,
                        budget=budget,
                        campaign=campaign if media == MediaType.PAID else None,
                        channel=channels.get(market.pk),
                        media_type=media,
                        period_start=start,
                        period_end=end,
                        amount=amount,
                        currency=budget.currency if budget else market.currency,
                        description={
                            "paid": "Sponsored posts",
                            "owned": "Agency and content production",
                            "earned": "PR and influencer relations",
                        }[media],
                        impressions=impressions,
                        clicks=impressions // 120 if impressions else None,
                        conversions=impressions // 4000 if impressions else None,
                        origin=Origin.IMPORT,
                    )
                )
    SpendEntry.objects.bulk_create(spend)
    return True
