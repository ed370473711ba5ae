from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import Client, override_settings

from harmonie.accounts.models import LoginFailure, User
from harmonie.governance.demo import DEMO_PASSWORD

CAMILLE = "camille.durand@vireo.example"


def _login(client: Client, email: str, password: str, **extra):
    return client.post("/accounts/login/", {"email": email, "password": password}, **extra)


def test_real_settings_hash_passwords_with_argon2(demo_org):
    from harmonie.config import settings as real_settings

    assert real_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=real_settings.PASSWORD_HASHERS):
        user = User.objects.get(email=CAMILLE)
        user.set_password("Kr4nich-am-See")
        user.save()
        assert identify_hasher(user.password).algorithm == "argon2"
        assert user.password.startswith("argon2$argon2id$")


def test_login_and_logout(demo_org):
    client = Client()
    response = _login(client, "Camille.Durand@vireo.example", DEMO_PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session["_auth_user_id"] == str(User.objects.get(email=CAMILLE).pk)
    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_login_redirects_only_to_this_site(demo_org):
    client = Client()
    response = client.post(
        "/accounts/login/", {"email": CAMILLE, "password": DEMO_PASSWORD, "next": "https://evil.example/x"}
    )
    assert response["Location"] == "/"


def test_wrong_password_says_so_without_telling_which(demo_org):
    response = _login(Client(), CAMILLE, "nope")
    assert response.status_code == 400
    assert "E-mail address or password is wrong." in response.content.decode()


def test_login_is_throttled_after_five_failures_even_with_the_right_password(demo_org):
    client = Client()
    for _ in range(5):
        assert _login(client, CAMILLE, "wrong-password").status_code == 400
    assert LoginFailure.objects.filter(login=CAMILLE).count() == 5
    locked = _login(client, CAMILLE, DEMO_PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed attempts. Wait 15 minutes, or reset your password." in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from another address is not affected.
    ok = _login(Client(REMOTE_ADDR="10.9.9.9"), "julien.bernard@vireo.example", DEMO_PASSWORD)
    assert ok.status_code == 302


@override_settings(HARMONIE_LOGIN_MAX_FAILURES=2)
def test_one_address_trying_many_accounts_is_throttled(demo_org):
    emails = [f"nobody{i}@vireo.example" for i in range(8)]
    for email in emails:
        _login(Client(), email, "x", REMOTE_ADDR="192.0.2.7")
    response = _login(Client(), CAMILLE, DEMO_PASSWORD, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 429


def test_successful_login_clears_failures(demo_org):
    client = Client()
    _login(client, CAMILLE, "wrong-password")
    _login(client, CAMILLE, DEMO_PASSWORD)
    assert LoginFailure.objects.filter(login=CAMILLE).count() == 0


def test_password_reset_by_email(demo_org):
    client = Client()
    response = client.post("/accounts/password-reset/", {"email": CAMILLE})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your Harmonie password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Tr0mbone-sous-la-pluie", "new_password2": "Tr0mbone-sous-la-pluie"})
    assert done["Location"] == "/accounts/reset/done/"
    assert User.objects.get(email=CAMILLE).check_password("Tr0mbone-sous-la-pluie")


def test_password_reset_for_unknown_address_reveals_nothing(demo_org):
    response = Client().post("/accounts/password-reset/", {"email": "nobody@vireo.example"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 0


def test_language_choice_is_saved_on_the_user(demo_org, client_for):
    client = client_for("de_market_lead")
    response = client.post("/accounts/language/", {"language": "fr", "next": "/channels/"})
    assert response["Location"] == "/channels/"
    assert User.objects.get(email="katrin.schulz@vireo.example").language == "fr"
    page = client.get("/accounts/profile/")
    assert '<html lang="fr"' in page.content.decode()


def test_language_for_anonymous_visitors_uses_a_cookie(db):
    client = Client()
    client.post("/accounts/language/", {"language": "fr", "next": "/accounts/login/"})
    page = client.get("/accounts/login/")
    assert '<html lang="fr"' in page.content.decode()


@pytest.mark.parametrize("path", ["/", "/markets/", "/governance/", "/accounts/profile/"])
def test_pages_require_login(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_session_cookie_flags():
    from harmonie.config import settings as real_settings

    assert real_settings.SESSION_COOKIE_HTTPONLY is True
    assert real_settings.SESSION_COOKIE_SAMESITE == "Lax"
