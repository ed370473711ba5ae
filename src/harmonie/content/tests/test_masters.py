"""Master content, local content and localizations: each state, the outdated flag and the word diff, and
the governance matrix enforced."""

from __future__ import annotations

import pytest

from harmonie.content import selectors, services
from harmonie.content.diff import changed_words, word_diff
from harmonie.content.models import Localization, MasterContent
from harmonie.core.errors import Conflict, NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance.models import Dimension


def _dim(org, key):
    return Dimension.objects.get(organization=org, key=key)


@pytest.fixture
def master(demo_org, persona, market) -> MasterContent:
    return services.master_create(
        actor=persona("hq_admin"), market=market("GLOBAL"), dimension=_dim(demo_org, "product"),
        title="Vireo Coat X launch", body="Vireo Coat X cuts curing time by 30% at 80 °C. Available in 12 markets.",
        source_language="en",
    )  # fmt: skip


def test_master_starts_at_version_1_with_its_revision(master):
    assert (master.version, master.kind, master.revisions.count()) == (1, "master", 1)
    assert AuditEntry.objects.filter(action="master_content.create", target_id=str(master.pk)).count() == 1


def test_pending_then_adopted(master, persona, market):
    loc = services.localization_request(actor=persona("fr_market_lead"), master=master, market=market("FR"),
                                        language="fr-fr")  # fmt: skip
    assert (loc.state, loc.language, loc.based_on_version) == ("pending", "fr-FR", 1)
    loc = services.localization_adopt(actor=persona("fr_community_manager"), localization=loc)
    assert (loc.state, loc.body) == ("adopted", "")
    assert selectors.is_outdated(loc) is False


def test_adapted_needs_a_text_and_the_matrix(master, persona, market):
    loc = services.localization_request(actor=persona("hq_admin"), master=master, market=market("DE"),
                                        language="de-DE")  # fmt: skip
    with pytest.raises(ValidationFailed, match="Write the local text"):
        services.localization_adapt(actor=persona("de_market_lead"), localization=loc, title="", body=" ")
    loc = services.localization_adapt(
        actor=persona("de_market_lead"), localization=loc, title="Vireo Coat X",
        body="Vireo Coat X verkürzt die Aushärtezeit bei 80 °C um 30 %.",
    )  # fmt: skip
    assert (loc.state, loc.based_on_version) == ("adapted", 1)
    # A French community manager cannot adapt Germany's localization.
    with pytest.raises(NotPermitted):
        services.localization_adapt(actor=persona("fr_community_manager"), localization=loc, title="", body="x")


def test_declined_needs_a_reason_and_is_refused_where_variants_are_required(demo_org, master, persona, market):
    loc = services.localization_request(actor=persona("hq_admin"), master=master, market=market("US"),
                                        language="en-US")  # fmt: skip
    with pytest.raises(ValidationFailed, match="Say why the market declines"):
        services.localization_decline(actor=persona("us_market_lead"), localization=loc, reason="")
    loc = services.localization_decline(
        actor=persona("us_market_lead"), localization=loc, reason="Not sold in the US before 2027."
    )
    assert (loc.state, loc.decline_reason) == ("declined", "Not sold in the US before 2027.")
    # Product is "required" in Japan (demo override): declining is refused.
    crisis = services.master_create(
        actor=persona("hq_admin"), market=market("GLOBAL"), dimension=_dim(demo_org, "product"), title="JP",
        body="Text.", source_language="en",
    )  # fmt: skip
    jp = services.localization_request(actor=persona("hq_admin"), master=crisis, market=market("JP"),
                                       language="ja-JP")  # fmt: skip
    with pytest.raises(NotPermitted) as exc:
        services.localization_decline(actor=persona("jp_market_lead"), localization=jp, reason="No.")
    assert exc.value.message == "Product content is required in every market: adopt or adapt it, do not decline it."
    assert Localization.objects.get(pk=jp.pk).state == "pending"


