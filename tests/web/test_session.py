"""The session cookie: its flags, tampering, idle and absolute expiry, and a copy kept from
before signing out."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.web.oidc_provider import sign_in


def _cookie(client: httpx.Client) -> tuple[str, str]:
    (cookie,) = [c for c in client.cookies.jar if c.name.endswith("send-monitor")]
    return cookie.name, cookie.value


def _csrf(client: httpx.Client, base_url: str) -> str:
    page = client.get(f"{base_url}logout")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_the_cookie_is_http_only_and_same_site_lax_and_not_secure_over_http(site):
    with site.client() as client:
        response = client.get(f"{site.base_url}login?next=/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("send-monitor=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower() and "secure" not in cookie.lower()


@pytest.mark.web_options(base_url="https://send-monitor.example.org/")
def test_behind_https_the_cookie_is_secure_and_host_only(site):
    # The app listens on plain http here; only its configured address is https.
    with site.client() as client:
        response = client.get(f"{site.local_url}login?next=/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-send-monitor=") and "; secure" in cookie.lower()
    assert "httponly" in cookie.lower()


def test_a_tampered_cookie_is_refused(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        name, value = _cookie(client)
        payload, dot, rest = value.partition(".")
        forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + dot + rest
        client.cookies.clear()
        client.cookies.set(name, forged, domain="127.0.0.1")
        response = client.get(site.base_url)
    assert response.status_code == 302 and response.headers["location"] == "/login?next=%2F"


def test_a_session_idle_too_long_ends(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        site.clock.advance(minutes=29)
        assert client.get(site.base_url).status_code == 200  # used: the idle time starts again
        site.clock.advance(minutes=29)
        assert client.get(site.base_url).status_code == 200
        site.clock.advance(minutes=31)
        assert client.get(site.base_url).status_code == 302


def test_a_session_ends_after_its_longest_time_however_busy(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        for _ in range(16):  # 16 × 29 minutes < 8 hours
            site.clock.advance(minutes=29)
            assert client.get(site.base_url).status_code == 200
        site.clock.advance(minutes=29)
        assert client.get(site.base_url).status_code == 302


def test_an_expired_cookie_replayed_later_is_refused(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        name, old = _cookie(client)
        site.clock.advance(minutes=31)
        assert client.get(site.base_url).status_code == 302
        site.clock.advance(minutes=-31)  # the same old cookie, at a time it would have been live
        client.cookies.clear()
        client.cookies.set(name, old, domain="127.0.0.1")
        assert client.get(site.base_url).status_code == 302


def test_signing_out_ends_the_provider_session_and_a_kept_copy_of_the_cookie_is_refused(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        name, kept = _cookie(client)
        response = client.post(f"{site.base_url}logout", data={"csrf_token": _csrf(client, site.base_url)})
        assert response.status_code == 303
        location = urlsplit(response.headers["location"])
        assert f"{location.scheme}://{location.netloc}" == site.provider.issuer
        query = parse_qs(location.query)
        assert query["post_logout_redirect_uri"] == [f"{site.base_url}signed-out"]
        assert query["id_token_hint"][0].count(".") == 2
        assert client.get(site.base_url).status_code == 302
        client.cookies.clear()
        client.cookies.set(name, kept, domain="127.0.0.1")
        assert client.get(site.base_url).status_code == 302


def test_signing_out_needs_the_form_a_link_from_elsewhere_does_not_sign_out(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        page = client.get(f"{site.base_url}logout")
        assert page.status_code == 200 and "Sign out" in page.text
        assert client.post(f"{site.base_url}logout").status_code == 403
        assert client.get(site.base_url).status_code == 200


def test_when_the_sessions_cannot_be_read_the_page_says_so_and_shows_nothing(site):
    import sqlite3

    from monitor.web.webstore import web_database_url

    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        with sqlite3.connect(web_database_url(site.cfg.database_url).removeprefix("sqlite:///")) as conn:
            conn.execute("DROP TABLE web_sessions")
        response = client.get(f"{site.base_url}case/R-1")
    assert response.status_code == 503
    assert "The dashboards cannot be shown at the moment" in response.text and "case R-1" not in response.text
