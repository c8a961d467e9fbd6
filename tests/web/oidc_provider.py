"""A real OpenID provider for the tests: panva's `oidc-provider` (npm, certified) run by node on
127.0.0.1 from tests/oidc/provider.mjs, and helpers to sign in on its own login page."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.request
from html import unescape
from pathlib import Path
from urllib.parse import quote, urljoin

import httpx
import pytest

from benchmarks.pgserver import free_port

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"


class OidcProvider:
    """The running provider: its issuer, client registration, and the rogue-key switch."""

    def __init__(self, port: int, process: subprocess.Popen):
        self.issuer = f"http://127.0.0.1:{port}"
        self.process = process

    def register(self, base_url: str) -> tuple[str, str]:
        """Register a client for the app at `base_url` (dynamic registration); its id and secret."""
        body = {
            "redirect_uris": [f"{base_url}auth/callback"],
            "post_logout_redirect_uris": [f"{base_url}signed-out"],
        }
        request = urllib.request.Request(
            f"{self.issuer}/reg", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            client = json.load(response)
        return client["client_id"], client["client_secret"]

    def rogue_keys(self, on: bool) -> None:
        """Publish a key set whose key has the signing key's id but other key material."""
        request = urllib.request.Request(f"{self.issuer}/test/rogue-jwks", b"on" if on else b"off", method="POST")
        urllib.request.urlopen(request, timeout=10).close()


def start_provider():
    """Start the provider; yields an OidcProvider (a generator for a fixture)."""
    node = shutil.which("node")
    if node is None or not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        message = "the test OpenID provider is not installed: run `make test` (npm ci in tests/oidc)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    process = subprocess.Popen(
        [node, "provider.mjs", str(port)], cwd=OIDC_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("ready"):
            process.kill()
            pytest.fail(f"the test OpenID provider did not start: {process.stderr.read() if process.stderr else ''}")
        yield OidcProvider(port, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_in(client: httpx.Client, base_url: str, login: str, next_path: str = "/") -> httpx.Response:
    """Sign in as the test user `login` on the provider's login page; the final response."""
    response = client.get(f"{base_url}login?next={quote(next_path, safe='')}", follow_redirects=True)
    match = re.search(r'<form[^>]*action="([^"]+)"', response.text)
    assert match, f"no login form at {response.url}"
    action = urljoin(str(response.url), unescape(match.group(1)))
    return client.post(
        action, data={"prompt": "login", "login": login, "password": "any password"}, follow_redirects=True
    )
