"""The demo organization: Vireo Industries, a fictional industrial B2B group (specialty materials).

Loaded through the services, as a person would set it up, so the audit log tells the story too.
Idempotent: loading it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from harmonie.accounts.models import User
from harmonie.governance import services
from harmonie.governance.models import (
    Creators,
    Dimension,
    LocalVariants,
    Market,
    MarketKind,
    Member,
    Organization,
    Ownership,
    Role,
    Team,
    TeamKind,
)
from harmonie.governance.permissions import actor_for

DEMO_SLUG = "vireo"
DEMO_PASSWORD = "harmonie-demo"


@dataclass(frozen=True)
class Persona:
    key: str
    email: str
    first_name: str
    last_name: str
    role: str
    market: str
    team: str
    language: str = "en"
    weekly_hours: int = 0


PERSONAS: list[Persona] = [
    Persona("hq_admin", "claire.martin@vireo.example", "Claire", "Martin", Role.ORG_ADMIN, "GLOBAL", "HQ Social Media", "fr", 30),
    Persona("fr_market_lead", "julien.bernard@vireo.example", "Julien", "Bernard", Role.MARKET_LEAD, "FR", "France", "fr", 10),
    Persona("fr_community_manager", "camille.durand@vireo.example", "Camille", "Durand", Role.COMMUNITY_MANAGER, "FR", "France", "fr", 35),
    Persona("de_market_lead", "katrin.schulz@vireo.example", "Katrin", "Schulz", Role.MARKET_LEAD, "DE", "Germany", "en", 10),
    Persona("de_community_manager", "jonas.weber@vireo.example", "Jonas", "Weber", Role.COMMUNITY_MANAGER, "DE", "Germany", "en", 30),
    Persona("us_market_lead", "emily.johnson@vireo.example", "Emily", "Johnson", Role.MARKET_LEAD, "US", "USA", "en", 15),
    Persona("br_community_manager", "ana.souza@vireo.example", "Ana", "Souza", Role.COMMUNITY_MANAGER, "BR", "Brazil", "en", 35),
    Persona("jp_market_lead", "haruto.sato@vireo.example", "Haruto", "Sato", Role.MARKET_LEAD, "JP", "Japan", "en", 20),
    Persona("agency_contributor", "tom.baker@northlight.example", "Tom", "Baker", Role.CONTRIBUTOR, "US", "Northlight Agency", "en", 12),
    Persona("legal_approver", "sophie.laurent@vireo.example", "Sophie", "Laurent", Role.APPROVER_LEGAL, "GLOBAL", "HQ Social Media", "fr"),
    Persona("compliance_approver", "marc.dubois@vireo.example", "Marc", "Dubois", Role.APPROVER_COMPLIANCE, "GLOBAL", "HQ Social Media", "fr"),
    Persona("finance_approver", "nadia.haddad@vireo.example", "Nadia", "Haddad", Role.APPROVER_FINANCE, "GLOBAL", "HQ Social Media", "en"),
    Persona("brand_approver", "lucas.moreau@vireo.example", "Lucas", "Moreau", Role.APPROVER_BRAND, "GLOBAL", "HQ Social Media", "fr"),
    Persona("analyst", "ines.garcia@vireo.example", "Inès", "Garcia", Role.ANALYST, "GLOBAL", "HQ Social Media", "en"),
]  # fmt: skip

# code, name, kind, parent code, languages, time zone, currency
MARKETS = [
    ("EUROPE", "Europe", MarketKind.REGION, "GLOBAL", ["en", "fr", "de"], "Europe/Brussels", "EUR"),
    ("FR", "France", MarketKind.COUNTRY, "EUROPE", ["fr-FR"], "Europe/Paris", "EUR"),
    ("DE", "Germany", MarketKind.COUNTRY, "EUROPE", ["de-DE"], "Europe/Berlin", "EUR"),
    ("AMERICAS", "Americas", MarketKind.REGION, "GLOBAL", ["en", "pt", "es"], "America/New_York", "USD"),
    ("US", "United States", MarketKind.COUNTRY, "AMERICAS", ["en-US", "es-US"], "America/New_York", "USD"),
    ("BR", "Brazil", MarketKind.COUNTRY, "AMERICAS", ["pt-BR"], "America/Sao_Paulo", "BRL"),
    ("APAC", "Asia-Pacific", MarketKind.REGION, "GLOBAL", ["en", "ja"], "Asia/Singapore", "USD"),
    ("JP", "Japan", MarketKind.COUNTRY, "APAC", ["ja-JP"], "Asia/Tokyo", "JPY"),
]

TEAMS = [
    ("HQ Social Media", TeamKind.HQ, None, "Group communications, Paris headquarters."),
    ("France", TeamKind.MARKET, "FR", ""),
    ("Germany", TeamKind.MARKET, "DE", ""),
    ("USA", TeamKind.MARKET, "US", ""),
    ("Brazil", TeamKind.MARKET, "BR", ""),
    ("Japan", TeamKind.MARKET, "JP", ""),
    ("Northlight Agency", TeamKind.AGENCY, "US", "External agency producing US content."),
]

# network, handle, display name, owner market, served markets, time zone ("" = owner's)
CHANNELS = [
    ("linkedin", "vireo-group", "Vireo Group", "GLOBAL", ["FR", "DE", "US", "BR", "JP"], "Europe/Paris"),
    ("x", "@VireoGroup", "Vireo Group", "GLOBAL", ["FR", "DE", "US", "BR", "JP"], "Europe/Paris"),
    ("bluesky", "vireo.bsky.social", "Vireo Group", "GLOBAL", ["FR", "DE", "US"], "Europe/Paris"),
    ("youtube", "VireoIndustries", "Vireo Industries", "GLOBAL", [], "Europe/Paris"),
    ("linkedin", "vireo-france", "Vireo France", "FR", ["FR"], ""),
    ("bluesky", "vireo-fr.bsky.social", "Vireo France", "FR", ["FR"], ""),
    ("linkedin", "vireo-deutschland", "Vireo Deutschland", "DE", ["DE"], ""),
    ("mastodon", "vireo_de@mastodon.social", "Vireo Deutschland", "DE", ["DE"], ""),
    ("x", "@VireoUS", "Vireo US", "US", ["US"], ""),
    ("facebook", "VireoUSA", "Vireo USA", "US", ["US"], ""),
    ("instagram", "@vireo.brasil", "Vireo Brasil", "BR", ["BR"], ""),
    ("facebook", "VireoBrasil", "Vireo Brasil", "BR", ["BR"], ""),
    ("x", "@Vireo_JP", "Vireo Japan", "JP", ["JP"], ""),
    ("threads", "@vireo.japan", "Vireo Japan", "JP", ["JP"], ""),
]


def _user(persona: Persona) -> User:
    user_model = get_user_model()
    user = user_model.objects.filter(email=persona.email).first()
    if user is None:
        user = user_model.objects.create_user(
            email=persona.email,
            password=DEMO_PASSWORD,
            first_name=persona.first_name,
            last_name=persona.last_name,
            language=persona.language,
        )
    return user


@transaction.atomic
def load_demo() -> tuple[Organization, bool]:
    """Create the demo organization if missing. Returns (organization, created)."""
    existing = Organization.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing, False

    admin = _user(PERSONAS[0])
    org, admin_member = services.organization_create(
        name="Vireo Industries",
        slug=DEMO_SLUG,
        admin_user=admin,
        preset="mixed",
        languages=["en", "fr"],
        timezone="Europe/Paris",
        currency="EUR",
    )
    hq = actor_for(admin_member)
    markets: dict[str, Market] = {"GLOBAL": Market.objects.get(organization=org, parent__isnull=True)}
    for code, name, kind, parent, languages, tz, currency in MARKETS:
        markets[code] = services.market_create(
            actor=hq, parent=markets[parent], kind=kind, code=code, name=name,
            languages=languages, timezone=tz, currency=currency,
        )  # fmt: skip
    teams: dict[str, Team] = {}
    for name, team_kind, market_code, description in TEAMS:
        teams[name] = services.team_create(
            actor=hq, name=name, kind=team_kind, market=markets[market_code] if market_code else None,
            description=description,
        )  # fmt: skip
    for persona in PERSONAS:
        user = _user(persona)
        member = admin_member if persona.key == "hq_admin" else Member.objects.create(organization=org, user=user)
        services.member_update(
            actor=hq, member=member, team=teams[persona.team], is_active=True, weekly_hours=persona.weekly_hours
        )
        services.role_assign(actor=hq, member=member, role=persona.role, market=markets[persona.market])
    # A French community manager also helps in Belgium? No: keep roles simple and readable.

    dims = {d.key: d for d in Dimension.objects.filter(organization=org)}
    services.dimension_create(actor=hq, name="Innovation & R&D", key="innovation",
                              description="Research partnerships, patents, lab stories.")  # fmt: skip
    dims = {d.key: d for d in Dimension.objects.filter(organization=org)}
    # Tuned cells on top of the mixed preset, as a real HQ would after its first workshop.
    services.governance_rule_set(
        actor=hq, dimension=dims["product"], market=markets["JP"], ownership=Ownership.GLOBAL_LED,
        creators=Creators.GLOBAL_TEAM, local_variants=LocalVariants.REQUIRED,
    )  # fmt: skip
    services.governance_rule_set(
        actor=hq, dimension=dims["country"], market=markets["BR"], ownership=Ownership.LOCAL_FREE,
        creators=Creators.CONTRIBUTORS, local_variants=LocalVariants.ALLOWED,
    )  # fmt: skip
    services.governance_rule_set(
        actor=hq, dimension=dims["product"], market=markets["EUROPE"], ownership=Ownership.GLOBAL_LED,
        creators=Creators.MARKET_LEADS, local_variants=LocalVariants.ALLOWED, cross_market_visibility=True,
    )  # fmt: skip

    for network, handle, display, owner, served, tz in CHANNELS:
        services.channel_create(
            actor=hq, network=network, handle=handle, display_name=display, owner_market=markets[owner],
            served_markets=[markets[c] for c in served], timezone=tz,
        )  # fmt: skip

    year = 2026
    quarters = [(dt.date(year, m, 1), dt.date(year + (m + 3 > 12), (m + 2) % 12 + 1, 1) - dt.timedelta(days=1))
                for m in (1, 4, 7, 10)]  # fmt: skip
    # Quarterly product budgets growing by a step, in each market's own currency.
    amounts = {"FR": (9000, 500), "DE": (11000, 500), "US": (18000, 500), "BR": (30000, 1500), "JP": (1200000, 60000)}
    for code, (base, step) in amounts.items():
        for i, (start, end) in enumerate(quarters):
            services.budget_create(actor=hq, market=markets[code], dimension=dims["product"], period_start=start,
                                   period_end=end, planned_amount=base + step * i)  # fmt: skip
            services.budget_create(actor=hq, market=markets[code], dimension=dims["country"], period_start=start,
                                   period_end=end, planned_amount=base // 3)  # fmt: skip
    services.budget_create(actor=hq, market=markets["GLOBAL"], dimension=dims["corporate"],
                           period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31),
                           planned_amount=60000, notes="Group brand campaign and always-on corporate content")  # fmt: skip
    services.budget_create(actor=hq, market=markets["GLOBAL"], dimension=dims["financial"],
                           period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31),
                           planned_amount=12000, notes="Results days: video and LinkedIn promotion")  # fmt: skip
    return org, True


def demo_logins() -> list[tuple[str, str, str]]:
    """(persona, e-mail, role @ market) for the README and the demo command's output."""
    return [(p.key, p.email, f"{Role(p.role).label} @ {p.market}") for p in PERSONAS]
