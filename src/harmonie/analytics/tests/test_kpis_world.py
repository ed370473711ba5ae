"""A small organization of our own for the dashboard tests (the demo's metrics belong to another engineer and may
change): Global (Europe/Paris) > Europe (Europe/Brussels) > France (Europe/Paris), Germany; Americas > Brazil
(America/Sao_Paulo); Asia > Japan (Asia/Tokyo). ``World()`` builds it (each test module has a ``world``
fixture); helpers add channels, days, posts, objectives."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from harmonie.accounts.models import User
from harmonie.analytics.models import ChannelDailyStat, LinkClick, PostMetricSnapshot, ShortLink
from harmonie.analytics.services.collection import channel_months_rebuild
from harmonie.content.models import MasterContent, Post
from harmonie.content.states import PostStatus
from harmonie.governance.models import Channel, Dimension, Market, MarketKind, Member, RoleAssignment
from harmonie.governance.permissions import Actor, actor_for
from harmonie.governance.services import channel_create, market_create, organization_create
from harmonie.strategy.models import KPI, ContentPillar, Objective

PASSWORD = "h7c-dashboards-pass"
UTC = dt.UTC
_seq = itertools.count(1)


class World:
    def __init__(self) -> None:
        user = User.objects.create_user(
            email="ada.admin@h7c.example", password=PASSWORD, first_name="Ada", last_name="Admin"
        )
        self.org, member = organization_create(
            name="H7C Corp", admin_user=user, slug="h7c-corp", timezone="Europe/Paris", currency="EUR"
        )
        self.admin: Actor = actor_for(member)
        self.admin_user = user
        self.root: Market = Market.objects.get(organization=self.org, parent__isnull=True)
        self.europe = self.market("EUROPE", self.root, MarketKind.REGION, "Europe/Brussels")
        self.fr = self.market("FR", self.europe, MarketKind.COUNTRY, "Europe/Paris")
        self.de = self.market("DE", self.europe, MarketKind.COUNTRY, "Europe/Berlin")
        self.americas = self.market("AMERICAS", self.root, MarketKind.REGION, "America/New_York", "USD")
        self.br = self.market("BR", self.americas, MarketKind.COUNTRY, "America/Sao_Paulo", "BRL")
        self.asia = self.market("ASIA", self.root, MarketKind.REGION, "Asia/Singapore", "USD")
        self.jp = self.market("JP", self.asia, MarketKind.COUNTRY, "Asia/Tokyo", "JPY")
        self.dimension = Dimension.objects.filter(organization=self.org).order_by("position").first()

    def market(self, code: str, parent: Market, kind: str, tz: str, currency: str = "EUR") -> Market:
        return market_create(
            actor=self.admin, parent=parent, kind=kind, code=code, name=code.title(), languages=["en"],
            timezone=tz, currency=currency,
        )  # fmt: skip

    def channel(
        self, network: str, handle: str, owner: Market, *, served: list[Market] | None = None, tz: str = ""
    ) -> Channel:
        return channel_create(
            actor=self.admin, network=network, handle=handle, display_name=handle.title(), owner_market=owner,
            served_markets=served, timezone=tz or owner.timezone,
        )  # fmt: skip

    def day(self, channel: Channel, day: dt.date, followers: int | None = None, **counts: int) -> ChannelDailyStat:
        """A channel's day, written directly (not through collection): its months are rebuilt after it."""
        stat = ChannelDailyStat.objects.create(
            organization=self.org, channel=channel, day=day, followers=followers, **counts
        )
        channel_months_rebuild(channel_ids=[channel.pk])
        return stat

    def member(self, email: str, role: str, market: Market, language: str = "en") -> Actor:
        user = User.objects.create_user(
            email=email, password=PASSWORD, first_name=email.split(".", maxsplit=1)[0].title()
        )
        user.language = language
        user.save(update_fields=["language"])
        member = Member.objects.create(organization=self.org, user=user)
        RoleAssignment.objects.create(member=member, role=role, market=market)
        return actor_for(member)

    def objective(
        self,
        market: Market,
        type_: str,
        start: dt.date,
        end: dt.date,
        kpis: list[tuple[str, Any, Any]],
        name: str = "",
    ) -> Objective:
        objective = Objective.objects.create(
            organization=self.org, market=market, name=name or f"{type_} {market.code}", type=type_,
            period_start=start, period_end=end,
        )  # fmt: skip
        for metric, baseline, target in kpis:
            KPI.objects.create(
                objective=objective, metric=metric, baseline=None if baseline is None else Decimal(str(baseline)),
                target=Decimal(str(target)), period_start=start, period_end=end,
            )  # fmt: skip
        return objective

    def link(self, market: Market, *, channel: Channel | None = None, purpose: str = "post") -> ShortLink:
        return ShortLink.objects.create(
            organization=self.org, market=market, channel=channel, code=f"h7c{next(_seq)}",
            destination="https://example.com/", purpose=purpose,
        )  # fmt: skip

    def click(self, link: ShortLink, at: dt.datetime, *, bot: bool = False) -> LinkClick:
        return LinkClick.objects.create(link=link, clicked_at=at, is_bot=bot)

    def pillar(self, name: str, share: int, position: int = 0) -> ContentPillar:
        return ContentPillar.objects.create(
            organization=self.org, name=name, target_share=Decimal(share), position=position
        )

    def post(
        self,
        channel: Channel,
        at: dt.datetime,
        *,
        pillar: ContentPillar | None = None,
        interactions: int | None = None,
        status: str = PostStatus.PUBLISHED,
    ) -> Post:
        master = MasterContent.objects.create(
            organization=self.org, market=channel.owner_market, dimension=self.dimension, pillar=pillar,
            title="t", body="b", source_language="en",
        )  # fmt: skip
        post = Post.objects.create(
            organization=self.org, channel=channel, market=channel.owner_market, master=master, text="Hello",
            scheduled_at=at, status=status,
        )  # fmt: skip
        if interactions is not None:
            # two snapshots: the later (larger, lifetime) counts are the post's
            first = at.date()
            PostMetricSnapshot.objects.create(
                organization=self.org, post=post, channel=channel, day=first, captured_at=at, likes=1, reposts=0
            )
            PostMetricSnapshot.objects.create(
                organization=self.org, post=post, channel=channel, day=first + dt.timedelta(days=1),
                captured_at=at + dt.timedelta(days=1), likes=interactions - 1, reposts=None, replies=1,
            )  # fmt: skip
        return post
