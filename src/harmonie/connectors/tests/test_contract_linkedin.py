"""Contract tests of the LinkedIn connector on the recorded payloads of network-apis.md §5 (``payloads/linkedin``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from harmonie.connectors import http, registry
from harmonie.connectors.base import (
    AccountInfo,
    Capability,
    ConnectorError,
    Credentials,
    ErrorKind,
    Found,
    MediaItem,
    PostMetrics,
    PublishRequest,
    PublishResult,
    RemoteRef,
)
from harmonie.connectors.linkedin import VERSION, LinkedInConnector, author_urn, little_text

PAYLOADS = Path(__file__).parent / "payloads" / "linkedin"
API = "https://api.linkedin.com"
ORG = "urn:li:organization:5515715"
CREDS = Credentials(
    network="linkedin",
    account_id=ORG,
    access_token="li-access-1",
    refresh_token="li-refresh-1",
    client_id="li-client",
    client_secret="li-secret",
)
KEY = "0f9e8d7c-6b5a-4f3e-2d1c-0b9a8f7e6d5c"
IMAGE_URN = "urn:li:image:D4E10AQH7xYzQ1a2b3c"
IMAGE_UPLOAD = "https://www.linkedin.com/dms-uploads/sp/v2/D4E10AQH7xYz/uploaded-image/0"
SHARE = "urn:li:share:7265443212345678901"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def created(urn: str = SHARE) -> httpx.Response:
    """§5.2: 201, empty body, the URN in ``x-restli-id``."""
    return httpx.Response(201, headers={"x-restli-id": urn})


@pytest.fixture
def connector() -> LinkedInConnector:
    linkedin = LinkedInConnector()
    linkedin.poll_seconds = 0
    return linkedin


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Prix : 3 * 4 = 12 (vraiment) !", r"Prix : 3 \* 4 = 12 \(vraiment\) !"),
        (r"a\b|c{d}e@f[g]h(i)j<k>l#m*n_o~p", r"a\\b\|c\{d\}e\@f\[g\]h\(i\)j\<k\>l\#m\*n\_o\~p"),
        ("Nouveau vélo #lyon #vélo_urbain", r"Nouveau vélo {hashtag|\#|lyon} {hashtag|\#|vélo\_urbain}"),
        ("Écrivez à hello@vireo.example", r"Écrivez à hello\@vireo.example"),
        ("C# et ##double", r"C\# et \#\#double"),
        ("Rien à échapper, ni ici.", "Rien à échapper, ni ici."),
    ],
)
def test_contract_linkedin_little_text_escapes_every_reserved_character(text, escaped):
    assert little_text(text) == escaped


def test_contract_linkedin_author_is_the_channel_urn():
    assert author_urn(CREDS) == ORG
    assert author_urn(Credentials(network="linkedin", account_id="5515715")) == ORG
    assert author_urn(Credentials(network="linkedin", account_id="yV3kZ9")) == "urn:li:person:yV3kZ9"


def test_contract_linkedin_is_registered_with_its_capabilities():
    connector = registry.get("linkedin")
    assert isinstance(connector, LinkedInConnector)
    assert connector.capabilities() == {
        Capability.PUBLISH,
        Capability.DELETE,
        Capability.METRICS,
        Capability.REPLY,
        Capability.ACCOUNT,
        Capability.REFRESH,
    }
    assert (connector.budget.calls, connector.budget.seconds, connector.concurrency) == (150, 86_400, 1)


def test_contract_linkedin_publish_link_post_sends_versioned_headers_and_an_article(respx_mock, connector):
    route = respx_mock.post(f"{API}/rest/posts").mock(return_value=created())

    result = connector.publish(
        CREDS,
        PublishRequest(
            text="Nouveau vélo (édition Lyon) #lyon",
            link="https://vireo.example/lyon",
            title="Le vélo urbain de Vireo",
            idempotency_key=KEY,
        ),
    )

    assert result == PublishResult(remote_id=SHARE, url=f"https://www.linkedin.com/feed/update/{SHARE}", uri=SHARE)
    sent = route.calls.last.request
    assert sent.headers["linkedin-version"] == VERSION == "202601"
    assert sent.headers["x-restli-protocol-version"] == "2.0.0"
    assert sent.headers["authorization"] == "Bearer li-access-1"
    assert json.loads(sent.content) == {
        "author": ORG,
        "commentary": r"Nouveau vélo \(édition Lyon\) {hashtag|\#|lyon}",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "content": {"article": {"source": "https://vireo.example/lyon", "title": "Le vélo urbain de Vireo"}},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


def test_contract_linkedin_image_is_initialized_uploaded_polled_then_posted_with_alt_text(respx_mock, connector):
    init = respx_mock.post(f"{API}/rest/images", params={"action": "initializeUpload"}).respond(
        200, json=payload("images_initialize.json")
    )
    upload = respx_mock.put(url__startswith=IMAGE_UPLOAD).respond(201)
    status = respx_mock.get(f"{API}/rest/images/urn%3Ali%3Aimage%3AD4E10AQH7xYzQ1a2b3c").mock(
        side_effect=[
            httpx.Response(200, json=payload("image_processing.json")),
            httpx.Response(200, json=payload("image_available.json")),
        ]
    )
    post = respx_mock.post(f"{API}/rest/posts").mock(return_value=created())
    image = MediaItem(data=b"\xff\xd8jpeg-bytes", mime_type="image/jpeg", alt_text="A red city bike in Lyon")

    connector.publish(
        CREDS, PublishRequest(text="Vélo", link="https://vireo.example", idempotency_key=KEY, media=[image])
    )

    assert json.loads(init.calls.last.request.content) == {"initializeUploadRequest": {"owner": ORG}}
    put = upload.calls.last.request
    assert (put.content, put.headers["authorization"], put.headers["content-type"]) == (
        b"\xff\xd8jpeg-bytes",
        "Bearer li-access-1",
        "application/octet-stream",
    )
    assert status.call_count == 2
    body = json.loads(post.calls.last.request.content)
    assert body["content"] == {"media": {"id": IMAGE_URN, "altText": "A red city bike in Lyon"}}
    assert body["commentary"] == "Vélo\n\nhttps://vireo.example"  # with media the link goes in the text
    assert [c.request.method for c in respx_mock.calls] == ["POST", "PUT", "GET", "GET", "POST"]


def test_contract_linkedin_several_images_make_a_multi_image_post(respx_mock, connector):
    respx_mock.post(f"{API}/rest/images").respond(200, json=payload("images_initialize.json"))
    respx_mock.put(url__startswith=IMAGE_UPLOAD).respond(201)
    respx_mock.get(url__startswith=f"{API}/rest/images/").respond(200, json=payload("image_available.json"))
    post = respx_mock.post(f"{API}/rest/posts").mock(return_value=created())
    images = [
        MediaItem(data=b"one", mime_type="image/jpeg", alt_text="Front"),
        MediaItem(data=b"two", mime_type="image/png"),
    ]

    connector.publish(CREDS, PublishRequest(text="Deux vues", idempotency_key=KEY, media=images))

    assert json.loads(post.calls.last.request.content)["content"] == {
        "multiImage": {"images": [{"id": IMAGE_URN, "altText": "Front"}, {"id": IMAGE_URN}]}
    }


def test_contract_linkedin_image_processing_failed_is_media_processing(respx_mock, connector):
    respx_mock.post(f"{API}/rest/images").respond(200, json=payload("images_initialize.json"))
    respx_mock.put(url__startswith=IMAGE_UPLOAD).respond(201)
    respx_mock.get(url__startswith=f"{API}/rest/images/").respond(200, json=payload("image_failed.json"))
    post = respx_mock.post(f"{API}/rest/posts")

    with pytest.raises(ConnectorError) as caught:
        connector.publish(
            CREDS,
            PublishRequest(text="Vélo", idempotency_key=KEY, media=[MediaItem(data=b"x", mime_type="image/jpeg")]),
        )

    assert (caught.value.kind, caught.value.code) == (ErrorKind.MEDIA_PROCESSING, "PROCESSING_FAILED")
    assert post.call_count == 0


def test_contract_linkedin_video_parts_are_put_then_finalized_with_their_etags(respx_mock, connector):
    init = respx_mock.post(f"{API}/rest/videos", params={"action": "initializeUpload"}).respond(
        200, json=payload("videos_initialize.json")
    )
    part0 = respx_mock.put(url__regex=r".*uploadedVideo/0\?.*part=0$").respond(200, headers={"etag": "etag-0"})
    part1 = respx_mock.put(url__regex=r".*uploadedVideo/0\?.*part=1$").respond(200, headers={"etag": "etag-1"})
    finalize = respx_mock.post(f"{API}/rest/videos", params={"action": "finalizeUpload"}).respond(200)
    respx_mock.get(f"{API}/rest/videos/urn%3Ali%3Avideo%3AD5F10AQG9hIj").respond(
        200, json=payload("video_available.json")
    )
    post = respx_mock.post(f"{API}/rest/posts").mock(return_value=created("urn:li:ugcPost:7265000000000000042"))
    video = MediaItem(data=b"0123456789", mime_type="video/mp4")

    result = connector.publish(
        CREDS, PublishRequest(text="Ride", title="Lyon ride", idempotency_key=KEY, media=[video])
    )

    assert result.remote_id == "urn:li:ugcPost:7265000000000000042"
    assert json.loads(init.calls.last.request.content) == {
        "initializeUploadRequest": {
            "owner": ORG,
            "fileSizeBytes": 10,
            "uploadCaptions": False,
            "uploadThumbnail": False,
        }
    }
    assert (part0.calls.last.request.content, part1.calls.last.request.content) == (b"012345", b"6789")
    assert json.loads(finalize.calls.last.request.content) == {
        "finalizeUploadRequest": {
            "video": "urn:li:video:D5F10AQG9hIj",
            "uploadToken": "ZW5jcnlwdGVkLXVwbG9hZC10b2tlbg",
            "uploadedPartIds": ["etag-0", "etag-1"],
        }
    }
    assert json.loads(post.calls.last.request.content)["content"] == {
        "media": {"id": "urn:li:video:D5F10AQG9hIj", "title": "Lyon ride"}
    }


def test_contract_linkedin_422_duplicate_names_the_existing_post(respx_mock, connector):
    respx_mock.post(f"{API}/rest/posts").respond(422, json=payload("error_duplicate.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Nouveau vélo", idempotency_key=KEY))

    error = caught.value
    assert (error.kind, error.code, error.http_status) == (ErrorKind.DUPLICATE, "DUPLICATE_POST", 422)
    assert (error.remote_id, error.remote_url) == (SHARE, f"https://www.linkedin.com/feed/update/{SHARE}")


@pytest.mark.parametrize(
    ("status", "name", "kind", "code"),
    [
        (401, "error_401_expired.json", ErrorKind.AUTH_EXPIRED, "65600"),
        (401, "error_401_revoked.json", ErrorKind.AUTH_REVOKED, "65601"),
        (403, "error_access_denied.json", ErrorKind.AUTH_REVOKED, "ACCESS_DENIED"),
        (400, "error_commentary.json", ErrorKind.VALIDATION, "UNPROCESSABLE_ENTITY"),
    ],
)
def test_contract_linkedin_error_shapes_map_to_the_shared_kinds(respx_mock, connector, status, name, kind, code):
    respx_mock.post(f"{API}/rest/posts").respond(status, json=payload(name))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.code, caught.value.http_status) == (kind, code, status)
    assert caught.value.outcome_unknown is False


def test_contract_linkedin_sunset_version_is_validation_with_a_clear_message(respx_mock, connector):
    respx_mock.post(f"{API}/rest/posts").respond(426, json=payload("error_426.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert caught.value.kind == ErrorKind.VALIDATION
    assert caught.value.message == (
        "LinkedIn no longer accepts the API version 202601 that Harmonie uses: update Harmonie to a release with a "
        "newer LinkedIn version. Nothing was published."
    )


def test_contract_linkedin_429_waits_until_midnight_utc(respx_mock, connector):
    respx_mock.post(f"{API}/rest/posts").respond(429, json=payload("error_429.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert caught.value.kind == ErrorKind.RATE_LIMITED
    assert caught.value.retry_after == pytest.approx(http.seconds_until_utc_midnight(), abs=2)
    assert 0 < caught.value.retry_after <= 86_400


def test_contract_linkedin_seconds_until_utc_midnight_is_exact():
    assert http.seconds_until_utc_midnight(dt.datetime(2026, 11, 24, 22, 30, tzinfo=dt.UTC)) == 5400
    paris = dt.timezone(dt.timedelta(hours=1))
    assert http.seconds_until_utc_midnight(dt.datetime(2026, 11, 25, 0, 30, tzinfo=paris)) == 1800


def test_contract_linkedin_timeout_after_send_then_reconcile_relies_on_the_duplicate_guard(respx_mock, connector):
    route = respx_mock.post(f"{API}/rest/posts").mock(
        side_effect=[httpx.ReadTimeout("timed out"), httpx.Response(422, json=payload("error_duplicate.json"))]
    )
    request = PublishRequest(text="Nouveau vélo", idempotency_key=KEY)

    with pytest.raises(ConnectorError) as first:
        connector.publish(CREDS, request)
    assert (first.value.kind, first.value.outcome_unknown) == (ErrorKind.TRANSIENT, True)

    assert connector.reconcile(CREDS, request).found == Found.ABSENT
    with pytest.raises(ConnectorError) as again:
        connector.publish(CREDS, request)
    assert (again.value.kind, again.value.remote_id) == (ErrorKind.DUPLICATE, SHARE)
    assert route.call_count == 2
    assert connector.reconcile(CREDS, PublishRequest(text=" ", idempotency_key=KEY)).found == Found.UNKNOWN


def test_contract_linkedin_201_without_urn_is_an_unknown_outcome(respx_mock, connector):
    respx_mock.post(f"{API}/rest/posts").respond(201)

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, True)


def test_contract_linkedin_organization_metrics_use_share_statistics(respx_mock, connector):
    route = respx_mock.get(f"{API}/rest/organizationalEntityShareStatistics").respond(
        200, json=payload("share_statistics.json")
    )

    metrics = connector.read_metrics(CREDS, [RemoteRef(SHARE), RemoteRef("urn:li:ugcPost:7265000000000000042")])

    assert metrics == {
        SHARE: PostMetrics(likes=121, reposts=14, replies=9, impressions=4890, clicks=96),
        "urn:li:ugcPost:7265000000000000042": PostMetrics(likes=30, reposts=2, replies=1, impressions=1204, clicks=11),
    }
    assert route.calls.last.request.url.query.decode() == (
        "q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A5515715"
        "&shares=List(urn%3Ali%3Ashare%3A7265443212345678901)"
        "&ugcPosts=List(urn%3Ali%3AugcPost%3A7265000000000000042)"
    )


def test_contract_linkedin_member_metrics_use_social_metadata(respx_mock, connector):
    member = Credentials(network="linkedin", account_id="urn:li:person:yV3kZ9", access_token="t")
    respx_mock.get(f"{API}/rest/socialMetadata/urn%3Ali%3Ashare%3A7265443212345678901").respond(
        200, json=payload("social_metadata.json")
    )
    respx_mock.get(f"{API}/rest/socialMetadata/urn%3Ali%3Ashare%3A1").respond(404, json={"status": 404})

    metrics = connector.read_metrics(member, [RemoteRef(SHARE), RemoteRef("urn:li:share:1")])

    assert metrics == {SHARE: PostMetrics(likes=45, replies=6)}


def test_contract_linkedin_account_reply_delete_and_refresh(respx_mock, connector):
    respx_mock.get(f"{API}/rest/organizations/5515715").respond(200, json=payload("organization.json"))
    sizes = respx_mock.get(f"{API}/rest/networkSizes/urn%3Ali%3Aorganization%3A5515715").respond(
        200, json=payload("network_size.json")
    )
    comment = respx_mock.post(f"{API}/rest/socialActions/urn%3Ali%3Ashare%3A7265443212345678901/comments").respond(
        201, json=payload("comment_created.json"), headers={"x-restli-id": "7265500000000000077"}
    )
    delete = respx_mock.delete(f"{API}/rest/posts/urn%3Ali%3Ashare%3A7265443212345678901").respond(204)
    token = respx_mock.post("https://www.linkedin.com/oauth/v2/accessToken").respond(
        200, json=payload("token_refresh.json")
    )

    assert connector.account_info(CREDS) == AccountInfo(
        account_id=ORG,
        handle="vireo-cycles",
        display_name="Vireo Cycles",
        followers=4810,
        url="https://www.linkedin.com/company/vireo-cycles/",
    )
    assert sizes.calls.last.request.url.params["edgeType"] == "COMPANY_FOLLOWED_BY_MEMBER"
    reply = connector.reply(
        CREDS, RemoteRef(SHARE), PublishRequest(text="Thanks! It ships in March.", idempotency_key=KEY)
    )
    assert reply == PublishResult(
        remote_id="7265500000000000077",
        uri="urn:li:comment:(urn:li:activity:7265443212345678000,7265500000000000077)",
        url=f"https://www.linkedin.com/feed/update/{SHARE}",
    )
    assert json.loads(comment.calls.last.request.content) == {
        "actor": ORG,
        "object": SHARE,
        "message": {"text": "Thanks! It ships in March."},
    }
    connector.delete(CREDS, RemoteRef(SHARE))
    assert delete.call_count == 1
    tokens = connector.refresh(CREDS)
    assert (tokens.access_token, tokens.refresh_token) == ("li-access-2", "li-refresh-1")
    assert dict(httpx.QueryParams(token.calls.last.request.content.decode())) == {
        "grant_type": "refresh_token",
        "refresh_token": "li-refresh-1",
        "client_id": "li-client",
        "client_secret": "li-secret",
    }
