"""The sign-in glue the web app mounts: it refuses to start without what it needs."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from monitor.config import Config, ConfigError
from monitor.web.auth import auth_middleware
from tests.web.conftest import web_config


def test_without_a_web_table_signing_in_is_refused_in_one_line(tmp_path):
    with pytest.raises(ConfigError, match=r"signing in needs a \[web\] table"):
        auth_middleware(Config(database_url=f"sqlite:///{tmp_path / 's.db'}"))


def test_without_the_client_secret_signing_in_is_refused_naming_the_variable(tmp_path):
    cfg = web_config(
        f"sqlite:///{tmp_path / 's.db'}",
        issuer="https://login.example.org/",
        client_id="c",
        secret="x",
        base_url="https://a.example.org/",
    )
    assert cfg.web is not None
    cfg.web.client_secret = SecretStr("")
    with pytest.raises(ConfigError, match="SEND_MONITOR_OIDC_CLIENT_SECRET"):
        auth_middleware(cfg)


def test_a_web_database_that_cannot_be_used_refuses_every_page_in_words(oidc_provider, tmp_path, caplog):
    import sqlite3

    from tests.web.conftest import Server, make_site, seed_codes

    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    seed_codes(store_url)
    with sqlite3.connect(tmp_path / "store.web.db") as conn:
        conn.execute("PRAGMA user_version = 99")  # made by another version
    app, site, port = make_site(oidc_provider, store_url)
    with Server(app, port), site.client() as client:
        response = client.get(f"{site.base_url}case/R-1")
    assert response.status_code == 503 and "The dashboards cannot be shown at the moment" in response.text
    assert "made by another send-monitor version" in caplog.text
