"""Approvals demo for Vireo Industries: circuits wired into the governance matrix and conditions, posts at every
stage of review (one overdue, one with changes requested, one approved), holding statements in four languages,
an external review link, and a crisis that happened six weeks ago with its full timeline.

Everything goes through the services; only the past crisis's dates are moved back afterwards, since services
always act "now"."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from harmonie.approvals.models import ApprovalCircuit, ApprovalStep, Crisis, CrisisEvent, StepStatus
from harmonie.approvals.services import circuits as circuit_services
from harmonie.approvals.services import crisis as crisis_services
from harmonie.approvals.services import external, workflow
from harmonie.approvals.services.circuits import StepSpec
from harmonie.content import services as content_services
from harmonie.content.models import Localization, MasterContent, Post, PostStatus
from harmonie.content.timeutils import local_to_utc
from harmonie.governance import services as governance_services
from harmonie.governance.models import Channel, Dimension, GovernanceRule, Market, Member, Organization, Role
from harmonie.governance.permissions import Actor, actor_for

PAST_CRISIS = "Delivery delays rumour in Germany"


def _actor(org: Organization, email: str) -> Actor:
    return actor_for(Member.objects.get(organization=org, user__email=email))


def _set_circuit(hq: Actor, dimension: Dimension, key: str) -> None:
    rule = GovernanceRule.objects.get(dimension=dimension, market__isnull=True)
    governance_services.governance_rule_set(
        actor=hq, dimension=dimension, market=None, ownership=rule.ownership, creators=rule.creators,
        local_variants=rule.local_variants, cross_market_visibility=rule.cross_market_visibility,
        approval_circuit=key,
    )  # fmt: skip


def _future(channel: Channel, days: int, hour: int) -> dt.datetime:
    """``days`` after next Monday (the content demo's first week) at ``hour`` on the channel's clock, so the demo
    weeks look the same whatever the day it is loaded."""
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return local_to_utc(monday + dt.timedelta(days=days), dt.time(hour, 0), channel.timezone)


@transaction.atomic
def load_demo(organization: Organization) -> bool:  # noqa: PLR0915 - a scripted story, read top to bottom
    if ApprovalCircuit.objects.filter(organization=organization).exists():
        return False
    hq = _actor(organization, "claire.martin@vireo.example")
    m = {x.code: x for x in Market.objects.filter(organization=organization)}
    d = {x.key: x for x in Dimension.objects.filter(organization=organization)}
    ch = {c.handle: c for c in Channel.objects.filter(organization=organization)}

    save = circuit_services.circuit_save
    brand = save(
        actor=hq, key="brand-hq", name="Brand review (HQ)",
        description="The HQ brand team checks tone, names and visuals.",
        steps=[StepSpec(name="Brand", role=Role.APPROVER_BRAND, market=m["GLOBAL"], response_hours=24)],
    )  # fmt: skip
    save(
        actor=hq, key="finance-legal", name="Finance, then legal",
        description="Regulated financial information: finance checks the figures, then every legal approver signs.",
        steps=[StepSpec(name="Finance", role=Role.APPROVER_FINANCE, response_hours=24),
               StepSpec(name="Legal (all)", role=Role.APPROVER_LEGAL, mode="all", response_hours=48)],
    )  # fmt: skip
    save(
        actor=hq, key="local-lead", name="Market lead",
        description="Local content is approved by the lead of the post's market.",
        steps=[StepSpec(name="Market lead", role=Role.MARKET_LEAD, response_hours=12)],
    )  # fmt: skip
    claims = save(
        actor=hq, key="legal-claims", name="Legal check of figures",
        description="Any figure, price or financial term is checked by legal.",
        steps=[StepSpec(name="Legal", role=Role.APPROVER_LEGAL, response_hours=24)],
    )  # fmt: skip
    crisis_circuit = save(
        actor=hq, key="crisis", name="Crisis cell",
        description="During a crisis: the org admin, then compliance, within two hours each.",
        steps=[StepSpec(name="Crisis lead", role=Role.ORG_ADMIN, response_hours=2),
               StepSpec(name="Compliance", role=Role.APPROVER_COMPLIANCE, response_hours=2)],
    )  # fmt: skip
    save(
        actor=hq, key="partner-signoff", name="Partner sign-off",
        description="Co-branded posts: the partner approves through a review link.",
        steps=[StepSpec(name="Partner", external=True, response_hours=72)],
    )  # fmt: skip

    _set_circuit(hq, d["product"], "brand-hq")
    _set_circuit(hq, d["corporate"], "brand-hq")
    _set_circuit(hq, d["financial"], "finance-legal")
    _set_circuit(hq, d["country"], "local-lead")
    circuit_services.condition_add(actor=hq, kind="figures", circuit=claims)
    circuit_services.condition_add(actor=hq, kind="charter_warn", circuit=brand)
    circuit_services.condition_add(actor=hq, kind="crisis", circuit=crisis_circuit)

    fr_cm = _actor(organization, "camille.durand@vireo.example")
    de_cm = _actor(organization, "jonas.weber@vireo.example")
    us_lead = _actor(organization, "emily.johnson@vireo.example")
    brand_approver = _actor(organization, "lucas.moreau@vireo.example")
    fr_lead = _actor(organization, "julien.bernard@vireo.example")
    master = MasterContent.objects.get(organization=organization, campaign__name="Vireo Coat X launch", kind="master")
    loc = {x.market.code: x for x in Localization.objects.filter(master=master).select_related("market")}

    # 1. France: brand approved, legal (figures) pending — shared with the external counsel.
    fr_post = content_services.post_create(
        actor=fr_cm, channel=ch["vireo-france"], localization=loc["FR"],
        text="Vireo Coat X durcit 30 % plus vite à 80 °C : vos lignes redémarrent plus tôt. "
             "Rencontrez nos ingénieurs au salon de Lyon.",
        scheduled_at=_future(ch["vireo-france"], 8, 9),
    )  # fmt: skip
    workflow.post_review(actor=brand_approver, post=fr_post, verb="approve", comment="Ton et nom conformes.")
    external.external_link_create(
        actor=fr_lead, posts=[fr_post], reviewer_name="Maître Anne Roux (external counsel)",
        reviewer_email="anne.roux@roux-avocats.example", days=7,
    )  # fmt: skip

    # 2. Germany: waiting for brand for longer than its 24 h target (overdue).
    de_post = content_services.post_create(
        actor=de_cm, channel=ch["vireo-deutschland"], localization=loc["DE"],
        text="Vireo Coat X härtet schneller aus: Ihre Linien laufen früher wieder an. Jetzt Test anfragen.",
        scheduled_at=_future(ch["vireo-deutschland"], 9, 10),
    )  # fmt: skip
    started = timezone.now() - dt.timedelta(hours=30)
    ApprovalStep.objects.filter(request__post=de_post, status=StepStatus.PENDING).update(
        started_at=started, due_at=started + dt.timedelta(hours=24)
    )

    # 3. United States: brand asked for changes.
    us_post = content_services.post_create(
        actor=us_lead, channel=ch["@VireoUS"], localization=loc["US"],
        text="Vireo Coat X makes a big difference: lines restart sooner. Ask our engineers for a trial!",
        scheduled_at=_future(ch["@VireoUS"], 10, 11),
    )  # fmt: skip
    workflow.post_review(
        actor=brand_approver, post=us_post, verb="request_changes",
        comment="'A big difference' is vague: say what changes for the line, with the figure (35% faster).",
    )  # fmt: skip

    # 4. France: a local post approved by the French market lead and scheduled.
    fr_local = MasterContent.objects.get(organization=organization, kind="local", title="Portes ouvertes à Lyon")
    fr_local_post = content_services.post_create(
        actor=fr_cm, channel=ch["vireo-fr.bsky.social"], master=fr_local,
        text="Nos équipes de Lyon vous accueillent samedi pour une visite de l'usine. Inscription sur notre site.",
        scheduled_at=_future(ch["vireo-fr.bsky.social"], 4, 12),
    )  # fmt: skip
    workflow.post_review(actor=fr_lead, post=fr_local_post, verb="approve", comment="Parfait, merci Camille.")

    # Holding statements, pre-approved by the org admin.
    crisis_dim = d["crisis"]
    statements = {
        "en": "We are aware of reports about our deliveries and are looking into them. We will share verified "
              "information here as soon as we have it.",
        "fr": "Nous avons connaissance d'informations concernant nos livraisons et les vérifions. Nous partagerons "
              "ici des informations vérifiées dès que possible.",
        "de": "Uns sind Berichte über unsere Lieferungen bekannt, und wir prüfen sie. Wir informieren hier, sobald "
              "wir gesicherte Informationen haben.",
        "pt-BR": "Estamos cientes de relatos sobre nossas entregas e estamos verificando. Compartilharemos aqui "
                 "informações confirmadas assim que as tivermos.",
    }  # fmt: skip
    stored = {
        lang: crisis_services.statement_save(
            actor=hq, title="Deliveries: we are looking into it", language=lang, text=text, dimension=crisis_dim
        )
        for lang, text in statements.items()
    }

    # A past crisis in Germany: declared, posts held, a statement out, posts released, ended with lessons.
    de_lead = _actor(organization, "katrin.schulz@vireo.example")
    crisis, held = crisis_services.crisis_declare(
        actor=de_lead, title=PAST_CRISIS, markets=[m["DE"]],
        reason="A trade forum claimed our Duisburg plant had stopped deliveries; customers asked on LinkedIn.",
    )  # fmt: skip
    statement_posts = crisis_services.statement_publish(
        actor=de_lead, crisis=crisis, statement=stored["de"], channels=[ch["vireo-deutschland"]]
    )
    crisis_services.crisis_note(
        actor=de_lead, crisis=crisis, text="Plant manager confirmed: deliveries on time; rumour traced to a competitor."
    )
    for post in held:
        post.refresh_from_db()
        crisis_services.crisis_release(actor=de_lead, crisis=crisis, post=post)
    crisis_services.crisis_end(
        actor=de_lead, crisis=crisis,
        summary="Statement out in 14 minutes. Next time: prepare the German FAQ in advance and brief sales.",
    )  # fmt: skip
    # Move that story six weeks back (the services stamp "now"); the statement went out then.
    shift = dt.timedelta(days=42)
    start = crisis.declared_at - shift
    offsets = {"declared": 0, "held": 0, "statement": 14, "note": 95, "released": 240, "ended": 300}  # minutes
    for event in CrisisEvent.objects.filter(crisis=crisis):
        CrisisEvent.objects.filter(pk=event.pk).update(at=start + dt.timedelta(minutes=offsets[event.kind]))
    Crisis.objects.filter(pk=crisis.pk).update(
        declared_at=start, ended_at=start + dt.timedelta(minutes=offsets["ended"]),
    )  # fmt: skip
    for post in statement_posts:
        Post.objects.filter(pk=post.pk).update(
            status=PostStatus.PUBLISHED, scheduled_at=start + dt.timedelta(minutes=offsets["statement"]),
            status_note="Holding statement (demo history).",
        )  # fmt: skip
    return True
