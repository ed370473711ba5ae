"""What the local Bluesky network cannot show: record keys against the reference implementation's vectors, and
answers it does not give (rate limits are off on it, and it never times out), on the shapes recorded in
``network-apis.md`` §3.5: HTTP status + ``{"error": "<Name>", "message": "<text>"}``, ``RateLimit-*`` headers."""

from __future__ import annotations

import re
import time

import httpx
import pytest
import respx

from harmonie.connectors.base import ConnectorError, Credentials, ErrorKind, Found, PublishRequest, RemoteRef
from harmonie.connectors.bluesky import TID_ALPHABET, BlueskyConnector, encode_tid

PDS = "https://pds.example"
connector = BlueskyConnector()
credentials = Credentials(
    network="bluesky",
    account_id="did:plc:vireo",
    handle="vireo.bsky.social",
    access_token="access-jwt",
    refresh_token="refresh-jwt",
    secret="app-pass-word",
    service_url=PDS,
)
request = PublishRequest(text="Bonjour", idempotency_key="3ke6kg42cm22b")


def test_record_keys_match_the_reference_tids() -> None:
    # Vectors from @atproto/common-web's TID.fromTime(timestamp, clockid) (tools/bluesky, Node 22).
    assert encode_tid(1700000000123456, 7) == "3ke6kg42cm22b"
    assert encode_tid(1732419300000000, 1023) == "3lbo3ajp2c2zz"
    assert encode_tid(0, 0) == "2222222222222"


def test_new_keys_are_tids_that_only_grow() -> None:
    keys = [connector.new_key() for _ in range(2000)]
    assert all(re.fullmatch(f"[234567abcdefghij][{TID_ALPHABET}]{{12}}", key) for key in keys)
    assert keys == sorted(keys)
    assert len(set(keys)) == 2000
    value = 0
    for char in keys[0]:
        value = value << 5 | TID_ALPHABET.index(char)
    assert abs((value >> 10) / 1e6 - time.time()) < 60  # microseconds since the epoch: now


@respx.mock(base_url=f"{PDS}/xrpc")
def test_contract_rate_limited_waits_until_the_reset(respx_mock: respx.MockRouter) -> None:
    reset = int(time.time()) + 120
    respx_mock.post("/com.atproto.repo.createRecord").respond(
        429,
        json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers={"RateLimit-Limit": "1666", "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset),
                 "RateLimit-Policy": "1666;w=3600"},
    )  # fmt: skip
    with pytest.raises(ConnectorError) as limited:
        connector.publish(credentials, request)
    assert (limited.value.kind, limited.value.code, limited.value.http_status) == (
        ErrorKind.RATE_LIMITED,
        "RateLimitExceeded",
        429,
    )
    assert limited.value.retry_after is not None
    assert 118 <= limited.value.retry_after <= 120
    assert limited.value.outcome_unknown is False


@respx.mock(base_url=f"{PDS}/xrpc")
def test_contract_a_timeout_after_sending_a_post_is_an_unknown_outcome(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.post("/com.atproto.repo.createRecord").mock(side_effect=httpx.ReadTimeout("read timed out"))
    with pytest.raises(ConnectorError) as timed_out:
        connector.publish(credentials, request)
    assert (timed_out.value.kind, timed_out.value.outcome_unknown) == (ErrorKind.TRANSIENT, True)
    assert route.calls.last.request.read() != b""


@respx.mock(base_url=f"{PDS}/xrpc")
def test_contract_no_connection_means_nothing_was_sent(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("/com.atproto.repo.createRecord").mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(ConnectorError) as refused:
        connector.publish(credentials, request)
    assert (refused.value.kind, refused.value.outcome_unknown) == (ErrorKind.TRANSIENT, False)


@respx.mock(base_url=f"{PDS}/xrpc")
def test_contract_reconcile_never_guesses(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get("/com.atproto.repo.getRecord")
    route.respond(502, json={"error": "UpstreamFailure", "message": "Upstream service unreachable"})
    assert connector.reconcile(credentials, request).found is Found.UNKNOWN
    route.mock(side_effect=httpx.ReadTimeout("read timed out"))
    assert connector.reconcile(credentials, request).found is Found.UNKNOWN
    route.respond(400, json={"error": "InvalidRequest", "message": "Could not find repo: did:plc:vireo"})
    assert connector.reconcile(credentials, request).found is Found.UNKNOWN
    route.respond(400, json={"error": "RecordNotFound", "message": "Could not locate record"})
    assert connector.reconcile(credentials, request).found is Found.ABSENT
    assert "authorization" not in route.calls.last.request.headers  # getRecord is public: no session needed


@respx.mock(base_url=f"{PDS}/xrpc")
def test_contract_suspended_account_is_a_policy_matter(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("/com.atproto.repo.deleteRecord").respond(
        400, json={"error": "AccountTakedown", "message": "Account has been taken down"}
    )
    with pytest.raises(ConnectorError) as taken_down:
        connector.delete(credentials, RemoteRef("3ke6kg42cm22b"))
    assert (taken_down.value.kind, taken_down.value.code) == (ErrorKind.POLICY, "AccountTakedown")


@respx.mock(base_url=f"{PDS}/xrpc", assert_all_called=False)
def test_contract_refresh_does_not_fall_back_on_a_transient_failure(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("/com.atproto.server.refreshSession").respond(503, text="Service Unavailable")
    create = respx_mock.post("/com.atproto.server.createSession")
    with pytest.raises(ConnectorError) as unavailable:
        connector.refresh(credentials)
    assert (unavailable.value.kind, unavailable.value.http_status) == (ErrorKind.TRANSIENT, 503)
    assert not create.called  # createSession is limited to 30 per 5 minutes: not spent on a server hiccup


def test_no_session_and_no_password_needs_a_person() -> None:
    bare = Credentials(network="bluesky", account_id="did:plc:vireo", service_url=PDS)
    with respx.mock(assert_all_mocked=True) as router:
        with pytest.raises(ConnectorError) as no_session:
            connector.publish(bare, request)
        with pytest.raises(ConnectorError) as no_password:
            connector.refresh(bare)
    assert not router.calls
    assert no_session.value.kind is ErrorKind.AUTH_EXPIRED
    assert no_password.value.kind is ErrorKind.AUTH_REVOKED


def test_a_bad_record_key_is_refused_before_any_call() -> None:
    with respx.mock(assert_all_mocked=True) as router, pytest.raises(ConnectorError) as refused:
        connector.publish(credentials, PublishRequest(text="Bonjour", idempotency_key="a/b"))
    assert not router.calls
    assert (refused.value.kind, refused.value.message) == (ErrorKind.VALIDATION, "a/b cannot be a Bluesky record key.")
