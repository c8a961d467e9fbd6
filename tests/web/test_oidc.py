"""Sign-in through a real OpenID provider: the code flow with PKCE, the ID token checked."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.web.oidc_provider import sign_in


def _csrf(client, base_url: str) -> str:
    page = client.get(f"{base_url}logout")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_a_person_signs_in_on_the_providers_page_and_lands_where_they_were_going(site):
    with site.client() as client:
        final = sign_in(client, site.base_url, "lead850", "/case/REF-1")
        assert final.status_code == 200
        assert final.url == f"{site.base_url}case/REF-1"
        assert final.text == "case REF-1"
        assert client.get(site.base_url).text == "signed in as lead850; roles area:850"


def test_the_redirect_to_the_provider_carries_state_nonce_and_a_pkce_challenge(site):
    with site.client() as client:
        response = client.get(f"{site.base_url}login?next=/")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [f"{site.base_url}auth/callback"]


def test_a_callback_with_a_wrong_state_is_refused(site):
    with site.client() as client:
        client.get(f"{site.base_url}login?next=/")  # a sign-in begun: its state is in the cookie
        response = client.get(f"{site.base_url}auth/callback?code=anything&state=not-the-one")
        assert response.status_code == 400
        assert "The sign-in had expired or was already used" in response.text
        assert client.get(site.base_url).status_code == 302  # nobody signed in


def test_a_callback_replayed_after_the_sign_in_is_refused(site):
    with site.client() as client:
        response = client.get(f"{site.base_url}login?next=/", follow_redirects=True)
        final = sign_in(client, site.base_url, "lead850")
        callback = next(r for r in final.history if r.url.path == "/auth/callback")
        again = client.get(str(callback.url))
    assert response.status_code == 200 and again.status_code == 400


def test_an_id_token_signed_by_another_key_is_refused(site, caplog):
    site.provider.rogue_keys(True)
    try:
        with site.client() as client:
            final = sign_in(client, site.base_url, "lead850")
            assert final.status_code == 400
            assert "did not confirm who you are" in final.text
            assert "the ID token was refused (BadSignatureError)" in caplog.text
            assert client.get(site.base_url).status_code == 302
    finally:
        site.provider.rogue_keys(False)


def test_an_open_redirect_in_next_goes_to_the_home_page_instead(site):
    with site.client() as client:
        final = sign_in(client, site.base_url, "lead850", "//evil.example/steal")
        assert final.url == site.base_url


def test_the_provider_being_down_gives_a_page_that_says_so(oidc_provider, tmp_path):
    from tests.web.conftest import Server, make_site, seed_codes

    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    seed_codes(store_url)
    app, site, port = make_site(oidc_provider, store_url, issuer="http://127.0.0.1:9")
    with Server(app, port), site.client() as client:
        response = client.get(f"{site.base_url}login?next=/")
    assert response.status_code == 502
    assert "The sign-in service could not be reached" in response.text


def test_no_secret_code_or_token_is_ever_logged(site, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    with site.client() as client:
        final = sign_in(client, site.base_url, "lead850")
        callback = next(r for r in final.history if r.url.path == "/auth/callback")
        code = callback.url.params["code"]
        signed_out = client.post(f"{site.base_url}logout", headers={"X-CSRF-Token": _csrf(client, site.base_url)})
        id_token = parse_qs(urlsplit(signed_out.headers["location"]).query)["id_token_hint"][0]
    test_client = ("httpx", "httpcore")  # the test's own client logs what it received
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] not in test_client)
    assert "httpcore2" in {r.name.split(".")[0] for r in caplog.records}  # the app's client was heard
    assert "a session started" in logged
    for secret in (code, id_token, site.cfg.web.client_secret.get_secret_value()):
        assert secret not in logged


def test_the_provider_refusing_the_sign_in_is_said_in_words(site):
    with site.client() as client:
        client.get(f"{site.base_url}login?next=/")
        response = client.get(f"{site.base_url}auth/callback?error=access_denied&state=x")
    assert response.status_code == 403 and "The sign-in was cancelled" in response.text


def test_a_provider_whose_discovery_names_another_issuer_is_not_trusted(oidc_provider, tmp_path):
    from tests.web.conftest import Server, make_site, seed_codes

    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    seed_codes(store_url)
    # The same provider reached by another name: its document says it is http://127.0.0.1:…
    app, site, port = make_site(oidc_provider, store_url, issuer=oidc_provider.issuer.replace("127.0.0.1", "localhost"))
    with Server(app, port), site.client() as client:
        response = client.get(f"{site.base_url}login?next=/")
    assert response.status_code == 502 and "did not confirm who you are" in response.text


def test_a_provider_that_never_answers_gives_up_with_a_page_that_says_so(oidc_provider, tmp_path, monkeypatch):
    import socket

    from monitor.web import oidc
    from tests.web.conftest import Server, make_site, seed_codes

    monkeypatch.setattr(oidc, "TIMEOUT_SECONDS", 0.5)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts connections, never answers
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    seed_codes(store_url)
    app, site, port = make_site(oidc_provider, store_url, issuer=f"http://127.0.0.1:{silent.getsockname()[1]}")
    try:
        with Server(app, port), site.client() as client:
            response = client.get(f"{site.base_url}login?next=/")
    finally:
        silent.close()
    assert response.status_code == 502 and "could not be reached" in response.text