def test_master_change_flags_localizations_outdated_with_a_word_diff(master, persona, market):
    hq = persona("hq_admin")
    fr = services.localization_request(actor=hq, master=master, market=market("FR"), language="fr-FR")
    services.localization_adapt(actor=persona("fr_market_lead"), localization=fr, title="Lancement",
                                body="Vireo Coat X réduit de 30 % le temps de cuisson à 80 °C.")  # fmt: skip
    pending = services.localization_request(actor=hq, master=master, market=market("DE"), language="de-DE")
    services.master_update(
        actor=hq, master=master, title="Vireo Coat X launch",
        body="Vireo Coat X cuts curing time by 35% at 70 °C. Available in 12 markets.",
    )  # fmt: skip
    master.refresh_from_db()
    fr.refresh_from_db()
    assert (master.version, fr.based_on_version) == (2, 1)
    assert selectors.is_outdated(fr) is True
    assert selectors.is_outdated(Localization.objects.get(pk=pending.pk)) is False  # pending is not "outdated"
    change = selectors.localization_master_change(localization=fr)
    assert (change.from_version, change.to_version) == (1, 2)
    assert changed_words(change.parts) == (["30%", "80"], ["35%", "70"])
    # Adapting again brings it up to date.
    services.localization_adapt(actor=persona("fr_market_lead"), localization=fr, title="Lancement",
                                body="Vireo Coat X réduit de 35 % le temps de cuisson à 70 °C.")  # fmt: skip
    assert selectors.is_outdated(Localization.objects.get(pk=fr.pk)) is False
    # A metadata-only change is not a new version.
    services.master_update(actor=hq, master=master, title=master.title, body=master.body)
    assert MasterContent.objects.get(pk=master.pk).version == 2


def test_word_diff_keeps_spacing_and_punctuation():
    parts = word_diff("Save 20% today, in France.", "Save 25% today in France and Belgium.")
    assert [(p.op, p.text) for p in parts] == [
        ("equal", "Save "), ("delete", "20%"), ("insert", "25%"), ("equal", " "), ("delete", "today,"),
        ("insert", "today"), ("equal", " in "), ("delete", "France."), ("insert", "France and Belgium."),
    ]  # fmt: skip


def test_localization_rules(master, persona, market):
    hq = persona("hq_admin")
    with pytest.raises(ValidationFailed, match=r"France speaks fr-FR; choose one of them\."):
        services.localization_request(actor=hq, master=master, market=market("FR"), language="de")
    services.localization_request(actor=hq, master=master, market=market("FR"), language="fr-FR")
    with pytest.raises(Conflict):
        services.localization_request(actor=hq, master=master, market=market("FR"), language="fr-FR")
    with pytest.raises(NotPermitted):
        services.localization_request(actor=persona("fr_community_manager"), master=master, market=market("DE"),
                                      language="de-DE")  # fmt: skip


def test_the_matrix_decides_who_creates_what(demo_org, persona, market):
    cm = persona("fr_community_manager")
    # Financial is kept global: no French local content in it.
    with pytest.raises(NotPermitted) as exc:
        services.master_create(actor=cm, market=market("FR"), dimension=_dim(demo_org, "financial"), title="T",
                               body="B", source_language="fr", kind="local")  # fmt: skip
    assert exc.value.message == "Financial content is kept global: only the global team publishes it."
    # Country content is local-led, created by community managers.
    local = services.master_create(actor=cm, market=market("FR"), dimension=_dim(demo_org, "country"),
                                   title="Portes ouvertes à Lyon", body="Venez visiter notre usine de Lyon.",
                                   source_language="fr", kind="local")  # fmt: skip
    assert (local.kind, local.market.code) == ("local", "FR")
    # Not in Germany.
    with pytest.raises(NotPermitted):
        services.master_create(actor=cm, market=market("DE"), dimension=_dim(demo_org, "country"), title="T",
                               body="B", source_language="de", kind="local")  # fmt: skip
    # Masters at Global are the global team's.
    with pytest.raises(NotPermitted):
        services.master_create(actor=cm, market=market("GLOBAL"), dimension=_dim(demo_org, "country"), title="T",
                               body="B", source_language="en")  # fmt: skip


def test_local_content_is_not_visible_to_other_markets_unless_the_matrix_opens_it(demo_org, persona, market):
    de_cm = persona("de_community_manager")
    product_de = services.master_create(actor=persona("de_market_lead"), market=market("DE"),
                                        dimension=_dim(demo_org, "product"), title="Produkt", body="Text",
                                        source_language="de", kind="local")  # fmt: skip
    country_de = services.master_create(actor=de_cm, market=market("DE"), dimension=_dim(demo_org, "country"),
                                        title="Tag der offenen Tür", body="Text", source_language="de",
                                        kind="local")  # fmt: skip
    seen_by_fr = {m.pk for m in selectors.master_list(actor=persona("fr_community_manager"), kind="local")}
    assert product_de.pk in seen_by_fr  # Product in Europe is opened to other markets (read only)
    assert country_de.pk not in seen_by_fr
