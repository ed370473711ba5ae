"""Promo codes, leads and spend: entry, strict CSV imports (all or nothing, errors with line numbers), replacement on
re-import, budgets matched, French and English amounts, scope, and constant-query list pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from harmonie.analytics.models.tracking import LeadEntry, PromoRedemption, SpendEntry
from harmonie.analytics.selectors import tracking as selectors
from harmonie.analytics.services import tracking as services
from harmonie.core.errors import NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance.models import Budget


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1234.50", "1234.50"),
        ("1 234,50", "1234.50"),
        ("1\u202f234,5", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("12", "12.00"),
        ("0,5", "0.50"),
    ],
)
def test_amounts_in_english_and_french_writing(raw, value):
    assert services.parse_decimal(raw) == Decimal(value)


@pytest.mark.parametrize("raw", ["1,234", "abc", "1.2.3", "", "12,345,67"])
def test_ambiguous_or_wrong_amounts_are_refused(raw):
    with pytest.raises(ValueError):
        services.parse_decimal(raw)


@pytest.fixture
def promo(persona, market):
    return services.promo_code_create(
        actor=persona("fr_market_lead"), market=market("FR"), code="coatx-fr", starts_on=dt.date(2026, 3, 1)
    )


def test_redemption_import_replaces_the_same_code_and_day(persona, promo):
    actor = persona("fr_market_lead")
    services.promo_redemption_record(actor=actor, promo_code=promo, day=dt.date(2026, 3, 2), count=3)
    data = b"code;day;redemptions;revenue\nCOATX-FR;2026-03-02;14;1 234,50\ncoatx-fr;03/03/2026;2;\n"
    result = services.promo_redemption_import(actor=actor, data=data)
    assert (result.created, result.replaced) == (1, 1)
    rows = list(
        PromoRedemption.objects.filter(promo_code=promo)
        .order_by("day")
        .values_list("day", "count", "revenue", "origin")
    )
    assert rows == [(dt.date(2026, 3, 2), 14, Decimal("1234.50"), "import"), (dt.date(2026, 3, 3), 2, None, "import")]


def test_an_import_with_errors_writes_nothing_and_lists_them(persona, promo):
    before = AuditEntry.objects.count()
    data = (
        b"code,day,redemptions\nCOATX-FR,2026-03-02,4\nNOPE,2026-03-02,1\n"
        b"COATX-FR,2026-13-01,x\nCOATX-FR,2026-03-02,5\n"
    )
    with pytest.raises(services.ImportFailed) as exc:
        services.promo_redemption_import(actor=persona("fr_market_lead"), data=data)
    assert exc.value.message == "Nothing was imported: 3 error(s) to fix."
    assert exc.value.errors == [
        "Line 3: code: NOPE is not a promo code of this organization; create it first.",
        "Line 4: day: “2026-13-01” is not a date; write 2026-03-31 or 31/03/2026.",
        "Line 5: COATX-FR on 2026-03-02 is already on line 2.",
    ]
    assert PromoRedemption.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_header_errors_name_the_columns(persona):
    with pytest.raises(services.ImportFailed) as exc:
        services.lead_import(actor=persona("fr_market_lead"), data=b"market;when;leads\nFR;2026-01-01;3\n")
    assert exc.value.errors == [
        "Line 1: missing column(s) day; the header must name market, day, leads, source, campaign, channel.",
        "Line 1: unknown column(s) when; known columns: market, day, leads, source, campaign, channel.",
    ]


def test_lead_import_is_scoped_and_replaces(persona):
    actor = persona("fr_market_lead")
    data = b"market;day;leads;source;channel\nFR;2026-03-02;12;Website form;@vireo-france\nFR;2026-03-03;4;;\n"
    assert services.lead_import(actor=actor, data=data).created == 2
    again = services.lead_import(
        actor=actor, data=b"market;day;leads;source;channel\nFR;2026-03-02;15;Website form;vireo-france\n"
    )
    assert (again.created, again.replaced) == (0, 1)
    assert sorted(LeadEntry.objects.values_list("count", flat=True)) == [4, 15]
    with pytest.raises(services.ImportFailed) as exc:
        services.lead_import(actor=actor, data=b"market;day;leads\nDE;2026-03-02;1\n")
    assert exc.value.errors == ["Line 2: market: you may not enter data for Germany."]
    with pytest.raises(NotPermitted):
        services.lead_import(actor=persona("fr_community_manager"), data=b"market;day;leads\nFR;2026-03-02;1\n")


def test_spend_is_matched_to_the_budget_and_currency_checked(persona, market):
    actor = persona("fr_market_lead")
    fr = market("FR")
    product = Budget.objects.get(market=fr, dimension__key="product", period_start=dt.date(2026, 1, 1))
    entry = services.spend_record(
        actor=actor,
        market=fr,
        media_type="paid",
        period_start=dt.date(2026, 2, 1),
        period_end=dt.date(2026, 2, 28),
        amount="1 234,50",
        budget=product,
    )
    assert (entry.amount, entry.currency, entry.budget_id) == (Decimal("1234.50"), "EUR", product.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.spend_record(
            actor=actor,
            market=fr,
            media_type="paid",
            period_start=dt.date(2026, 2, 1),
            period_end=dt.date(2026, 2, 28),
            amount="10",
            currency="USD",
        )
    assert exc.value.message == "currency must be EUR (the market's or the budget's), not USD: convert the amount."
    data = (
        b"market;media_type;from;to;amount;currency;budget;impressions;clicks\n"
        b"FR;paid;2026-03-01;2026-03-31;1 000,00;EUR;product;120000;950\n"
        b"FR;owned;2026-03-01;2026-03-31;250.5;EUR;product;;\n"
    )
    assert services.spend_import(actor=actor, data=data).created == 2
    assert services.spend_import(actor=actor, data=data).replaced == 2
    actual = next(a for a in selectors.budget_actuals(actor=actor, year=2026) if a.budget.pk == product.pk)
    assert actual.actual == Decimal("2485.00")
    assert actual.by_media == {"paid": Decimal("2234.50"), "owned": Decimal("250.50")}
    with pytest.raises(services.ImportFailed) as exc2:
        services.spend_import(
            actor=actor, data=b"market;media_type;from;to;amount;currency\nFR;bought;2026-03-01;2026-02-01;-5;EUR\n"
        )
    assert exc2.value.errors == ["Line 2: media_type must be one of paid, owned, earned."]
    assert SpendEntry.objects.filter(market=fr).count() == 3


def _seed(persona, market, n: int) -> None:
    actor = persona("fr_market_lead")
    for i in range(n):
        link = services.short_link_create(actor=actor, market=market("FR"), destination=f"https://vireo.example/{i}")
        services.short_link_follow(
            code=link.code, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", referrer="", method="GET"
        )
        services.lead_record(actor=actor, market=market("FR"), day=dt.date(2026, 3, 1 + i), count=i)
        services.spend_record(
            actor=actor,
            market=market("FR"),
            media_type="earned",
            period_start=dt.date(2026, 3, 1),
            period_end=dt.date(2026, 3, 1 + i),
            amount=i,
        )
        promo = services.promo_code_create(
            actor=actor, market=market("FR"), code=f"C{i}", starts_on=dt.date(2026, 1, 1)
        )
        services.promo_redemption_record(actor=actor, promo_code=promo, day=dt.date(2026, 3, 1), count=i)


@pytest.mark.parametrize(
    "page", ["analytics:links", "analytics:leads", "analytics:spend", "analytics:promo", "analytics:utm_presets"]
)
def test_list_pages_keep_a_constant_number_of_queries(page, persona, market, client_for, django_assert_max_num_queries):
    client = client_for("fr_market_lead")
    _seed(persona, market, 2)
    url = reverse(page) + ("?year=2026" if page == "analytics:spend" else "")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _seed_more = 8
    for i in range(_seed_more):
        services.short_link_create(
            actor=persona("fr_market_lead"), market=market("FR"), destination=f"https://vireo.example/more/{i}"
        )
        services.lead_record(actor=persona("fr_market_lead"), market=market("FR"), day=dt.date(2026, 4, 1 + i), count=1)
        services.spend_record(
            actor=persona("fr_market_lead"),
            market=market("FR"),
            media_type="paid",
            period_start=dt.date(2026, 4, 1),
            period_end=dt.date(2026, 4, 1 + i),
            amount=1,
        )
        promo = services.promo_code_create(
            actor=persona("fr_market_lead"), market=market("FR"), code=f"M{i}", starts_on=dt.date(2026, 1, 1)
        )
        services.promo_redemption_record(
            actor=persona("fr_market_lead"), promo_code=promo, day=dt.date(2026, 4, 1), count=1
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_pages_render_for_managers_and_viewers(client_for, persona, market):
    link = services.short_link_create(
        actor=persona("fr_market_lead"), market=market("FR"), destination="https://vireo.example/x"
    )
    for name in (
        "analytics:links",
        "analytics:utm_presets",
        "analytics:utm_builder",
        "analytics:promo",
        "analytics:leads",
        "analytics:spend",
    ):
        assert client_for("fr_community_manager").get(reverse(name)).status_code == 200, name
    assert client_for("fr_community_manager").get(reverse("analytics:link_detail", args=[link.pk])).status_code == 200
    assert client_for("fr_community_manager").get(reverse("analytics:spend_create")).status_code == 403
    response = client_for("fr_market_lead").get(
        reverse("analytics:utm_builder"), {"url": "https://vireo.example/a?x=1", "market": market("FR").pk}
    )
    assert response.status_code == 200
    assert response.context["tagged"].startswith("https://vireo.example/a?x=1")
    created = client_for("fr_market_lead").post(
        reverse("analytics:utm_builder"), {"url": "https://vireo.example/a", "market": market("FR").pk, "qr": "1"}
    )
    assert created.status_code == 302


def test_spend_form_accepts_french_amounts(client_for, market):
    response = client_for("fr_market_lead").post(
        reverse("analytics:spend_create"),
        {
            "market": market("FR").pk,
            "media_type": "paid",
            "period_start": "2026-05-01",
            "period_end": "2026-05-31",
            "amount": "2 500,75",
            "currency": "",
        },
    )
    assert response.status_code == 302
    assert SpendEntry.objects.get(period_start=dt.date(2026, 5, 1)).amount == Decimal("2500.75")


@pytest.mark.parametrize(
    ("page", "back", "good", "bad", "error"),
    [
        ("analytics:lead_import", "/analytics/leads/", b"market;day;leads\nFR;2026-03-02;12\n",
         b"market;day;leads\nFR;2026-03-02;many\n", "Line 2: leads"),
        ("analytics:redemption_import", "/analytics/promo/", None, b"code;day;redemptions\nNOPE;2026-03-02;1\n",
         "Line 2: code"),
        ("analytics:spend_import", "/analytics/spend/", None,
         b"market;media_type;from;to;amount;currency\nFR;paid;x;2026-03-31;1;EUR\n", "Line 2: from"),
    ],
)  # fmt: skip
def test_import_pages_write_all_or_nothing_and_say_which_line_to_fix(client_for, page, back, good, bad, error):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    get_user_model().objects.filter(email="julien.bernard@vireo.example").update(language="en")
    client = client_for("fr_market_lead")
    url = reverse(page)
    assert client.get(url).status_code == 200
    before = (LeadEntry.objects.count(), PromoRedemption.objects.count(), SpendEntry.objects.count())
    refused = client.post(url, {"file": SimpleUploadedFile("bad.csv", bad, content_type="text/csv")})
    assert refused.status_code == 400
    assert error in refused.content.decode()
    assert (LeadEntry.objects.count(), PromoRedemption.objects.count(), SpendEntry.objects.count()) == before
    if good is not None:
        done = client.post(url, {"file": SimpleUploadedFile("good.csv", good, content_type="text/csv")}, follow=True)
        assert done.redirect_chain == [(back, 302)]
        assert "1 row(s) added, 0 replaced." in done.content.decode()
        assert LeadEntry.objects.count() == before[0] + 1
