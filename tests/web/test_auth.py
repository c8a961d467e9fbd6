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
