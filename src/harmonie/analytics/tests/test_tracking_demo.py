"""The tracking demo: fast, idempotent, deterministic, and its spend matches the demo budgets."""

from __future__ import annotations

import time

from harmonie.analytics.demo_tracking import load_demo_tracking
from harmonie.analytics.models.tracking import LinkClick, PromoRedemption, ShortLink, SpendEntry, UtmPreset


def test_the_demo_loads_fast_once(demo_org):
    UtmPreset.objects.filter(organization=demo_org, name="Vireo — organization").delete()
    started = time.perf_counter()
    assert load_demo_tracking(demo_org) is True
    assert time.perf_counter() - started < 2.0
    assert load_demo_tracking(demo_org) is False
    assert ShortLink.objects.filter(organization=demo_org, purpose="qr").count() >= 1
    assert LinkClick.objects.filter(link__organization=demo_org, is_bot=False).count() > 2000
    assert LinkClick.objects.filter(link__organization=demo_org, is_bot=True).exists()
    assert PromoRedemption.objects.filter(promo_code__organization=demo_org).exists()
    spend = SpendEntry.objects.filter(organization=demo_org)
    assert set(spend.values_list("media_type", flat=True)) == {"paid", "owned", "earned"}
    assert spend.filter(budget__isnull=False).count() > 0
    assert all(e.currency == e.market.currency for e in spend.select_related("market"))
