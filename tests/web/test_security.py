"""Security headers, CSRF protection of every POST, trusted proxies, and `next=` targets."""

from __future__ import annotations

import re

import pytest

from monitor.web.security import safe_next
from tests.web.oidc_provider import sign_in


def _csrf(client, base_url: str) -> str:
    page = client.get(f"{base_url}logout")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_every_response_carries_the_security_headers(site):
    with site.client() as client:
        for response in (client.get(f"{site.base_url}login?next=/"), client.get(f"{site.base_url}signed-out")):
            csp = response.headers["content-security-policy"]
            script = next(d for d in csp.split("; ") if d.startswith("script-src"))
            assert script == "script-src 'self'"
            assert "frame-ancestors 'none'" in csp
            assert response.headers["referrer-policy"] == "same-origin"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert "strict-transport-security" not in response.headers  # plain http here


@pytest.mark.web_options(base_url="https://send-monitor.example.org/")
def test_behind_https_strict_transport_security_is_sent(site):
    with site.client() as client:
        response = client.get(f"{site.local_url}signed-out")
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_a_post_without_its_csrf_token_is_refused(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        token = _csrf(client, site.base_url)
        refused = client.post(f"{site.base_url}form", data={"x": "1"})
        assert refused.status_code == 403 and "This form could not be accepted" in refused.text
        assert client.post(f"{site.base_url}form", data={"csrf_token": "forged", "x": "1"}).status_code == 403
        assert client.post(f"{site.base_url}form", data={"csrf_token": token, "x": "1"}).text == "form accepted"
        assert client.post(f"{site.base_url}form", headers={"X-CSRF-Token": token}).text == "form accepted"


def test_a_post_from_another_site_is_refused_even_with_the_token(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        token = _csrf(client, site.base_url)
        response = client.post(
            f"{site.base_url}form", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
        )
    assert response.status_code == 403


def test_forwarded_headers_are_ignored_unless_the_proxy_is_trusted(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        response = client.get(
            f"{site.base_url}client", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        )
    assert response.text == "127.0.0.1 http"


@pytest.mark.web_options(trusted_proxies=["127.0.0.0/8"])
def test_forwarded_headers_from_a_trusted_proxy_are_honoured(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        response = client.get(
            f"{site.base_url}client", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        )
    assert response.text == "203.0.113.9 https"


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/area/850/index.html", "/area/850/index.html"),
        ("/case/R-1.html?tab=2#x", "/case/R-1.html?tab=2#x"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("/login?next=/x", "/"),
        ("/auth/callback?code=1", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_next_only_goes_to_this_apps_own_paths(target, expected):
    assert safe_next(target) == expected


def test_an_anonymous_visitor_is_sent_to_sign_in_with_the_page_kept(site):
    with site.client() as client:
        response = client.get(f"{site.base_url}case/R-1?x=1")
        assets = client.get(f"{site.base_url}assets/site.css")
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=%2Fcase%2FR-1%3Fx%3D1"
    assert assets.status_code == 200
