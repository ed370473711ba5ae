"""The content pages: campaigns, master content and coverage, localizations, posts with live checks, with the
demo's exact values."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from harmonie.accounts.models import User
from harmonie.content import services
from harmonie.content.demo import CAMPAIGN, demo_master, load_demo
from harmonie.content.models import Campaign, CampaignLaunch, Localization, MasterContent, MediaAsset, Post
from harmonie.content.timeutils import local_to_utc
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel, Dimension, Member
from harmonie.governance.permissions import actor_for

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DECLINE_REASON = "Certification pending in Brazil: we launch in the second half."


@pytest.fixture
def client_as(client_for):
    """``client_as("fr_community_manager")``: logged in, interface in English."""
    emails = {p.key: p.email for p in PERSONAS}

    def get(key: str, language: str = "en"):
        User.objects.filter(email=emails[key]).update(language=language)
        return client_for(key)

    return get


@pytest.fixture
def demo(demo_org):
    """The content demo (loaded by the shared demo once it includes it; loading it again does nothing)."""
    load_demo(demo_org)
    return demo_master(demo_org)


def _channel(handle: str) -> Channel:
    return Channel.objects.get(handle=handle)


def _dim(org, key: str) -> Dimension:
    return Dimension.objects.get(organization=org, key=key)


def _loc(master: MasterContent, code: str) -> Localization:
    return master.localizations.get(market__code=code)


def _fr_local(org) -> MasterContent:
    return MasterContent.objects.get(organization=org, title="Portes ouvertes à Lyon")


def _cell(html: str, testid: str) -> str:
    match = re.search(rf'<td [^>]*data-testid="{re.escape(testid)}"[^>]*>.*?</td>', html, re.S)
    assert match, testid
    return match.group(0)


def _state(html: str, testid: str) -> str:
    found = re.search(r'data-state="([^"]+)"', _cell(html, testid))
    assert found
    return found.group(1)


# --- every page renders --------------------------------------------------------------------------


def test_every_content_page_renders_for_hq_admin_with_demo_values(demo, demo_org, client_as):
    client = client_as("hq_admin")
    campaign = Campaign.objects.get(organization=demo_org, name=CAMPAIGN)
    post = Post.objects.filter(channel__handle="vireo-france").order_by("scheduled_at").first()
    fr = _loc(demo, "FR")

    html = client.get(reverse("content:campaigns")).content.decode()
    assert "Vireo Coat X launch" in html
    assert '<span class="badge status-active" data-testid="campaign-status">Active</span>' in html
    # The staggered launches: one bar per market, a week apart, in launch order.
    rows = re.findall(r'data-testid="launch-([A-Z]+)"', html)
    assert rows == ["FR", "DE", "US", "BR", "JP"]
    offsets = re.findall(r'class="lt-bar" style="margin-left: ([0-9.]+)%; width: ([0-9.]+)%"', html)
    assert offsets == [("0.0", "100.0"), ("20.0", "80.0"), ("40.0", "60.0"), ("60.0", "40.0"), ("80.0", "20.0")]

    html = client.get(reverse("content:campaign", args=[campaign.pk])).content.decode()
    assert 'data-testid="campaign-name">Vireo Coat X launch</h1>' in html
    assert "A coating that cures 30% faster, launched market by market." in html

    html = client.get(reverse("content:masters")).content.decode()
    assert "Vireo Coat X: curing 35% faster" in html
    assert f'data-testid="badge-{demo.pk}-FR" data-state="outdated"' in html
    assert "Portes ouvertes à Lyon" in html

    html = client.get(reverse("content:master", args=[demo.pk])).content.decode()
    assert 'data-testid="master-version">version 2</span>' in html
    assert 'data-testid="localization-FR-fr-FR"' in html
    assert 'data-testid="localization-JP-ja-JP"' in html

    html = client.get(reverse("content:localization", args=[fr.pk])).content.decode()
    assert "Vireo Coat X : 30 % plus rapide" in html

    html = client.get(reverse("content:posts")).content.decode()
    assert 'data-testid="post-count">69 posts</p>' in html  # 64 content demo posts + 5 of the approvals demo

    html = client.get(reverse("content:post", args=[post.pk])).content.decode()
    assert 'data-testid="post-zone">Europe/Paris</span>' in html
    assert "09:00</strong>" in html

    for name, args in [
        ("content:campaign_create", []), ("content:campaign_edit", [campaign.pk]), ("content:master_create", []),
        ("content:master_edit", [demo.pk]), ("content:coverage", []), ("content:post_create", []),
        ("content:post_edit", [post.pk]),
    ]:  # fmt: skip
        assert client.get(reverse(name, args=args)).status_code == 200, name
    step2 = client.get(
        reverse("content:post_create"), {"source": f"loc-{fr.pk}", "channel": _channel("vireo-france").pk}
    )
    assert step2.status_code == 200
    assert 'data-testid="post-zone">on the channel\'s clock: <strong>Europe/Paris</strong>' in step2.content.decode()
    assert 'data-testid="source-outdated"' in step2.content.decode()  # France's wording predates version 2


# --- coverage ------------------------------------------------------------------------------------


def test_coverage_grid_shows_each_market_state_of_the_demo_master(demo, client_as):
    html = client_as("hq_admin").get(reverse("content:coverage")).content.decode()
    states = {code: _state(html, f"cov-{demo.pk}-{code}") for code in
              ("EUROPE", "FR", "DE", "AMERICAS", "US", "BR", "APAC", "JP")}  # fmt: skip
    assert states == {
        "FR": "outdated", "DE": "adapted", "US": "adopted", "BR": "declined", "JP": "pending",
        "EUROPE": "missing", "AMERICAS": "missing", "APAC": "missing",
    }  # fmt: skip
    # The reason for declining is on hover; an outdated one says which versions.
    assert f'title="{DECLINE_REASON}"' in _cell(html, f"cov-{demo.pk}-BR")
    assert 'title="Made on version 1; the master is at version 2."' in _cell(html, f"cov-{demo.pk}-FR")
    counts = dict(re.findall(r'data-testid="total-([a-z]+)">([0-9]+)<', html))
    assert counts == {"adopted": "1", "adapted": "1", "outdated": "1", "pending": "1", "declined": "1", "missing": "3"}


def test_coverage_is_filtered_by_campaign(demo, demo_org, client_as):
    other = services.master_create(
        actor=_hq(demo_org), market=demo.market, dimension=_dim(demo_org, "corporate"),
        title="Annual report", body="Our annual report is out.", source_language="en",
    )  # fmt: skip
    client = client_as("hq_admin")
    campaign = Campaign.objects.get(organization=demo_org, name=CAMPAIGN)
    everything = client.get(reverse("content:coverage")).content.decode()
    assert f'data-testid="coverage-row-{other.pk}"' in everything
    filtered = client.get(reverse("content:coverage"), {"campaign": campaign.pk}).content.decode()
    assert f'data-testid="coverage-row-{other.pk}"' not in filtered
    assert f'data-testid="coverage-row-{demo.pk}"' in filtered


def _hq(org):
    return actor_for(Member.objects.get(organization=org, user__email="claire.martin@vireo.example"))


# --- localizations -------------------------------------------------------------------------------


def test_outdated_french_localization_shows_what_changed_in_the_master(demo, client_as):
    fr = _loc(demo, "FR")
    html = client_as("fr_community_manager").get(reverse("content:localization", args=[fr.pk])).content.decode()
    assert 'data-state="outdated"' in html
    diff = re.search(r'data-testid="master-diff">(.*?)</div>', html, re.S)
    assert diff
    assert diff.group(1) == (
        "Vireo Coat X: curing <del>30%</del><ins>35%</ins> faster\nVireo Coat X cures <del>30%</del><ins>35%</ins> "
        "faster at 80 °C, so lines restart sooner. Ask our engineers for a trial."
    )
    # The master's current text beside the local wording.
    assert 'data-testid="master-current-title">Vireo Coat X: curing 35% faster</h3>' in html
    assert "Vireo Coat X durcit 30 % plus vite à 80 °C : vos lignes redémarrent plus tôt." in html


def test_market_adopts_adapts_and_declines_through_the_pages(demo, demo_org, client_as, persona):
    jp = _loc(demo, "JP")
    client = client_as("jp_market_lead")
    response = client.post(reverse("content:localization_decline", args=[jp.pk]), {"decline_reason": "  "})
    assert response.status_code == 400
    adapted = {"title": "Vireo Coat X：35％速く硬化", "body": "Vireo Coat Xは80℃で35％速く硬化します。"}
    response = client.post(reverse("content:localization_adapt", args=[jp.pk]), adapted)
    assert response.status_code == 302
    jp.refresh_from_db()
    assert (jp.state, jp.title, jp.body, jp.based_on_version) == (
        "adapted",
        "Vireo Coat X：35％速く硬化",
        "Vireo Coat Xは80℃で35％速く硬化します。",
        2,
    )
    fr = _loc(demo, "FR")
    assert client_as("fr_market_lead").post(reverse("content:localization_adopt", args=[fr.pk])).status_code == 302
    fr.refresh_from_db()
    assert (fr.state, fr.body, fr.based_on_version) == ("adopted", "", 2)
    # A crisis master must be adopted or adapted, never declined: the service's reason is on the form.
    hq = persona("hq_admin")
    crisis = services.master_create(actor=hq, market=demo.market, dimension=_dim(demo_org, "crisis"),
                                    title="Holding statement", body="We are aware of the incident.",
                                    source_language="en")  # fmt: skip
    loc = services.localization_request(actor=hq, master=crisis, market=demo.market.children.get(code="EUROPE")
                                        .children.get(code="DE"), language="de-DE")  # fmt: skip
    response = client_as("de_market_lead").post(reverse("content:localization_decline", args=[loc.pk]),
                                                 {"decline_reason": "Not relevant here."})  # fmt: skip
    assert response.status_code == 403
    assert ("Crisis content is required in every market: adopt or adapt it, do not decline it."
            in response.content.decode())  # fmt: skip


def test_localization_is_requested_in_one_of_the_market_languages(demo, demo_org, client_as, market):
    client = client_as("hq_admin")
    url = reverse("content:localization_request", args=[demo.pk])
    response = client.post(url, {"market": market("US").pk, "language": "fr-FR"})
    assert response.status_code == 400  # fr-FR is not offered for the US
    languages = client.get(reverse("content:localization_languages", args=[demo.pk]), {"market": market("US").pk})
    assert re.findall(r'<option value="([^"]+)"', languages.content.decode()) == ["en-US", "es-US"]
    response = client.post(url, {"market": market("US").pk, "language": "es-US"})
    assert response.status_code == 302
    assert demo.localizations.filter(market__code="US", language="es-US", state="pending").count() == 1


# --- master content under the governance matrix --------------------------------------------------


def test_community_manager_cannot_create_a_global_master(demo, demo_org, client_as, market):
    before = MasterContent.objects.count()
    client = client_as("fr_community_manager")
    data = {"kind": "master", "market": market("GLOBAL").pk, "dimension": _dim(demo_org, "product").pk,
            "title": "Coat Y", "body": "Coat Y is coming.", "source_language": "en"}  # fmt: skip
    response = client.post(reverse("content:master_create"), data)
    assert response.status_code == 403
    assert (
        '<p class="form-error notice-refused" role="alert" data-testid="form-error">You have no role that creates '
        "content in Global.</p>" in response.content.decode()
    )
    # Local content in a dimension the matrix keeps global: the matrix's reason.
    data |= {"kind": "local", "market": market("FR").pk, "dimension": _dim(demo_org, "financial").pk}
    response = client.post(reverse("content:master_create"), data)
    assert response.status_code == 403
    assert "Financial content is kept global: only the global team publishes it." in response.content.decode()
    assert MasterContent.objects.count() == before
    # Nor change the Global master.
    response = client.get(reverse("content:master_edit", args=[demo.pk]))
    assert response.status_code == 403
    assert "You have no role that creates content in Global." in response.content.decode()
    # Local country content is theirs to write.
    data |= {"dimension": _dim(demo_org, "country").pk, "source_language": "fr-FR"}
    response = client.post(reverse("content:master_create"), data)
    assert response.status_code == 302
    created = MasterContent.objects.get(title="Coat Y")
    assert (created.kind, created.market.code, created.version, created.source_language) == ("local", "FR", 1, "fr-FR")


def test_community_manager_does_not_see_german_local_content(demo, demo_org, client_as, persona, market):
    german = services.master_create(actor=persona("de_market_lead"), market=market("DE"),
                                    dimension=_dim(demo_org, "country"), kind="local", title="Tag der offenen Tür",
                                    body="Besuchen Sie unser Werk in Köln.", source_language="de")  # fmt: skip
    fr_cm = client_as("fr_community_manager")
    assert fr_cm.get(reverse("content:master", args=[german.pk])).status_code == 404
    assert "Tag der offenen Tür" not in fr_cm.get(reverse("content:masters")).content.decode()
    assert "Portes ouvertes à Lyon" in fr_cm.get(reverse("content:masters")).content.decode()
    assert "Tag der offenen Tür" in client_as("hq_admin").get(reverse("content:masters")).content.decode()


def test_editing_the_master_text_makes_a_new_version(demo, client_as):
    client = client_as("hq_admin")
    data = {"title": demo.title, "body": demo.body.replace("a trial", "a free trial"),
            "campaign": demo.campaign_id, "pillar": demo.pillar_id or ""}  # fmt: skip
    response = client.post(reverse("content:master_edit", args=[demo.pk]), data, follow=True)
    assert "Saved as version 3: localizations made on an older version are now outdated." in response.content.decode()
    demo.refresh_from_db()
    assert demo.version == 3
    html = client.get(reverse("content:coverage")).content.decode()
    # The adapted wordings are now outdated; the adopted one follows the master.
    assert (_state(html, f"cov-{demo.pk}-DE"), _state(html, f"cov-{demo.pk}-US")) == ("outdated", "adopted")


# --- campaigns -----------------------------------------------------------------------------------


def test_hq_creates_a_campaign_with_staggered_launches(demo, demo_org, client_as, market):
    client = client_as("hq_admin")
    data = {"name": "Coat Y teaser", "description": "Teasing Coat Y.", "dimension": _dim(demo_org, "product").pk,
            "status": "planned", f"launch_{market('FR').pk}": "2027-09-06",
            f"launch_{market('JP').pk}": "2027-09-20"}  # fmt: skip
    response = client.post(reverse("content:campaign_create"), data)
    assert response.status_code == 302
    campaign = Campaign.objects.get(organization=demo_org, name="Coat Y teaser")
    assert [(x.market.code, x.launch_date.isoformat()) for x in campaign.launches.all()] == [
        ("FR", "2027-09-06"), ("JP", "2027-09-20"),
    ]  # fmt: skip
    response = client.post(reverse("content:campaign_create"), data)
    assert response.status_code == 409
    assert "A campaign named Coat Y teaser already exists." in response.content.decode()
    assert client_as("fr_market_lead").get(reverse("content:campaign_create")).status_code == 403


def test_market_lead_sets_their_own_launch_date(demo, demo_org, client_as, market):
    campaign = Campaign.objects.get(organization=demo_org, name=CAMPAIGN)
    client = client_as("de_market_lead")
    url = reverse("content:campaign_launch", args=[campaign.pk])
    response = client.post(url, {"market": market("DE").pk, "launch_date": "2027-10-04"})
    assert response.status_code == 302
    assert campaign.launches.get(market__code="DE").launch_date == dt.date(2027, 10, 4)
    # France is not theirs: not offered.
    response = client.post(url, {"market": market("FR").pk, "launch_date": "2027-10-04"})
    assert response.status_code == 400
    assert campaign.launches.get(market__code="FR").launch_date != dt.date(2027, 10, 4)


# --- posts ---------------------------------------------------------------------------------------


def _post_data(source: str, channel: Channel, **extra: str) -> dict[str, str]:
    return {"source": source, "channel": str(channel.pk), "market": "", "dimension": "", **extra}


def test_post_created_through_the_form_at_nine_on_the_paris_clock(demo, demo_org, client_as):
    local = _fr_local(demo_org)
    channel = _channel("vireo-france")
    day = timezone.localdate() + dt.timedelta(days=20)
    paris_offset = dt.datetime.combine(day, dt.time(9, 0), tzinfo=PARIS).utcoffset()
    expected_hour = {dt.timedelta(hours=2): 7, dt.timedelta(hours=1): 8}[paris_offset]
    data = _post_data(
        f"local-{local.pk}", channel, text="Portes ouvertes à Lyon : inscrivez-vous sur notre site.",
        link="https://vireo.example/fr/portes-ouvertes", first_comment="Places limitées.", utm_source="linkedin",
        utm_medium="social", utm_campaign="portes-ouvertes", scheduled_date=day.isoformat(), scheduled_time="09:00",
    )  # fmt: skip
    before = set(Post.objects.values_list("pk", flat=True))
    response = client_as("fr_community_manager").post(reverse("content:post_create"), data, follow=True)
    assert response.status_code == 200
    (post,) = Post.objects.exclude(pk__in=before)
    assert post.scheduled_at == local_to_utc(day, dt.time(9, 0), "Europe/Paris")
    assert (post.scheduled_at.hour, post.scheduled_at.minute, post.scheduled_at.utcoffset()) == (
        expected_hour, 0, dt.timedelta(0),
    )  # fmt: skip
    # Local content goes to the French market lead's review, with its planned time.
    assert (post.status, post.channel, post.market.code, post.master, post.localization) == (
        "in_review", channel, "FR", local, None,
    )  # fmt: skip
    assert (post.text, post.link, post.first_comment) == (
        "Portes ouvertes à Lyon : inscrivez-vous sur notre site.", "https://vireo.example/fr/portes-ouvertes",
        "Places limitées.",
    )  # fmt: skip
    assert post.utm == {"utm_source": "linkedin", "utm_medium": "social", "utm_campaign": "portes-ouvertes"}
    assert list(post.media.all()) == []
    html = response.content.decode()
    assert f'data-testid="post-local-time">{post.scheduled_at.astimezone(PARIS):%a} ' in html
    assert "09:00</strong>" in html
    assert f'data-testid="post-utc-time">{post.scheduled_at:%a %-d %b %Y} {expected_hour:02d}:00 UTC</small>' in html


def test_too_long_bluesky_post_is_refused_with_the_network_message(demo, demo_org, client_as):
    local = _fr_local(demo_org)
    before = Post.objects.count()
    data = _post_data(f"local-{local.pk}", _channel("vireo-fr.bsky.social"), text="é" * 301)
    response = client_as("fr_community_manager").post(reverse("content:post_create"), data)
    assert response.status_code == 400
    assert (
        '<small class="form-error" role="alert" data-testid="error-text">Bluesky allows 300 characters (graphemes); '
        "this text has 301. Shorten it by 1.</small>"
    ) in response.content.decode()
    assert Post.objects.count() == before


def test_scheduling_refusals_are_shown_on_the_form(demo, demo_org, client_as):
    local = _fr_local(demo_org)
    client = client_as("fr_community_manager")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    data = _post_data(f"local-{local.pk}", _channel("vireo-france"), text="Inscris-toi à notre visite.",
                      scheduled_date=yesterday.isoformat(), scheduled_time="09:00")  # fmt: skip
    before = Post.objects.count()
    response = client.post(reverse("content:post_create"), data)
    assert response.status_code == 400
    assert 'data-testid="error-scheduled_time">This time is in the past: choose a time to come.</small>' in (
        response.content.decode()
    )
    data["scheduled_date"] = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(reverse("content:post_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-text">The editorial charter blocks this post: Vouvoiement: ' in html
    assert Post.objects.count() == before
    # Only one of date and time: neither is guessed.
    data["scheduled_time"] = ""
    response = client.post(reverse("content:post_create"), data)
    assert response.status_code == 400
    assert "Give both the date and the time, or neither to keep a draft." in response.content.decode()


def test_live_lint_highlights_the_banned_term_in_a_french_post(demo, demo_org, client_as, market):
    text = "Un revêtement <révolutionnaire> pour vous."
    data = {"channel": _channel("vireo-france").pk, "market": market("FR").pk,
            "dimension": _dim(demo_org, "product").pk, "text": text}  # fmt: skip
    response = client_as("fr_community_manager").post(
        reverse("content:post_lint"), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<div class="lint-preview" data-testid="lint-preview">Un revêtement &lt;<mark data-testid="finding-span" '
        'data-severity="block" data-findings="1" title="Unsubstantiated superlatives">révolutionnaire</mark>'
        "&gt; pour vous.</div>"
    ) in html
    assert 'data-testid="post-length"><strong>42</strong> / 3000' in html
    assert 'id="post-preview" class="pv pv-linkedin" data-testid="post-preview" hx-swap-oob="true"' in html


def test_preview_shows_links_as_x_counts_them(demo, client_as, market):
    link = "https://vireo.example/us/coat-x-launch-2027"
    data = {"channel": _channel("@VireoUS").pk, "market": market("US").pk,
            "text": "Coat X is here #coatings @VireoGroup", "link": link}  # fmt: skip
    response = client_as("us_market_lead").post(reverse("content:post_preview"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="pv-hashtag">#coatings</span>' in html
    assert '<span class="pv-mention">@VireoGroup</span>' in html
    assert (
        '<span class="pv-link" title="https://vireo.example/us/coat-x-launch-2027" data-testid="preview-link">'
        "vireo.example/us/coat-…</span>"
    ) in html
    assert 'data-testid="preview-name">Vireo US</strong>' in html
    assert '<span class="pv-avatar" aria-hidden="true">V</span>' in html


def test_post_is_edited_rescheduled_and_cancelled(demo, demo_org, client_as):
    post = Post.objects.filter(channel__handle="vireo-france", status="scheduled").order_by("scheduled_at").first()
    client = client_as("fr_community_manager")
    response = client.post(reverse("content:post_edit", args=[post.pk]),
                           {"text": post.text + " À bientôt !", "link": "", "first_comment": ""})  # fmt: skip
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.text.endswith(" À bientôt !")
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client.post(reverse("content:post_schedule", args=[post.pk]),
                           {"scheduled_date": day, "scheduled_time": "18:30"})  # fmt: skip
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.scheduled_at == local_to_utc(dt.date.fromisoformat(day), dt.time(18, 30), "Europe/Paris")
    assert client.post(reverse("content:post_cancel", args=[post.pk])).status_code == 302
    post.refresh_from_db()
    assert post.status == "cancelled"


# --- constant queries ----------------------------------------------------------------------------


def _grow(org, demo: MasterContent) -> None:
    """More campaigns, masters, localizations and posts: list pages must not run more queries."""
    template = Post.objects.filter(organization=org, master=demo).first()  # a post of the demo master
    assert template is not None
    channels = list(Channel.objects.filter(organization=org))
    now = timezone.now()
    Post.objects.bulk_create([
        Post(organization=org, channel=channels[i % len(channels)], market=template.market, master=template.master,
             localization=template.localization, text=f"Extra post {i}", status="draft",
             scheduled_at=now + dt.timedelta(days=3, hours=i))
        for i in range(40)
    ])  # fmt: skip
    masters = MasterContent.objects.bulk_create([
        MasterContent(organization=org, market=demo.market, dimension=demo.dimension, campaign=demo.campaign,
                      title=f"Extra master {i}", body="Text.", source_language="en")
        for i in range(10)
    ])  # fmt: skip
    Localization.objects.bulk_create([
        Localization(master=m, market=loc.market, language=loc.language, state=loc.state)
        for m in masters for loc in demo.localizations.all()
    ])  # fmt: skip
    budget = demo.campaign.budget
    campaigns = Campaign.objects.bulk_create([
        Campaign(organization=org, name=f"Extra campaign {i}", dimension=demo.dimension, budget=budget, status="active")
        for i in range(10)
    ])  # fmt: skip
    CampaignLaunch.objects.bulk_create([
        CampaignLaunch(campaign=c, market=launch.market, launch_date=launch.launch_date)
        for c in campaigns for launch in demo.campaign.launches.all()
    ])  # fmt: skip
    through = Campaign.objectives.through
    through.objects.bulk_create([
        through(campaign_id=c.pk, objective_id=o.pk) for c in campaigns for o in demo.campaign.objectives.all()
    ])  # fmt: skip


# Every page also reads 3 for approvals (unread notifications, review queue, active crises) and 1 for the
# channels whose connection needs attention.
@pytest.mark.parametrize(
    ("who", "name", "max_queries"),
    [
        ("hq_admin", "content:campaigns", 11),
        ("hq_admin", "content:masters", 15),
        ("hq_admin", "content:coverage", 20),  # + 5 for the one-voice scores
        ("hq_admin", "content:posts", 17),
        ("fr_community_manager", "content:campaigns", 11),
        ("fr_community_manager", "content:masters", 18),
        ("fr_community_manager", "content:coverage", 23),
        ("fr_community_manager", "content:posts", 20),
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(demo, demo_org, client_as, django_assert_max_num_queries, who,
                                                  name, max_queries):  # fmt: skip
    client = client_as(who)
    with django_assert_max_num_queries(max_queries):
        assert client.get(reverse(name)).status_code == 200
    _grow(demo_org, demo)
    with django_assert_max_num_queries(max_queries):
        assert client.get(reverse(name)).status_code == 200


def test_preview_shows_thumbnails_and_the_link_card_where_the_network_makes_one(demo, demo_org, client_as, market):
    asset = MediaAsset.objects.create(
        organization=demo_org, owner_market=market("GLOBAL"), file="media/x.png", original_name="usine.png",
        title="Usine de Lyon", alt_text="L'usine de Lyon", kind="image", mime_type="image/png", size_bytes=2048,
        width=1200, height=800, sha256="0" * 64,
    )  # fmt: skip
    link = "https://vireo.example/fr/visite"
    data = {"channel": _channel("vireo-france").pk, "market": market("FR").pk, "text": "Visitez l'usine.", "link": link}
    client = client_as("fr_community_manager")
    html = client.post(reverse("content:post_preview"), data).content.decode()
    # LinkedIn makes a card of the link when the post has no media...
    assert '<small class="pv-card-domain">vireo.example</small><span class="pv-card-url">' + link in html
    html = client.post(reverse("content:post_preview"), {**data, "assets": [asset.pk]}).content.decode()
    # ...and with media, the link goes into the text; the image shows as its thumbnail.
    assert 'data-testid="preview-card"' not in html
    assert f'title="{link}" data-testid="preview-link">{link}</span>' in html
    assert f'<img src="/content/media/{asset.pk}/thumbnail/" alt="L&#x27;usine de Lyon" loading="lazy">' in html


def test_new_post_offers_only_the_channels_serving_the_content_market(demo, client_as):
    fr = _loc(demo, "FR")
    client = client_as("fr_community_manager")
    html = client.get(reverse("content:post_channels"), {"source": f"loc-{fr.pk}"}).content.decode()
    assert re.findall(r'<option value="\d+">([^<]+)</option>', html) == [
        "Vireo Group · Bluesky · vireo.bsky.social",
        "Vireo Group · LinkedIn · vireo-group",
        "Vireo Group · X · @VireoGroup",
        "Vireo France · Bluesky · vireo-fr.bsky.social",
        "Vireo France · LinkedIn · vireo-france",
    ]
    # A channel that does not serve France is refused at the first step.
    response = client.get(
        reverse("content:post_create"), {"source": f"loc-{fr.pk}", "channel": _channel("@VireoUS").pk}
    )
    assert response.status_code == 400
    assert "This channel does not serve the content&#x27;s market: choose one of the list." in response.content.decode()
