"""Contract tests of the networks' OAuth endpoints that cannot run here, on the recorded request and response shapes of
``docs/network-apis.md`` (§2.1 Mastodon, §4.1 X, §5.1 LinkedIn, §6–7.1 Facebook, §8 Instagram, §9.1 Threads,
§10.1 YouTube; Pinterest [K]): the authorization address each network wants, the token requests we send (grant,
client authentication, PKCE), how answers become a TokenSet, and how each error shape maps to the shared set."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from django.utils import timezone

from harmonie.connectors import oauth
from harmonie.connectors.base import ConnectorError, Credentials, ErrorKind

APP = oauth.OAuthApp(client_id="cid-123", client_secret="csecret-456")
REDIRECT = "https://harmonie.example/connections/oauth/callback/"
REDIRECT_Q = "https%3A%2F%2Fharmonie.example%2Fconnections%2Foauth%2Fcallback%2F"
BASIC = "Basic Y2lkLTEyMzpjc2VjcmV0LTQ1Ng=="  # base64("cid-123:csecret-456")


def _form(request: httpx.Request) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(request.content.decode()).items()}


def _creds(network: str, **kwargs: str) -> Credentials:
    return Credentials(network=network, client_id="cid-123", client_secret="csecret-456", **kwargs)  # type: ignore[arg-type]


def _expires_in(tokens_expiry: dt.datetime | None, seconds: int) -> None:
    assert tokens_expiry is not None
    assert abs((tokens_expiry - timezone.now()).total_seconds() - seconds) < 5


# --- authorization addresses -------------------------------------------------------------------------------------


def test_contract_oauth_authorize_urls_per_network():
    assert oauth.build_authorize_url("x", app=APP, redirect_uri=REDIRECT, state="s1", code_challenge="ch") == (
        f"https://x.com/i/oauth2/authorize?response_type=code&client_id=cid-123&redirect_uri={REDIRECT_Q}"
        "&scope=tweet.read%20tweet.write%20users.read%20media.write%20offline.access&state=s1&code_challenge=ch"
        "&code_challenge_method=S256"
    )
    assert oauth.build_authorize_url("linkedin", app=APP, redirect_uri=REDIRECT, state="s1") == (
        f"https://www.linkedin.com/oauth/v2/authorization?response_type=code&client_id=cid-123&redirect_uri={REDIRECT_Q}"
        "&scope=openid%20profile%20w_member_social%20w_organization_social%20r_organization_social"
        "%20rw_organization_admin&state=s1"
    )
    assert oauth.build_authorize_url("youtube", app=APP, redirect_uri=REDIRECT, state="s1", code_challenge="ch") == (
        f"https://accounts.google.com/o/oauth2/v2/auth?response_type=code&client_id=cid-123&redirect_uri={REDIRECT_Q}"
        "&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fyoutube.upload%20https%3A%2F%2Fwww.googleapis.com%2Fauth"
        "%2Fyoutube.force-ssl%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fyoutube.readonly%20https%3A%2F%2F"
        "www.googleapis.com%2Fauth%2Fyt-analytics.readonly&state=s1&code_challenge=ch&code_challenge_method=S256"
        "&access_type=offline&prompt=consent&include_granted_scopes=true"
    )
    facebook = oauth.OAuthApp(client_id="cid-123", client_secret="s", settings={"graph_version": "v21.0"})
    assert oauth.build_authorize_url("facebook", app=facebook, redirect_uri=REDIRECT, state="s1") == (
        f"https://www.facebook.com/v21.0/dialog/oauth?response_type=code&client_id=cid-123&redirect_uri={REDIRECT_Q}"
        "&scope=pages_show_list%2Cpages_manage_posts%2Cpages_read_engagement%2Cpages_read_user_content"
        "%2Cpages_manage_engagement%2Cread_insights&state=s1"
    )
    assert oauth.build_authorize_url("threads", app=APP, redirect_uri=REDIRECT, state="s1").startswith(
        "https://threads.net/oauth/authorize?response_type=code&client_id=cid-123&"
    )
    assert "scope=boards%3Aread%2Cboards%3Awrite%2Cpins%3Aread%2Cpins%3Awrite%2Cuser_accounts%3Aread&" in (
        oauth.build_authorize_url("pinterest", app=APP, redirect_uri=REDIRECT, state="s1")
    )
    instance = oauth.OAuthApp(client_id="cid-123", service_url="https://mastodon.social")
    assert oauth.build_authorize_url(
        "mastodon", app=instance, redirect_uri=REDIRECT, state="s1", code_challenge="ch"
    ).startswith("https://mastodon.social/oauth/authorize?response_type=code&client_id=cid-123&")
    custom = oauth.OAuthApp(client_id="cid-123", settings={"scopes": "w_member_social, openid"})
    assert "&scope=w_member_social%20openid&" in oauth.build_authorize_url(
        "linkedin", app=custom, redirect_uri=REDIRECT, state="s1"
    )
    with pytest.raises(ValueError, match="X uses PKCE"):
        oauth.build_authorize_url("x", app=APP, redirect_uri=REDIRECT, state="s1")


def test_contract_oauth_pkce_challenge_is_rfc7636_s256():
    # RFC 7636 appendix B's example.
    assert oauth.pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


# --- code exchange -------------------------------------------------------------------------------------------------


@respx.mock
def test_contract_oauth_x_code_exchange_uses_basic_auth_and_pkce():
    route = respx.post("https://api.x.com/2/oauth2/token").respond(
        200,
        json={"token_type": "bearer", "expires_in": 7200,
              "access_token": "VGNibzFWSWREZm01bjN1N3dicWlNUG1oa2xRRVNN",
              "scope": "tweet.write users.read tweet.read offline.access",
              "refresh_token": "bWRWa3gzdnk3WHRGU1o0bmRRcTJ"},
    )  # fmt: skip

    tokens = oauth.exchange_code("x", code="c0de", verifier="v" * 64, app=APP, redirect_uri=REDIRECT)

    request = route.calls.last.request
    assert request.headers["authorization"] == BASIC
    assert _form(request) == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": REDIRECT,
        "code_verifier": "v" * 64,
    }
    assert (tokens.access_token, tokens.refresh_token) == (
        "VGNibzFWSWREZm01bjN1N3dicWlNUG1oa2xRRVNN",
        "bWRWa3gzdnk3WHRGU1o0bmRRcTJ",
    )
    assert tokens.scopes == "tweet.write users.read tweet.read offline.access"
    _expires_in(tokens.expires_at, 7200)


@respx.mock
def test_contract_oauth_linkedin_code_exchange_sends_client_credentials_in_the_form():
    route = respx.post("https://www.linkedin.com/oauth/v2/accessToken").respond(
        200,
        json={"access_token": "AQUvlL_DYEzvT2wz1QJiEPeLioeA", "expires_in": 5184000, "refresh_token": "AQWAft_WjYZK",
              "refresh_token_expires_in": 31536000, "scope": "r_basicprofile,w_member_social"},
    )  # fmt: skip

    tokens = oauth.exchange_code("linkedin", code="c0de", verifier="", app=APP, redirect_uri=REDIRECT)

    assert "authorization" not in route.calls.last.request.headers
    assert _form(route.calls.last.request) == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": REDIRECT,
        "client_id": "cid-123",
        "client_secret": "csecret-456",
    }
    assert (tokens.refresh_token, tokens.scopes) == ("AQWAft_WjYZK", "r_basicprofile w_member_social")
    _expires_in(tokens.expires_at, 5184000)


@respx.mock
def test_contract_oauth_facebook_exchanges_for_a_long_lived_token_then_lists_pages():
    short = respx.get("https://graph.facebook.com/v23.0/oauth/access_token", params={"code": "c0de"}).respond(
        200, json={"access_token": "EAAshort", "token_type": "bearer", "expires_in": 5183}
    )
    long = respx.get(
        "https://graph.facebook.com/v23.0/oauth/access_token", params={"grant_type": "fb_exchange_token"}
    ).respond(200, json={"access_token": "EAAlong", "token_type": "bearer", "expires_in": 5183944})
    pages = respx.get("https://graph.facebook.com/v23.0/me/accounts").respond(
        200,
        json={"data": [{"id": "1234567890", "name": "Vireo USA", "username": "VireoUSA", "access_token": "EAApage",
                        "category": "Industrial Company", "tasks": ["ADVERTISE", "CREATE_CONTENT", "MANAGE"]}],
              "paging": {"cursors": {"before": "QVFIU", "after": "QVFIU"}}},
    )  # fmt: skip

    tokens = oauth.exchange_code("facebook", code="c0de", verifier="", app=APP, redirect_uri=REDIRECT)
    found = oauth.facebook_pages(tokens.access_token, app=APP)

    assert dict(short.calls.last.request.url.params) == {
        "code": "c0de",
        "redirect_uri": REDIRECT,
        "client_id": "cid-123",
        "client_secret": "csecret-456",
    }
    assert dict(long.calls.last.request.url.params) == {
        "grant_type": "fb_exchange_token",
        "client_id": "cid-123",
        "client_secret": "csecret-456",
        "fb_exchange_token": "EAAshort",
    }
    assert (tokens.access_token, tokens.refresh_token) == ("EAAlong", "")
    _expires_in(tokens.expires_at, 5183944)
    assert pages.calls.last.request.url.params["access_token"] == "EAAlong"
    assert found == [
        oauth.FacebookPage(page_id="1234567890", name="Vireo USA", username="VireoUSA", access_token="EAApage")
    ]
    assert found[0].matches("@VireoUSA")
    assert not found[0].matches("VireoBrasil")


@respx.mock
def test_contract_oauth_instagram_login_short_then_long_lived_token():
    respx.post("https://api.instagram.com/oauth/access_token").respond(
        200,
        json={"data": [{"access_token": "IGQWshort", "user_id": 17841400008460056,
                        "permissions": "instagram_business_basic,instagram_business_content_publish"}]},
    )  # fmt: skip
    long = respx.get("https://graph.instagram.com/access_token").respond(
        200, json={"access_token": "IGQWlong", "token_type": "bearer", "expires_in": 5183944}
    )

    tokens = oauth.exchange_code("instagram", code="c0de", verifier="", app=APP, redirect_uri=REDIRECT)

    assert dict(long.calls.last.request.url.params) == {
        "grant_type": "ig_exchange_token",
        "client_secret": "csecret-456",
        "access_token": "IGQWshort",
    }
    assert (tokens.access_token, tokens.account_id, tokens.refresh_token) == ("IGQWlong", "17841400008460056", "")
    _expires_in(tokens.expires_at, 5183944)


@respx.mock
def test_contract_oauth_threads_exchange_and_refresh_of_the_long_lived_token():
    respx.post("https://graph.threads.net/oauth/access_token").respond(
        200, json={"access_token": "THshort", "user_id": "25004422900000000"}
    )
    respx.get("https://graph.threads.net/access_token").respond(
        200, json={"access_token": "THlong", "token_type": "bearer", "expires_in": 5184000}
    )
    refresh = respx.get("https://graph.threads.net/refresh_access_token").respond(
        200, json={"access_token": "THlong2", "token_type": "bearer", "expires_in": 5184000}
    )

    tokens = oauth.exchange_code("threads", code="c0de", verifier="", app=APP, redirect_uri=REDIRECT)
    renewed = oauth.refresh_tokens(
        "threads", _creds("threads", access_token=tokens.access_token, account_id=tokens.account_id)
    )

    assert (tokens.access_token, tokens.account_id) == ("THlong", "25004422900000000")
    assert dict(refresh.calls.last.request.url.params) == {"grant_type": "th_refresh_token", "access_token": "THlong"}
    assert (renewed.access_token, renewed.refresh_token, renewed.account_id) == ("THlong2", "", "25004422900000000")


@respx.mock
def test_contract_oauth_mastodon_app_registration_and_token_without_expiry():
    apps = respx.post("https://mastodon.social/api/v1/apps").respond(
        200,
        json={"id": "563419", "name": "Harmonie", "website": None, "scopes": ["read", "write"],
              "redirect_uri": REDIRECT, "redirect_uris": [REDIRECT],
              "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
              "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
              "vapid_key": "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M="},
    )  # fmt: skip
    token = respx.post("https://mastodon.social/oauth/token").respond(
        200,
        json={"access_token": "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0", "token_type": "Bearer",
              "scope": "read write follow push", "created_at": 1573979017},
    )  # fmt: skip

    app = oauth.register_mastodon_app("https://mastodon.social/", client_name="Harmonie", redirect_uri=REDIRECT)
    tokens = oauth.exchange_code("mastodon", code="c0de", verifier="ver", app=app, redirect_uri=REDIRECT)

    assert _form(apps.calls.last.request) == {
        "client_name": "Harmonie",
        "redirect_uris": REDIRECT,
        "scopes": "read:accounts read:statuses read:notifications read:search write:statuses write:media",
    }
    assert (app.client_id, app.service_url) == (
        "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
        "https://mastodon.social",
    )
    assert _form(token.calls.last.request)["code_verifier"] == "ver"
    assert _form(token.calls.last.request)["client_secret"] == "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw"
    assert (tokens.expires_at, tokens.refresh_token, tokens.scopes) == (None, "", "read write follow push")


# --- refresh -------------------------------------------------------------------------------------------------------


@respx.mock
def test_contract_oauth_x_refresh_returns_a_new_refresh_token():
    route = respx.post("https://api.x.com/2/oauth2/token").respond(
        200,
        json={"token_type": "bearer", "expires_in": 7200, "access_token": "new-access", "scope": "tweet.read",
              "refresh_token": "new-refresh"},
    )  # fmt: skip

    tokens = oauth.refresh_tokens("x", _creds("x", refresh_token="old-refresh", account_id="2244994945"))

    assert route.calls.last.request.headers["authorization"] == BASIC
    assert _form(route.calls.last.request) == {"grant_type": "refresh_token", "refresh_token": "old-refresh"}
    assert (tokens.access_token, tokens.refresh_token, tokens.account_id) == ("new-access", "new-refresh", "2244994945")


@respx.mock
def test_contract_oauth_google_refresh_answers_without_refresh_token():
    route = respx.post("https://oauth2.googleapis.com/token").respond(
        200,
        json={"access_token": "ya29.a0AfH6SMC", "expires_in": 3599, "scope": "https://www.googleapis.com/auth/youtube.upload",
              "token_type": "Bearer"},
    )  # fmt: skip

    tokens = oauth.refresh_tokens("youtube", _creds("youtube", refresh_token="1//0gLrefresh"))

    assert _form(route.calls.last.request) == {
        "grant_type": "refresh_token",
        "refresh_token": "1//0gLrefresh",
        "client_id": "cid-123",
        "client_secret": "csecret-456",
    }
    assert (tokens.access_token, tokens.refresh_token) == ("ya29.a0AfH6SMC", "")  # "keep the one you have"
    _expires_in(tokens.expires_at, 3599)


@respx.mock
def test_contract_oauth_pinterest_refresh_uses_basic_auth():
    route = respx.post("https://api.pinterest.com/v5/oauth/token").respond(
        200,
        json={"access_token": "pina_new", "response_type": "refresh_token", "token_type": "bearer",
              "expires_in": 2592000, "scope": "boards:read,pins:read,pins:write"},
    )  # fmt: skip

    tokens = oauth.refresh_tokens("pinterest", _creds("pinterest", refresh_token="pinr_old"))

    assert route.calls.last.request.headers["authorization"] == BASIC
    assert tokens.scopes == "boards:read pins:read pins:write"
    _expires_in(tokens.expires_at, 2592000)


@respx.mock
def test_contract_oauth_instagram_refresh_renews_the_access_token():
    route = respx.get("https://graph.instagram.com/refresh_access_token").respond(
        200, json={"access_token": "IGQWnew", "token_type": "bearer", "expires_in": 5183944}
    )
    tokens = oauth.refresh_tokens("instagram", _creds("instagram", access_token="IGQWold"))
    assert dict(route.calls.last.request.url.params) == {"grant_type": "ig_refresh_token", "access_token": "IGQWold"}
    assert tokens.access_token == "IGQWnew"


def test_contract_oauth_networks_without_refresh_say_reconnect_without_calling():
    with respx.mock(assert_all_called=False) as mock:
        for network, message in (
            ("mastodon", "Mastodon tokens cannot be renewed without the account's owner: reconnect the channel."),
            ("facebook", "Facebook tokens cannot be renewed without the account's owner: reconnect the channel."),
            (
                "linkedin",
                "LinkedIn gave no refresh token for this channel (the app may lack the permission for it): "
                "reconnect the channel.",
            ),
        ):
            with pytest.raises(ConnectorError) as failed:
                oauth.refresh_tokens(network, _creds(network, access_token="still-here"))
            assert (failed.value.kind, failed.value.message) == (ErrorKind.AUTH_REVOKED, message)
        assert mock.calls.call_count == 0


# --- error shapes --------------------------------------------------------------------------------------------------


def _refresh_error(network: str, url: str, response: httpx.Response | Exception) -> ConnectorError:
    with respx.mock:
        route = respx.post(url)
        if isinstance(response, Exception):
            route.side_effect = response
        else:
            route.return_value = response
        with pytest.raises(ConnectorError) as failed:
            oauth.refresh_tokens(network, _creds(network, refresh_token="r1"))
    return failed.value


def test_contract_oauth_google_invalid_grant_is_auth_revoked():
    error = _refresh_error(
        "youtube",
        "https://oauth2.googleapis.com/token",
        httpx.Response(400, json={"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
    )
    assert (error.kind, error.code, error.http_status) == (ErrorKind.AUTH_REVOKED, "invalid_grant", 400)
    assert (
        error.message
        == "YouTube refused the authorization (Token has been expired or revoked.): reconnect the channel."
    )


def test_contract_oauth_x_used_refresh_token_is_auth_revoked():
    error = _refresh_error(
        "x",
        "https://api.x.com/2/oauth2/token",
        httpx.Response(
            400, json={"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
        ),
    )
    assert (error.kind, error.code) == (ErrorKind.AUTH_REVOKED, "invalid_request")
    assert (
        error.message == "X refused the authorization (Value passed for the token was invalid.): reconnect the channel."
    )


def test_contract_oauth_refused_client_credentials_are_auth_revoked_with_what_to_check():
    error = _refresh_error(
        "x",
        "https://api.x.com/2/oauth2/token",
        httpx.Response(
            401, json={"error": "unauthorized_client", "error_description": "Missing valid authorization header"}
        ),
    )
    assert error.kind == ErrorKind.AUTH_REVOKED
    assert error.message == (
        "X refused the organization's app credentials (Missing valid authorization header): check the client ID and "
        "secret in the app credentials, then reconnect the channel."
    )


def test_contract_oauth_rate_limit_with_retry_after():
    error = _refresh_error(
        "x",
        "https://api.x.com/2/oauth2/token",
        httpx.Response(429, headers={"Retry-After": "30"}, json={"title": "Too Many Requests", "status": 429}),
    )
    assert (error.kind, error.retry_after, error.retryable) == (ErrorKind.RATE_LIMITED, 30.0, True)
    assert error.message == "X is rate limiting token requests: Harmonie tries again later."
    reset = int(timezone.now().timestamp()) + 120
    by_reset = _refresh_error(
        "x",
        "https://api.x.com/2/oauth2/token",
        httpx.Response(429, headers={"x-rate-limit-reset": str(reset)}, json={"status": 429}),
    )
    assert by_reset.retry_after is not None
    assert 115 <= by_reset.retry_after <= 120


def test_contract_oauth_server_errors_and_timeouts_are_transient():
    error = _refresh_error(
        "linkedin", "https://www.linkedin.com/oauth/v2/accessToken", httpx.Response(503, text="busy")
    )
    assert (error.kind, error.http_status, error.outcome_unknown) == (ErrorKind.TRANSIENT, 503, False)
    assert error.message == "LinkedIn's token endpoint failed for now (HTTP 503): Harmonie tries again later."
    timeout = _refresh_error("x", "https://api.x.com/2/oauth2/token", httpx.ReadTimeout("read timed out"))
    # The refresh may have happened (and X's old refresh token is then dead): the caller must not assume not.
    assert (timeout.kind, timeout.outcome_unknown) == (ErrorKind.TRANSIENT, True)
    refused = _refresh_error("x", "https://api.x.com/2/oauth2/token", httpx.ConnectError("connection refused"))
    assert (refused.kind, refused.outcome_unknown) == (ErrorKind.TRANSIENT, False)
    assert refused.message == "X's token endpoint could not be reached: Harmonie tries again later."


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ({"error": {"message": "Error validating access token: Session has expired on Tuesday, 24-Nov-26.",
                    "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "AbCdEf"}},
         ErrorKind.AUTH_REVOKED),
        ({"error": {"message": "Application request limit reached", "type": "OAuthException", "code": 4,
                    "is_transient": True, "fbtrace_id": "AbCdEf"}}, ErrorKind.RATE_LIMITED),
        ({"error": {"message": "An unexpected error has occurred.", "type": "OAuthException", "code": 2,
                    "is_transient": True}}, ErrorKind.TRANSIENT),
        ({"error": {"message": "(#10) Application does not have permission for this action", "type": "OAuthException",
                    "code": 10}}, ErrorKind.POLICY),
        ({"error": {"message": "Invalid parameter", "type": "OAuthException", "code": 100}}, ErrorKind.VALIDATION),
    ],
)  # fmt: skip
def test_contract_oauth_meta_error_envelope(payload, kind):
    with respx.mock:
        respx.get("https://graph.threads.net/refresh_access_token").respond(400, json=payload)
        with pytest.raises(ConnectorError) as failed:
            oauth.refresh_tokens("threads", _creds("threads", access_token="THlong"))
    assert (failed.value.kind, failed.value.code) == (kind, str(payload["error"]["code"]))
    assert failed.value.message.startswith("Threads")
    assert "Session has expired" in failed.value.message or kind != ErrorKind.AUTH_REVOKED


@respx.mock
def test_contract_oauth_a_code_refused_at_exchange_is_validation_not_revocation():
    respx.post("https://www.linkedin.com/oauth/v2/accessToken").respond(
        400,
        json={"error": "invalid_request",
              "error_description": "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
                                   "authorization code."},
    )  # fmt: skip
    with pytest.raises(ConnectorError) as failed:
        oauth.exchange_code("linkedin", code="c0de", verifier="", app=APP, redirect_uri=REDIRECT)
    assert failed.value.kind == ErrorKind.VALIDATION
    assert failed.value.message.startswith("LinkedIn refused the token request (Unable to retrieve access token:")


@respx.mock
def test_contract_oauth_answers_without_access_token_or_json_are_refused():
    respx.post("https://api.x.com/2/oauth2/token").respond(200, json={"token_type": "bearer"})
    with pytest.raises(ConnectorError) as empty:
        oauth.refresh_tokens("x", _creds("x", refresh_token="r1"))
    assert (empty.value.kind, empty.value.message) == (
        ErrorKind.VALIDATION,
        "X's token endpoint answered without an access token.",
    )
    respx.post("https://api.x.com/2/oauth2/token").respond(200, text="<html>maintenance</html>")
    with pytest.raises(ConnectorError) as html:
        oauth.refresh_tokens("x", _creds("x", refresh_token="r1"))
    assert html.value.kind == ErrorKind.TRANSIENT


def test_contract_oauth_token_query_parameters_are_redacted_in_httpx_logs(caplog):
    with respx.mock, caplog.at_level("INFO", logger="httpx"):
        respx.get("https://graph.instagram.com/refresh_access_token").respond(
            200, json={"access_token": "IGQWnew", "expires_in": 5183944}
        )
        oauth.refresh_tokens("instagram", _creds("instagram", access_token="IGQWsecret"))
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "IGQWsecret" not in logged
    assert "refresh_access_token?grant_type=ig_refresh_token&access_token=[redacted]" in logged


def test_refresh_margin_is_a_fifth_of_the_token_life():
    assert oauth.refresh_margin("x") == dt.timedelta(minutes=24)
    assert oauth.refresh_margin("youtube") == dt.timedelta(minutes=12)
    assert oauth.refresh_margin("instagram") == dt.timedelta(days=12)
    assert oauth.refresh_margin("bluesky") == dt.timedelta(minutes=24)
    assert oauth.refresh_margin("mastodon") == dt.timedelta(minutes=5)
