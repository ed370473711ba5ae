"""Regression tests for the tracking review: upload size checked before reading, unreadable addresses, the spend
year, campaigns and channels scoped to the row's market, one currency per budget, totals summed by the database,
the QR route, reserved link purposes, dates in the market's zone, and the preset edit permission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from harmonie.accounts.models import User
from harmonie.accounts.services import token_create
from harmonie.analytics.forms_tracking import ImportForm, LeadForm, ShortLinkForm
from harmonie.analytics.models.tracking import LeadEntry, ShortLink
from harmonie.analytics.selectors import tracking as selectors
from harmonie.analytics.services import tracking as services
from harmonie.analytics.services.tracking.parsing import MAX_IMPORT_BYTES
from harmonie.analytics.views import tracking as views
from harmonie.content.models import Campaign, CampaignLaunch, Localization, Post
from harmonie.core.errors import ValidationFailed
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Budget, Channel, Dimension, Organization
from harmonie.strategy.models import CharterRule
from harmonie.strategy.services.charter import charter_rule_create

UNREADABLE = (
    "This address cannot be read: check the site name, the brackets around an IPv6 address and the port "
    "(a number up to 65535)."
)
DE_CHANNEL = "The channel vireo-deutschland neither belongs to nor serves France: choose one of its channels."


@pytest.fixture
def api_for(demo_org: Organization) -> Callable[[str], Client]:
    emails = {p.key: p.email for p in PERSONAS}

    def get(key: str) -> Client:
        _token, raw = token_create(user=User.objects.get(email=emails[key]), organization_id=demo_org.pk, name="t")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return get


@pytest.fixture
def de_campaign(demo_org: Organization, market: Any) -> Campaign:
    campaign = Campaign.objects.create(
        organization=demo_org, name="Winterjacke DE", dimension=Dimension.objects.filter(organization=demo_org)[0]
    )
    CampaignLaunch.objects.create(campaign=campaign, market=market("DE"), launch_date=dt.date(2026, 10, 1))
    return campaign


# 1. upload size ----------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english_readers(db: None) -> None:
    """The personas read these pages in English: the messages asserted below are the English ones."""
    User.objects.update(language="en")


def test_an_oversized_upload_is_refused_from_its_size_before_reading(client_for: Any) -> None:
    big = SimpleUploadedFile("big.csv", b"x" * (MAX_IMPORT_BYTES + 1), content_type="text/csv")
    form = ImportForm(data={}, files={"file": big})
    assert not form.is_valid()
    assert form.errors["file"] == ["The file is 5.0 MB; 5 MB at most: split it into smaller files."]
    assert big.tell() == 0  # not a byte read
    upload = SimpleUploadedFile("big.csv", b"x" * (MAX_IMPORT_BYTES + 1), content_type="text/csv")
    response = client_for("fr_market_lead").post(reverse("analytics:lead_import"), {"file": upload})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The file is 5.0 MB; 5 MB at most: split it into smaller files."]
    assert LeadEntry.objects.count() == 0


# 2. unreadable addresses ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://[abc/", "https://vireo.example:99999/x", "http://[::1"])
def test_unreadable_addresses_are_a_clear_error(url: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.clean_destination(url)
    assert (exc.value.message, exc.value.field) == (UNREADABLE, "destination")


def test_unreadable_addresses_answer_400_on_the_builder_the_form_and_the_api(
    client_for: Any, market: Any, api_for: Any
) -> None:
    client = client_for("fr_market_lead")
    builder = client.get(reverse("analytics:utm_builder"), {"url": "http://[abc/", "market": market("FR").pk})
    assert builder.status_code == 400
    assert builder.context["form"].errors["url"] == [UNREADABLE]
    created = client.post(reverse("analytics:link_create"), {"destination": "http://[abc/", "market": market("FR").pk})
    assert created.status_code == 400
    assert created.context["form"].errors["destination"] == [UNREADABLE]
    api = api_for("fr_market_lead").post(
        "/api/v1/analytics/links",
        {"destination": "http://[abc/", "market_id": market("FR").pk},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["message"] == UNREADABLE
    assert ShortLink.objects.count() == 0


# 3. the spend year ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["99999", "0", "1999", "abc"])
def test_an_out_of_range_spend_year_falls_back_with_a_message(client_for: Any, year: str) -> None:
    response = client_for("fr_market_lead").get(reverse("analytics:spend"), {"year": year})
    this_year = timezone.localdate().year
    assert response.status_code == 400
    assert response.context["year"] == this_year
    assert [str(m) for m in response.context["messages"]] == [
        f"The year must be a number from 2000 to 2100; showing {this_year}."
    ]


# 4. campaigns and channels scoped to the row's market ------------------------------------------------------------


def test_a_fr_manager_cannot_attach_a_de_channel_or_campaign(persona: Any, market: Any, de_campaign: Campaign) -> None:
    fr_lead = persona("fr_market_lead")
    de_channel = Channel.objects.get(handle="vireo-deutschland")
    with pytest.raises(ValidationFailed) as exc:
        services.lead_record(actor=fr_lead, market=market("FR"), day=dt.date(2026, 3, 2), count=3, channel=de_channel)
    assert (exc.value.message, exc.value.field) == (DE_CHANNEL, "channel")
    with pytest.raises(ValidationFailed) as exc:
        services.short_link_create(
            actor=fr_lead, market=market("FR"), destination="https://vireo.example/", channel=de_channel
        )
    assert exc.value.message == DE_CHANNEL
    with pytest.raises(ValidationFailed) as exc:
        services.spend_record(
            actor=fr_lead,
            market=market("FR"),
            media_type="paid",
            period_start=dt.date(2026, 3, 1),
            period_end=dt.date(2026, 3, 31),
            amount="10",
            channel=de_channel,
        )
    assert exc.value.message == DE_CHANNEL
    with pytest.raises(ValidationFailed) as exc:
        services.lead_record(actor=fr_lead, market=market("FR"), day=dt.date(2026, 3, 2), count=3, campaign=de_campaign)
    assert (exc.value.message, exc.value.field) == (
        "The campaign Winterjacke DE is not run in France: choose one of its campaigns.",
        "campaign",
    )
    with pytest.raises(services.ImportFailed) as imp:
        services.lead_import(actor=fr_lead, data=b"market;day;leads;channel\nFR;2026-03-02;1;vireo-deutschland\n")
    assert imp.value.errors == [f"Line 2: {DE_CHANNEL}"]
    # The Global channel serving France, and France's own, are accepted.
    for handle in ("vireo-group", "vireo-france"):
        lead = services.lead_record(
            actor=fr_lead,
            market=market("FR"),
            day=dt.date(2026, 3, 2),
            count=1,
            source=handle,
            channel=Channel.objects.get(handle=handle),
        )
        assert lead.channel.handle == handle
    assert LeadEntry.objects.count() == 2


def test_form_choices_are_the_markets_channels_and_campaigns(persona: Any, de_campaign: Campaign) -> None:
    fr_form = ShortLinkForm(actor=persona("fr_market_lead"))
    handles = set(fr_form.fields["channel"].queryset.values_list("handle", flat=True))  # type: ignore[attr-defined]
    assert "vireo-deutschland" not in handles
    assert "vireo_de@mastodon.social" not in handles
    assert {"vireo-france", "vireo-fr.bsky.social", "vireo-group", "@VireoGroup", "vireo.bsky.social"} <= handles
    assert "VireoIndustries" not in handles  # Global's, serving no market of the FR lead
    assert de_campaign not in fr_form.fields["campaign"].queryset  # type: ignore[attr-defined]
    de_form = LeadForm(actor=persona("de_market_lead"))
    assert de_campaign in de_form.fields["campaign"].queryset  # type: ignore[attr-defined]
    assert "vireo-deutschland" in set(
        de_form.fields["channel"].queryset.values_list("handle", flat=True)  # type: ignore[attr-defined]
    )


# 5. one currency per budget ------------------------------------------------------------------------------------


def test_spend_linked_to_a_budget_must_be_in_its_currency(persona: Any, market: Any) -> None:
    fr = market("FR")
    budget = Budget.objects.select_related("dimension").get(
        market=fr, dimension__key="product", period_start=dt.date(2026, 1, 1)
    )
    Budget.objects.filter(pk=budget.pk).update(currency="USD")
    budget.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.spend_record(
            actor=persona("fr_market_lead"),
            market=fr,
            media_type="paid",
            period_start=dt.date(2026, 2, 1),
            period_end=dt.date(2026, 2, 28),
            amount="100",
            currency="EUR",
            budget=budget,
        )
    assert (exc.value.message, exc.value.field) == (
        f"This spend counts against the {budget.dimension.name} budget of France, kept in USD: "
        "enter the amount in USD (convert it from EUR).",
        "currency",
    )
    entry = services.spend_record(
        actor=persona("fr_market_lead"),
        market=fr,
        media_type="paid",
        period_start=dt.date(2026, 2, 1),
        period_end=dt.date(2026, 2, 28),
        amount="100",
        budget=budget,
    )
    assert (entry.currency, entry.budget_id) == ("USD", budget.pk)


# 6. totals over every row, not the listed ones -----------------------------------------------------------------


def test_lead_and_spend_totals_are_summed_by_the_database(
    persona: Any, market: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "LIST_LIMIT", 2)
    actor = persona("fr_market_lead")
    for day, count in ((1, 1), (2, 2), (3, 4)):
        services.lead_record(actor=actor, market=market("FR"), day=dt.date(2026, 3, day), count=count)
        services.spend_record(
            actor=actor,
            market=market("FR"),
            media_type="earned",
            period_start=dt.date(2026, 3, day),
            period_end=dt.date(2026, 3, day),
            amount=str(count * 10),
        )
    client = client_for("fr_market_lead")
    leads = client.get(reverse("analytics:leads"))
    assert (len(leads.context["leads"]), leads.context["total"]) == (2, 7)
    assert "7 leads in all (every entry of the filter, not only the rows shown)." in leads.content.decode()
    spend = client.get(reverse("analytics:spend"), {"year": "2026"})
    assert len(spend.context["entries"]) == 2
    assert [(b.unit, b.value) for b in spend.context["by_media"]] == [("EUR", Decimal("70.00"))]


# 7. the QR route -----------------------------------------------------------------------------------------------


def test_qr_kind_is_svg_or_png_only_and_the_file_name_is_the_code(persona: Any, market: Any, client_for: Any) -> None:
    link = services.qr_link_create(
        actor=persona("fr_market_lead"), market=market("FR"), destination="https://v.example/"
    )
    client = client_for("fr_market_lead")
    with pytest.raises(NoReverseMatch):
        reverse("analytics:link_qr", args=[link.pk, "gif"])
    for kind in ('svg"; x="', "gif", "SVG", "svgz"):
        assert client.get(f"/analytics/links/{link.pk}/qr.{kind}").status_code == 404, kind
    svg = client.get(reverse("analytics:link_qr", args=[link.pk, "svg"]), {"download": "1"})
    assert (svg.status_code, svg["Content-Type"]) == (200, "image/svg+xml")
    assert svg["Content-Disposition"] == f'attachment; filename="qr-{link.code}.svg"'
    png = client.get(reverse("analytics:link_qr", args=[link.pk, "png"]))
    assert (png.status_code, png["Content-Type"], png.has_header("Content-Disposition")) == (200, "image/png", False)


# 8. reserved purposes --------------------------------------------------------------------------------------------


def test_post_links_cannot_be_created_by_members(persona: Any, market: Any, api_for: Any) -> None:
    message = "Choose a purpose: manual, qr (post links are made by the publishing engine)."
    with pytest.raises(ValidationFailed) as exc:
        services.short_link_create(
            actor=persona("fr_market_lead"), market=market("FR"), destination="https://v.example/", purpose="post"
        )
    assert (exc.value.message, exc.value.field) == (message, "purpose")
    response = api_for("fr_market_lead").post(
        "/api/v1/analytics/links",
        {"destination": "https://v.example/", "market_id": market("FR").pk, "purpose": "post"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["message"] == message
    qr = api_for("fr_market_lead").post(
        "/api/v1/analytics/links",
        {"destination": "https://v.example/", "market_id": market("FR").pk, "purpose": "qr"},
        content_type="application/json",
    )
    assert (qr.status_code, qr.json()["purpose"]) == (201, "qr")
    assert ShortLink.objects.count() == 1


# 9. default dates in the market's zone ---------------------------------------------------------------------------


def test_default_dates_are_today_in_the_markets_zone(
    persona: Any, market: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for("jp_market_lead")
    # 16:30 UTC on 28 March is already 29 March in Tokyo, still 28 March in Paris.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 28, 16, 30, tzinfo=dt.UTC))
    assert selectors.market_today(actor=persona("jp_market_lead")) == dt.date(2026, 3, 29)
    assert selectors.market_today(actor=persona("fr_market_lead")) == dt.date(2026, 3, 28)
    assert selectors.market_today(actor=persona("hq_admin"), market_pk=market("JP").pk) == dt.date(2026, 3, 29)
    assert client.get(reverse("analytics:lead_create")).context["form"].initial["day"] == dt.date(2026, 3, 29)
    assert client.get(reverse("analytics:promo_create")).context["form"].initial["starts_on"] == dt.date(2026, 3, 29)


# 10. the preset edit page --------------------------------------------------------------------------------------


def test_read_only_members_cannot_open_the_preset_edit_form(persona: Any, market: Any, client_for: Any) -> None:
    preset = services.utm_preset_create(
        actor=persona("fr_market_lead"), name="France", market=market("FR"), values={"utm_source": "vireo-fr"}
    )
    url = reverse("analytics:utm_preset_edit", args=[preset.pk])
    assert client_for("fr_community_manager").get(url).status_code == 403
    assert client_for("fr_community_manager").post(url, {"name": "Hijack", "utm_source": "x"}).status_code == 403
    assert client_for("fr_market_lead").get(url).status_code == 200
    preset.refresh_from_db()
    assert preset.name == "France"


# post_tracked_link and unacceptable links --------------------------------------------------------------------------


def test_a_post_link_that_is_not_a_web_address_is_never_shortened(
    persona: Any, demo_org: Organization, market: Any
) -> None:
    from harmonie.content import services as content

    CharterRule.objects.filter(organization=demo_org, kind="utm").update(is_active=False)
    charter_rule_create(
        actor=persona("fr_market_lead"),
        market=market("FR"),
        name="Tracked links",
        kind="utm",
        severity="warn",
        params={"domains": []},
        rationale="Measure every visit from social.",
    )
    loc = Localization.objects.get(master__organization=demo_org, master__kind="master", market__code="FR")
    post = content.post_create(
        actor=persona("fr_community_manager"),
        channel=Channel.objects.get(handle="vireo-france"),
        localization=loc,
        text="Vireo Coat X.",
    )
    for link, expected in (
        ("javascript:alert(1)", "javascript:alert(1)?utm_content=post-a"),
        ("http://[abc/", "http://[abc/"),
    ):
        Post.objects.filter(pk=post.pk).update(link=link, utm={"utm_content": "post-a"})
        post.refresh_from_db()
        assert services.post_tracked_link(post=post) == expected
    assert not ShortLink.objects.filter(post=post).exists()
    Post.objects.filter(pk=post.pk).update(link="https://vireo.example/ok")
    post.refresh_from_db()
    assert services.post_tracked_link(post=post).startswith("http://127.0.0.1:8000/l/")
