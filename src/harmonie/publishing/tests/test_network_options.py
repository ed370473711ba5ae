"""What the engine gives a connector besides the post: the channel's settings (a Pinterest board, chosen on the
Connections page) and public media addresses for the networks that fetch media (Instagram, Threads). Pinterest's
side is a contract test on its recorded payload (respx), through the whole engine: claim, request, call, outcome."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from harmonie.connectors.base import TokenSet
from harmonie.connectors.models import ChannelConnection, ConnectionMethod, ConnectionStatus
from harmonie.connectors.services import connection_board_set
from harmonie.connectors.services.common import apply_tokens
from harmonie.content.models import MediaAsset, Post
from harmonie.core.models import AuditEntry
from harmonie.governance.models import Channel, Market, Organization
from harmonie.publishing.models import Publication
from harmonie.publishing.services.options import media_for_token, media_token
from harmonie.publishing.services.sending import publish_request
from harmonie.publishing.testing.setup import due_posts

PAYLOADS = Path(__file__).resolve().parents[2] / "connectors" / "tests" / "payloads" / "pinterest"
API = "https://api.pinterest.com/v5"
BOARD = "1099582379630012345"
PNG = b"\x89PNG\r\n\x1a\nbike"


def _channel(org: Organization, market: Market, network: str, handle: str) -> Channel:
    channel = Channel.objects.create(organization=org, network=network, handle=handle, display_name=f"Vireo {network}",
                                     owner_market=market, timezone="Europe/Paris")  # fmt: skip
    connection = ChannelConnection(channel=channel, method=ConnectionMethod.OAUTH2, status=ConnectionStatus.CONNECTED,
                                   handle=handle, account_id="1099582448349912345")  # fmt: skip
    apply_tokens(connection, TokenSet(access_token="pina_access-1", refresh_token="pinr_refresh-1"))
    connection.save()
    return channel


def _image(org: Organization, market: Market, name: str = "bike.png") -> MediaAsset:
    return MediaAsset.objects.create(
        organization=org, owner_market=market, file=ContentFile(PNG, name=name), original_name=name, kind="image",
        mime_type="image/png", size_bytes=len(PNG), sha256="0" * 64, alt_text="A red city bike in Lyon",
    )  # fmt: skip


def _post(channel: Channel, asset: MediaAsset | None = None) -> Post:
    post = due_posts(channel=channel, count=1, at=timezone.now() - dt.timedelta(seconds=1),
                     text="Nouveau vélo urbain à Lyon")[0]  # fmt: skip
    if asset is not None:
        post.media.add(asset)
    return post


@pytest.fixture
def pinterest(demo_org: Organization, market) -> Channel:
    return _channel(demo_org, market("FR"), "pinterest", "vireo-fr-pins")


def test_a_pinterest_channel_without_board_fails_its_post_before_sending_with_what_to_do(
    pinterest, demo_org, market, work, respx_mock
):
    post = _post(pinterest, _image(demo_org, market("FR")))
    work()
    post.refresh_from_db()
    reason = "Choose a Pinterest board for this channel (Publishing › Connections): a pin goes on a board."
    assert (post.status, post.status_note) == ("failed", reason)
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.last_error, pub.attempts.count()) == ("failed", reason, 0)
    assert not respx_mock.calls  # nothing was sent


def test_the_channels_board_goes_to_pinterest_with_the_pin(pinterest, demo_org, market, persona, work, respx_mock):
    pages = [json.loads((PAYLOADS / f"boards_page_{n}.json").read_text()) for n in (1, 2)]
    respx_mock.get(f"{API}/boards").mock(side_effect=[httpx.Response(200, json=page) for page in pages])
    connection_board_set(actor=persona("fr_market_lead"), channel=pinterest, board_id=BOARD)
    entry = AuditEntry.objects.get(action="connection.settings", target_id=str(pinterest.pk))
    assert (entry.before, entry.after) == ({"settings": {}}, {"settings": {"board_id": BOARD}})
    created = json.loads((PAYLOADS / "pin_created.json").read_text())
    route = respx_mock.post(f"{API}/pins").respond(201, json=created)
    post = _post(pinterest, _image(demo_org, market("FR")))
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.remote_id) == ("published", created["id"])
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer pina_access-1"
    body: dict[str, Any] = json.loads(sent.content)
    assert body["board_id"] == BOARD
    assert body["media_source"] == {"source_type": "image_base64", "content_type": "image/png",
                                    "data": base64.b64encode(PNG).decode()}  # fmt: skip
    assert (body["description"], body["alt_text"]) == ("Nouveau vélo urbain à Lyon", "A red city bike in Lyon")


def test_a_board_must_be_one_of_the_accounts_boards_and_only_pinterest_has_one(pinterest, demo_org, market, persona):
    from harmonie.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        connection_board_set(actor=persona("fr_market_lead"), channel=pinterest, board_id="  ")
    assert exc.value.message == "Choose one of the account's Pinterest boards."
    threads = _channel(demo_org, market("FR"), "threads", "vireo.fr")
    with pytest.raises(ValidationFailed) as exc:
        connection_board_set(actor=persona("fr_market_lead"), channel=threads, board_id=BOARD)
    assert exc.value.message == "Only a Pinterest channel has a board."


@pytest.mark.parametrize("network", ["instagram", "threads"])
def test_instagram_and_threads_get_signed_public_addresses_of_the_media(network, demo_org, market, client):
    channel = _channel(demo_org, market("FR"), network, f"vireo.{network}")
    first, second = _image(demo_org, market("FR"), "one.png"), _image(demo_org, market("FR"), "two.png")
    post = _post(channel, first)
    post.media.add(second)
    pub = Publication.objects.create(organization=demo_org, post=post, channel=channel, due_at=timezone.now(),
                                     idempotency_key="k-1", status="sending")  # fmt: skip
    request = publish_request(publication=pub, post=Post.objects.select_related("channel", "master").get(pk=post.pk))
    base = settings.HARMONIE_PUBLIC_URL.rstrip("/")
    urls = request.options["media_urls"]
    assert [u.removeprefix(f"{base}/publishing/media/").count("/") for u in urls] == [1, 1]
    tokens = [u.removeprefix(f"{base}/publishing/media/").rstrip("/") for u in urls]
    assert [media_for_token(t) for t in tokens] == [first, second]  # one signed address per media, in order
    response = Client().get(urls[0].removeprefix(base))  # no login: the network fetches it
    assert (response.status_code, response["Content-Type"], b"".join(response.streaming_content)) == (
        200, "image/png", PNG,
    )  # fmt: skip
    assert (response["Cache-Control"], response["X-Robots-Tag"]) == ("private, no-store", "noindex")
    head = Client().head(urls[0].removeprefix(base))  # fetchers often look first
    assert (head.status_code, head["Content-Type"]) == (200, "image/png")
    assert Client().post(urls[0].removeprefix(base)).status_code == 405
    other = _image(demo_org, market("FR"), "other.png")  # not a media of this publication's post
    assert Client().get(f"/publishing/media/{media_token(publication=pub, asset=other)}/").status_code == 404
    assert Client().get(urls[0].removeprefix(base)[:-3] + "xx/").status_code == 404  # a tampered signature


def test_other_networks_get_no_media_addresses(fr_sink, demo_org, market):
    post = _post(fr_sink, _image(demo_org, market("FR")))
    pub = Publication.objects.create(organization=demo_org, post=post, channel=fr_sink, due_at=timezone.now(),
                                     idempotency_key="k-2", status="sending")  # fmt: skip
    request = publish_request(publication=pub, post=Post.objects.select_related("channel", "master").get(pk=post.pk))
    assert "media_urls" not in request.options


def test_instagram_media_behind_a_loopback_public_address_fail_before_sending_with_what_to_do(
    demo_org, market, work, respx_mock, settings
):
    settings.HARMONIE_PUBLIC_URL = "http://127.0.0.1:8000"  # a local install's default: Instagram cannot fetch it
    channel = _channel(demo_org, market("FR"), "instagram", "vireo.instagram")
    post = _post(channel, _image(demo_org, market("FR")))
    work()
    post.refresh_from_db()
    reason = (
        "Instagram fetches the media from Harmonie's public address, and HARMONIE_PUBLIC_URL (http://127.0.0.1:8000) "
        "cannot be reached from the internet: set it to Harmonie's public address (docs/deployment.md), then publish "
        "again."
    )
    assert (post.status, post.status_note) == ("failed", reason)
    assert Publication.objects.get(post=post).attempts.count() == 0
    assert not respx_mock.calls  # nothing was sent

    from harmonie.publishing.services.options import missing_public_address

    text_only = _post(_channel(demo_org, market("FR"), "threads", "vireo.threads"))
    assert missing_public_address(text_only) is None  # a Threads post without media fetches nothing
    settings.HARMONIE_PUBLIC_URL = "https://harmonie.vireo.example"
    assert missing_public_address(Post.objects.select_related("channel").get(pk=post.pk)) is None
