"""Posts: network limits, time zones across daylight-saving changes, media rights, objectives first and the
charter, all checked before scheduling."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from harmonie.approvals.services import workflow
from harmonie.content import services
from harmonie.content.models import MasterContent, MediaAsset, Post
from harmonie.content.timeutils import local_to_utc, utc_to_local, weekly_series
from harmonie.core.errors import NotPermitted, ValidationFailed
from harmonie.governance.models import Channel, Dimension

PARIS, SAO_PAULO = "Europe/Paris", "America/Sao_Paulo"


def _dim(org, key):
    return Dimension.objects.get(organization=org, key=key)


def _channel(handle):
    return Channel.objects.get(handle=handle)


@pytest.fixture
def fr_local(demo_org, persona, market) -> MasterContent:
    return services.master_create(
        actor=persona("fr_community_manager"), market=market("FR"), dimension=_dim(demo_org, "country"),
        title="Portes ouvertes", body="Venez visiter notre usine de Lyon le 12 décembre.", source_language="fr",
        kind="local",
    )  # fmt: skip


def _future(days: int = 10, hour: int = 9) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_weekly_post_at_nine_in_paris_and_sao_paulo_across_dst_changes():
    # Paris moves to summer time on 2027-03-28 and back on 2027-10-31; São Paulo has had no DST since 2019.
    paris = weekly_series(first_day=dt.date(2027, 3, 22), time=dt.time(9, 0), tz_name=PARIS, weeks=2)
    assert [d.isoformat() for d in paris] == ["2027-03-22T08:00:00+00:00", "2027-03-29T07:00:00+00:00"]
    paris_autumn = weekly_series(first_day=dt.date(2027, 10, 25), time=dt.time(9, 0), tz_name=PARIS, weeks=2)
    assert [d.isoformat() for d in paris_autumn] == ["2027-10-25T07:00:00+00:00", "2027-11-01T08:00:00+00:00"]
    sp = weekly_series(first_day=dt.date(2027, 3, 22), time=dt.time(9, 0), tz_name=SAO_PAULO, weeks=2)
    assert [d.isoformat() for d in sp] == ["2027-03-22T12:00:00+00:00", "2027-03-29T12:00:00+00:00"]
    sp_autumn = weekly_series(first_day=dt.date(2027, 10, 25), time=dt.time(9, 0), tz_name=SAO_PAULO, weeks=2)
    assert [d.isoformat() for d in sp_autumn] == ["2027-10-25T12:00:00+00:00", "2027-11-01T12:00:00+00:00"]
    # Every occurrence still reads 09:00 on the local wall clock.
    assert {utc_to_local(d, PARIS).strftime("%H:%M") for d in paris + paris_autumn} == {"09:00"}


def test_a_time_that_does_not_exist_is_refused_and_an_ambiguous_one_is_the_first():
    with pytest.raises(ValidationFailed) as exc:
        local_to_utc(dt.date(2027, 3, 28), dt.time(2, 30), PARIS)
    assert exc.value.message == (
        "02:30 does not exist on 2027-03-28 in Europe/Paris (the clocks go forward); choose 03:30 instead."
    )
    assert local_to_utc(dt.date(2027, 10, 31), dt.time(2, 30), PARIS).isoformat() == "2027-10-31T00:30:00+00:00"


def test_post_scheduled_at_nine_paris_is_stored_in_utc(fr_local, persona):
    cm = persona("fr_community_manager")
    day = (timezone.now() + dt.timedelta(days=14)).date()
    at = local_to_utc(day, dt.time(9, 0), PARIS)
    post = services.post_create(actor=cm, channel=_channel("vireo-france"), master=fr_local, scheduled_at=at)
    post.refresh_from_db()
    # Local (country) content is reviewed by the market lead first; the time is kept through the review.
    assert (post.status, post.scheduled_at) == ("in_review", at)
    workflow.post_review(actor=persona("fr_market_lead"), post=post, verb="approve")
    post.refresh_from_db()
    assert post.status == "scheduled"
    assert post.scheduled_at == at
    assert post.scheduled_at.utcoffset() == dt.timedelta(0)
    assert post.scheduled_at.astimezone(zoneinfo.ZoneInfo(PARIS)).strftime("%H:%M") == "09:00"


def test_network_limits_are_checked_with_every_problem(fr_local, persona):
    cm = persona("fr_community_manager")
    with pytest.raises(ValidationFailed) as exc:
        services.post_create(actor=cm, channel=_channel("vireo-fr.bsky.social"), master=fr_local, text="é" * 301)
    assert exc.value.code == "network_limits"
    assert "300" in exc.value.message
    assert "301" in exc.value.message
    assert Post.objects.filter(master=fr_local).count() == 0
    ok = services.post_create(actor=cm, channel=_channel("vireo-fr.bsky.social"), master=fr_local, text="é" * 300)
    assert len(ok.text) == 300


def test_scheduling_checks_objectives_first(demo_org, persona, market):
    jp_lead = persona("jp_market_lead")
    local = services.master_create(actor=jp_lead, market=market("JP"), dimension=_dim(demo_org, "country"),
                                   title="Tokyo", body="東京工場の見学会を開催します。", source_language="ja",
                                   kind="local")  # fmt: skip
    post = services.post_create(actor=jp_lead, channel=_channel("@vireo.japan"), master=local)
    with pytest.raises(ValidationFailed) as exc:
        services.post_schedule(actor=jp_lead, post=post, scheduled_at=_future())
    assert exc.value.code == "objectives_first"
    assert Post.objects.get(pk=post.pk).status == "draft"


def test_scheduling_checks_the_charter(demo_org, persona, market):
    cm = persona("fr_community_manager")
    local = services.master_create(actor=cm, market=market("FR"), dimension=_dim(demo_org, "country"),
                                   title="Tutoiement", body="Inscris-toi à notre atelier révolutionnaire.",
                                   source_language="fr", kind="local")  # fmt: skip
    post = services.post_create(actor=cm, channel=_channel("vireo-france"), master=local)
    with pytest.raises(ValidationFailed) as exc:
        services.post_schedule(actor=cm, post=post, scheduled_at=_future())
    assert exc.value.code == "charter"
    assert exc.value.message.startswith("The editorial charter blocks this post: ")
    assert "Vouvoiement" in exc.value.message
    assert "Unsubstantiated superlatives" in exc.value.message


def test_expired_or_not_allowed_media_refuses_scheduling(fr_local, persona, market, demo_org):
    cm = persona("fr_community_manager")
    asset = MediaAsset.objects.create(
        organization=demo_org, owner_market=market("GLOBAL"), file="media/x.png", original_name="usine.png",
        title="Usine de Lyon", kind="image", mime_type="image/png", size_bytes=2048, width=1200, height=800,
        sha256="0" * 64, rights_expire_at=timezone.now() + dt.timedelta(days=5),
    )  # fmt: skip
    post = services.post_create(actor=cm, channel=_channel("vireo-france"), master=fr_local, media=[asset])
    with pytest.raises(ValidationFailed) as exc:
        services.post_schedule(actor=cm, post=post, scheduled_at=_future(days=10))
    assert exc.value.code == "media_rights"
    assert exc.value.message.startswith("The usage rights of “Usine de Lyon” expire on ")
    assert exc.value.message.endswith("before this publication: choose another asset or renew the rights.")
    # Before the expiry it may go out.
    services.post_schedule(actor=cm, post=post, scheduled_at=_future(days=3))
    asset.rights_expire_at = None
    asset.save()
    asset.allowed_markets.set([market("DE")])
    with pytest.raises(ValidationFailed) as exc:
        services.post_schedule(actor=cm, post=post, scheduled_at=_future(days=3))
    assert exc.value.message == "“Usine de Lyon” may be used in Germany only, not in France."


def test_posts_need_an_adopted_or_adapted_localization(demo_org, persona, market):
    hq = persona("hq_admin")
    master = services.master_create(
        actor=hq, market=market("GLOBAL"), dimension=_dim(demo_org, "corporate"), title="Results",
        body="Our 2026 results are out.", source_language="en",
    )  # fmt: skip
    loc = services.localization_request(actor=hq, master=master, market=market("FR"), language="fr-FR")
    with pytest.raises(ValidationFailed, match="This localization is pending: adopt or adapt it"):
        services.post_create(actor=persona("fr_community_manager"), channel=_channel("vireo-france"), localization=loc)
    services.localization_adapt(actor=persona("fr_market_lead"), localization=loc, title="Résultats",
                                body="Nos résultats 2026 sont publiés.")  # fmt: skip
    post = services.post_create(actor=persona("fr_community_manager"), channel=_channel("vireo-france"),
                                localization=loc)  # fmt: skip
    assert (post.text, post.market.code, post.master_id) == ("Nos résultats 2026 sont publiés.", "FR", master.pk)
    # A French post cannot go to the German page, and a French CM cannot post in Germany.
    with pytest.raises(ValidationFailed, match="does not serve France"):
        services.post_create(actor=persona("fr_community_manager"), channel=_channel("vireo-deutschland"),
                             localization=loc)  # fmt: skip
    de_loc = services.localization_request(actor=hq, master=master, market=market("DE"), language="de-DE")
    services.localization_adopt(actor=persona("de_market_lead"), localization=de_loc)
    with pytest.raises(NotPermitted):
        services.post_create(actor=persona("fr_community_manager"), channel=_channel("vireo-deutschland"),
                             localization=de_loc)  # fmt: skip


def test_past_times_are_refused(fr_local, persona):
    cm = persona("fr_community_manager")
    post = services.post_create(actor=cm, channel=_channel("vireo-france"), master=fr_local)
    with pytest.raises(ValidationFailed, match="This time is in the past"):
        services.post_schedule(actor=cm, post=post, scheduled_at=timezone.now() - dt.timedelta(minutes=1))


def test_an_instagram_draft_may_wait_for_its_image_but_cannot_be_scheduled_without(demo_org, persona, market):
    cm = persona("br_community_manager")
    local = services.master_create(actor=cm, market=market("BR"), dimension=_dim(demo_org, "country"),
                                   title="Fábrica", body="Conheça nossa fábrica de Jundiaí.", source_language="pt-BR",
                                   kind="local")  # fmt: skip
    post = services.post_create(actor=cm, channel=_channel("@vireo.brasil"), master=local)
    assert post.status == "draft"
    with pytest.raises(ValidationFailed) as exc:
        services.post_schedule(actor=cm, post=post, scheduled_at=_future())
    assert exc.value.code == "network_limits"
    assert exc.value.field == "media"


def test_in_french_the_publishing_menu_and_a_post_being_published_are_two_words() -> None:
    from django.utils import translation
    from django.utils.translation import gettext

    from harmonie.content.states import PostStatus

    with translation.override("fr"):
        assert (gettext("Publishing"), str(PostStatus.PUBLISHING.label)) == ("Publication", "En cours de publication")
    with translation.override("en"):
        assert (gettext("Publishing"), str(PostStatus.PUBLISHING.label)) == ("Publishing", "Publishing")
