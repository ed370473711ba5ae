"""Strategy demo data for Vireo Industries: objectives with KPIs per market, audiences, the brand
platform, a charter with market-specific rules (French advertising disclosure, French "vous", German
"Sie"), cadence targets and format efforts. Loaded through the services; idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from harmonie.governance.models import Channel, Dimension, Market, Member, Organization, Role, RoleAssignment
from harmonie.governance.permissions import actor_for
from harmonie.strategy import services
from harmonie.strategy.models import Objective

Y0, Y1 = dt.date(2026, 1, 1), dt.date(2027, 6, 30)


@transaction.atomic
def load_demo(organization: Organization) -> bool:
    """Add the strategy demo to ``organization`` unless it has objectives already. True if loaded."""
    if Objective.objects.filter(organization=organization).exists():
        return False
    admin = Member.objects.get(
        pk=RoleAssignment.objects.filter(member__organization=organization, role=Role.ORG_ADMIN)
        .order_by("id")
        .values_list("member_id", flat=True)[0]
    )
    hq = actor_for(admin)
    m = {market.code: market for market in Market.objects.filter(organization=organization)}
    ch = {(c.network, c.handle): c for c in Channel.objects.filter(organization=organization)}
    dims = {d.key: d for d in Dimension.objects.filter(organization=organization)}

    services.strategy_policy_set(actor=hq, objectives_first=True)
    buyers = services.audience_create(
        actor=hq, name="Procurement and engineering leads", kind="b2b", relation_mode="expertise",
        approach="attract", voice="expert", description="Buyers, plant managers and R&D engineers in industry.",
    )  # fmt: skip
    services.audience_create(
        actor=hq, name="Investors and analysts", kind="b2b", relation_mode="visibility", approach="push",
        voice="executive", description="Shareholders, sell-side analysts, financial journalists.",
    )  # fmt: skip
    graduates = services.audience_create(
        actor=hq, name="Engineering graduates", kind="b2c", age_band="18-24", relation_mode="proximity",
        approach="attract", voice="community_manager", markets=[m["US"], m["FR"], m["DE"]],
        description="Final-year students and young engineers we want to hire.",
    )  # fmt: skip

    def objective(
        code: str, name: str, type: str, channels: list[tuple[str, str]], kpis: list[tuple[str, Any, Any]], **kw: Any
    ) -> None:
        obj = services.objective_create(
            actor=hq, market=m[code], name=name, type=type, period_start=Y0, period_end=Y1,
            channels=[ch[c] for c in channels], **kw,
        )  # fmt: skip
        for metric, baseline, target in kpis:
            services.kpi_create(actor=hq, objective=obj, metric=metric, baseline=baseline, target=target)

    objective(
        "GLOBAL", "Group reputation", "image",
        [("linkedin", "vireo-group"), ("x", "@VireoGroup"), ("bluesky", "vireo.bsky.social"),
         ("youtube", "VireoIndustries")],
        [("sentiment", 12, 25), ("share_of_voice", 18, 24)],
        relation_mode="visibility", approach="push", voice="brand",
    )  # fmt: skip
    objective(
        "FR", "Notoriété de Vireo France", "awareness",
        [("linkedin", "vireo-france"), ("bluesky", "vireo-fr.bsky.social")],
        [("reach", 120000, 200000), ("follower_growth", 0, 15)],
        audience=buyers, relation_mode="expertise", approach="attract", voice="expert",
    )  # fmt: skip
    objective(
        "DE", "Leads DACH", "data_capture", [("linkedin", "vireo-deutschland")],
        [("leads", 40, 90), ("ctr", "0.8", "1.5")], audience=buyers, relation_mode="expertise",
        approach="attract", voice="expert",
    )  # fmt: skip
    objective(
        "US", "Engineering recruitment", "recruitment", [("x", "@VireoUS"), ("facebook", "VireoUSA")],
        [("applications", 60, 150)], audience=graduates, relation_mode="proximity", approach="attract",
        voice="community_manager",
    )  # fmt: skip
    objective(
        "BR", "Engajamento Brasil", "engagement", [("instagram", "@vireo.brasil"), ("facebook", "VireoBrasil")],
        [("engagement_rate", "2.1", "3.5")], relation_mode="proximity", approach="attract", voice="community_manager",
    )  # fmt: skip
    # Japan measures X only: its Threads channel is left without an objective, which the
    # objectives-first policy flags.
    objective(
        "JP", "Product awareness Japan", "awareness", [("x", "@Vireo_JP")], [("impressions", 150000, 500000)],
        relation_mode="visibility", approach="push", voice="brand",
    )  # fmt: skip

    services.brand_platform_update(
        actor=hq,
        dna="Materials science that makes industry lighter, cleaner and longer-lasting.",
        story="Founded in Lyon in 1921 as a ceramics workshop, Vireo became a group of 40 plants on four continents, "
        "still run by engineers who like to show how things are made.",
        value_proposition="Specialty minerals and coatings co-developed with customers' engineers, "
        "delivered with local technical support in every market.",
        tone_of_voice="Expert but plain-spoken; concrete figures over superlatives; warm with communities, "
        "formal with customers (vous / Sie).",
        names=["Vireo", "Vireo Coat X"],
    )
    messages = [
        services.key_message_create(actor=hq, text="Our materials cut our customers' CO2 emissions by 20% on average."),
        services.key_message_create(actor=hq, text="We co-develop with our customers' engineers, close to their plants."),
        services.key_message_create(actor=hq, text="Vireo is a place where engineers grow."),
    ]  # fmt: skip
    services.key_message_adapt(actor=hq, message=messages[0], market=m["FR"],
                               text="Nos matériaux réduisent en moyenne de 20 % les émissions de CO2 de nos clients.")  # fmt: skip
    services.key_message_adapt(actor=hq, message=messages[0], market=m["DE"],
                               text="Unsere Werkstoffe senken die CO2-Emissionen unserer Kunden um durchschnittlich 20 %.")  # fmt: skip
    services.pillars_set(
        actor=hq,
        pillars=[
            {"name": "Expertise", "target_share": 40, "description": "How things are made; engineers speak."},
            {"name": "Proximity", "target_share": 30, "description": "Plants, people and local communities."},
            {"name": "Product", "target_share": 30, "description": "Offers, launches, customer cases."},
        ],
    )

    rules: list[tuple[Market, str, str, str, dict[str, Any], str, Dimension | None, str]] = [
        (m["GLOBAL"], "Unsubstantiated superlatives", "banned_term", "block",
         {"terms": ["revolutionary", "révolutionnaire", "revolutionär", "game changer", "best in the world",
                    "guaranteed", "garanti"], "exceptions": ["garantie légale"]},
         "Claims we cannot prove expose us to misleading-advertising complaints in every market.", None, ""),
        (m["GLOBAL"], "Competitors are not named", "competitor", "warn", {"names": ["Nordalys", "Acme Materials"]},
         "We never name competitors; legal reviews any comparison.", None, ""),
        (m["GLOBAL"], "Tracked links", "utm", "warn", {"domains": ["vireo.example"]},
         "Drive-to-web objectives are measured with UTM parameters on our own links.", None, ""),
        (m["GLOBAL"], "Three hashtags at most", "hashtags", "warn", {"max": 3, "forbidden": ["#ad"]},
         "More than three hashtags reads as spam; #ad is not a valid disclosure for us.", None, ""),
        (m["GLOBAL"], "Two emoji at most", "emoji", "warn", {"max": 2},
         "Our tone is expert and plain-spoken.", None, ""),
        (m["GLOBAL"], "LinkedIn: before 'see more'", "length", "warn", {"max": 1300, "network": "linkedin"},
         "LinkedIn folds long posts; key messages must come first and stay short.", None, "linkedin"),
        (m["GLOBAL"], "Closed period before FY2026 results", "quiet_period", "block",
         {"start": "2027-01-15T00:00:00+01:00", "end": "2027-02-12T08:00:00+01:00", "dimensions": ["financial"],
          "reason": "Closed period before the FY2026 results (12 February 2027, 07:30 Paris)."},
         "Market-abuse rules: no financial communication during the closed period.", dims["financial"], ""),
        (m["FR"], "Mention « Publicité » des partenariats", "required_mention", "block",
         {"when_any": ["partenariat", "sponsorisé", "en collaboration avec", "#partenaire"],
          "mentions": ["Publicité", "Collaboration commerciale"]},
         "Loi n° 2023-451 du 9 juin 2023 : un partenariat commercial doit porter la mention "
         "« Publicité » ou « Collaboration commerciale ».", None, ""),
        (m["FR"], "Vouvoiement", "address_form", "block", {"language": "fr", "form": "formal"},
         "Vireo vouvoie ses clients et ses candidats.", None, ""),
        (m["DE"], "Siezen", "address_form", "warn", {"language": "de", "form": "formal"},
         "Vireo siezt Kunden und Bewerber.", None, ""),
    ]  # fmt: skip
    for market, name, kind, severity, params, rationale, dimension, network in rules:
        services.charter_rule_create(
            actor=hq, market=market, name=name, kind=kind, severity=severity, params=params, rationale=rationale,
            dimension=dimension, network=network,
        )  # fmt: skip

    cadence: list[tuple[tuple[str, str], int | str, str, str]] = [
        (("linkedin", "vireo-group"), 5, "text", "Buffer and SumAll 2014: once per weekday"),
        (("x", "@VireoGroup"), 7, "text", "One a day; far below the 2010 Fortune 500 average of 27"),
        (("bluesky", "vireo.bsky.social"), 5, "text", ""),
        (("youtube", "VireoIndustries"), "0.5", "video", "Two films a month"),
        (("linkedin", "vireo-france"), 3, "text", ""),
        (("bluesky", "vireo-fr.bsky.social"), 3, "text", ""),
        (("linkedin", "vireo-deutschland"), 3, "text", ""),
        (("mastodon", "vireo_de@mastodon.social"), 2, "text", ""),
        (("x", "@VireoUS"), 10, "text", ""),
        (("facebook", "VireoUSA"), "3.6", "image", "Fortune 500 2010 average on Facebook (seed 004)"),
        (("instagram", "@vireo.brasil"), 4, "image", "Hootsuite 2023: 3 to 7 a week"),
        (("facebook", "VireoBrasil"), 3, "image", ""),
        (("x", "@Vireo_JP"), 14, "image", "Twice a day with visuals for the product launch"),
        (("threads", "@vireo.japan"), 7, "image", ""),
    ]  # fmt: skip
    for key, per_week, fmt, basis in cadence:
        services.cadence_target_set(actor=hq, channel=ch[key], posts_per_week=per_week, main_format=fmt, basis=basis)
    for fmt, minutes in (("text", 30), ("image", 60), ("video", 240), ("live", 180)):
        services.format_effort_set(actor=hq, format=fmt, minutes_per_post=minutes)
    return True
