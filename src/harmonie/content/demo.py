"""Content demo for Vireo Industries: a campaign with staggered launches, a master in five markets with
localizations in every state (one outdated), local content, and a month of scheduled posts.

Dates are relative to today so the calendar always has the coming month filled; everything goes through
the services, so every post passed the network limits, objectives first and the charter."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from harmonie.content import services
from harmonie.content.models import Campaign, Localization, MasterContent
from harmonie.content.timeutils import local_to_utc
from harmonie.governance.models import Budget, Channel, Dimension, Market, Member, Organization, Role, RoleAssignment
from harmonie.governance.permissions import Actor, actor_for
from harmonie.strategy.models import ContentPillar, KeyMessage, Objective

CAMPAIGN = "Vireo Coat X launch"


def _actor(org: Organization, email: str) -> Actor:
    return actor_for(Member.objects.get(organization=org, user__email=email))


@transaction.atomic
def load_demo(organization: Organization) -> bool:
    if Campaign.objects.filter(organization=organization, name=CAMPAIGN).exists():
        return False
    admin_id = (
        RoleAssignment.objects.filter(member__organization=organization, role=Role.ORG_ADMIN)
        .order_by("id")
        .values_list("member_id", flat=True)[0]
    )
    hq = actor_for(Member.objects.get(pk=admin_id))
    fr_lead = _actor(organization, "julien.bernard@vireo.example")
    fr_cm = _actor(organization, "camille.durand@vireo.example")
    de_lead = _actor(organization, "katrin.schulz@vireo.example")
    us_lead = _actor(organization, "emily.johnson@vireo.example")
    br_cm = _actor(organization, "ana.souza@vireo.example")
    jp_lead = _actor(organization, "haruto.sato@vireo.example")
    m = {x.code: x for x in Market.objects.filter(organization=organization)}
    d = {x.key: x for x in Dimension.objects.filter(organization=organization)}
    ch = {c.handle: c for c in Channel.objects.filter(organization=organization)}

    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())  # next Monday
    campaign = services.campaign_create(
        actor=hq, name=CAMPAIGN, dimension=d["product"],
        description="A coating that cures 30% faster, launched market by market.",
        objectives=list(Objective.objects.filter(organization=organization, market__code__in=["FR", "DE", "JP"])),
        budget=Budget.objects.filter(organization=organization, market=m["FR"], dimension=d["product"])
        .order_by("-period_start").first(),
        launches=[(m["FR"], monday), (m["DE"], monday + dt.timedelta(days=7)),
                  (m["US"], monday + dt.timedelta(days=14)), (m["BR"], monday + dt.timedelta(days=21)),
                  (m["JP"], monday + dt.timedelta(days=28))],
        status="active",
    )  # fmt: skip
    pillar = ContentPillar.objects.filter(organization=organization, name="Product").first()
    master = services.master_create(
        actor=hq, market=m["GLOBAL"], dimension=d["product"], campaign=campaign, pillar=pillar,
        title="Vireo Coat X: curing 30% faster",
        body="Vireo Coat X cures 30% faster at 80 °C, so lines restart sooner. Ask our engineers for a trial.",
        source_language="en",
        key_messages=list(KeyMessage.objects.filter(organization=organization, text__startswith="We co-develop")),
    )  # fmt: skip
    fr = services.localization_request(actor=hq, master=master, market=m["FR"], language="fr-FR")
    services.localization_adapt(
        actor=fr_lead, localization=fr, title="Vireo Coat X : 30 % plus rapide",
        body="Vireo Coat X durcit 30 % plus vite à 80 °C : vos lignes redémarrent plus tôt. "
        "Demandez un essai à nos ingénieurs.",
    )  # fmt: skip
    de = services.localization_request(actor=hq, master=master, market=m["DE"], language="de-DE")
    us = services.localization_request(actor=hq, master=master, market=m["US"], language="en-US")
    services.localization_adopt(actor=us_lead, localization=us)
    br = services.localization_request(actor=hq, master=master, market=m["BR"], language="pt-BR")
    services.localization_decline(
        actor=br_cm, localization=br, reason="Certification pending in Brazil: we launch in the second half."
    )
    services.localization_request(actor=hq, master=master, market=m["JP"], language="ja-JP")  # stays pending
    # HQ corrects the figure after France adapted: France's wording is now outdated.
    services.master_update(
        actor=hq, master=master, title="Vireo Coat X: curing 35% faster",
        body="Vireo Coat X cures 35% faster at 80 °C, so lines restart sooner. Ask our engineers for a trial.",
        pillar=pillar, campaign=campaign,
        key_messages=list(master.key_messages.all()),
    )  # fmt: skip
    services.localization_adapt(
        actor=de_lead, localization=de, title="Vireo Coat X: 35 % schneller",
        body="Vireo Coat X härtet bei 80 °C 35 % schneller aus: Ihre Linien laufen früher wieder an. "
        "Fragen Sie unsere Ingenieure nach einem Test.",
    )  # fmt: skip

    fr_local = services.master_create(
        actor=fr_cm, market=m["FR"], dimension=d["country"], kind="local", title="Portes ouvertes à Lyon",
        body="Nos équipes de Lyon vous accueillent pour une visite de l'usine. Inscription sur notre site.",
        source_language="fr",
    )  # fmt: skip
    us_local = services.master_create(
        actor=us_lead, market=m["US"], dimension=d["country"], kind="local", title="Plant tour in Ohio",
        body="Meet the Akron team: our plant opens its doors to engineering students.",
        source_language="en",
    )  # fmt: skip
    jp_local = services.master_create(
        actor=jp_lead, market=m["JP"], dimension=d["country"], kind="local", title="東京ショールーム",
        body="東京ショールームで新しいコーティングをご覧いただけます。", source_language="ja",
    )  # fmt: skip

    plan = [
        # (actor, channel handle, source, weekdays, local hour)
        (fr_cm, "vireo-france", ("loc", fr), (0, 2, 4), 9),
        (fr_cm, "vireo-fr.bsky.social", ("local", fr_local), (1, 3), 12),
        (de_lead, "vireo-deutschland", ("loc", de), (0, 2, 4), 10),
        (us_lead, "@VireoUS", ("loc", us), (0, 1, 2, 3, 4), 11),
        (us_lead, "VireoUSA", ("local", us_local), (2,), 13),
        (jp_lead, "@Vireo_JP", ("local", jp_local), (1, 3), 9),
    ]
    for actor, handle, (_kind, source), weekdays, hour in plan:
        channel = ch[handle]
        for week in range(4):
            for weekday in weekdays:
                day = monday + dt.timedelta(days=7 * week + weekday)
                at = local_to_utc(day, dt.time(hour, 0), channel.timezone)
                if isinstance(source, Localization):
                    services.post_create(actor=actor, channel=channel, localization=source, scheduled_at=at)
                else:
                    assert isinstance(source, MasterContent)
                    services.post_create(actor=actor, channel=channel, master=source, scheduled_at=at)
    return True


def demo_master(organization: Organization) -> MasterContent:
    return MasterContent.objects.get(organization=organization, campaign__name=CAMPAIGN, kind="master")
