"""Running the app: what `serve` refuses before it starts, each with one line."""

from __future__ import annotations

import socket

import pytest
from pydantic import SecretStr

from monitor.config import Config
from monitor.web.serve import ServeError, check_serving, is_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_addresses(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.4", "example.org", "127.0.0.1.nip.io", ""])
def test_other_addresses(host):
    assert not is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.1"])
def test_a_demo_is_refused_off_loopback(host):
    with pytest.raises(ServeError, match="loopback address only"):
        check_serving(Config(), host, 0, "national")


def test_a_demo_role_must_be_a_role():
    with pytest.raises(ServeError, match="is not a role"):
        check_serving(Config(), "127.0.0.1", 0, "admin")


def test_without_sign_in_configured_only_a_demo_is_served():
    with pytest.raises(ServeError, match=r"add a \[web\] table"):
        check_serving(Config(), "127.0.0.1", 0, None)
    check_serving(Config(), "127.0.0.1", 0, "area:850")


def test_a_port_in_use_is_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}"):
            check_serving(Config(), "127.0.0.1", port, "national")


def test_sign_in_needs_its_client_secret(monkeypatch):
    monkeypatch.delenv("SEND_MONITOR_OIDC_CLIENT_SECRET", raising=False)
    web = {"issuer": "https://login.example.org/", "client_id": "send-monitor", "base_url": "https://sm.example.org/"}
    cfg = Config.model_validate({"web": web})
    with pytest.raises(ServeError, match="SEND_MONITOR_OIDC_CLIENT_SECRET"):
        check_serving(cfg, "127.0.0.1", 0, None)
    cfg.web.client_secret = SecretStr("s3cret")
    check_serving(cfg, "127.0.0.1", 0, None)
