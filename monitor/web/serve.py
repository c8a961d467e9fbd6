"""Running the app: uvicorn with its workers on HOST:PORT (`serve`), each worker building the
app from the same configuration (`app_from_environment`). `--demo ROLE` signs every visitor
in as ROLE and is refused unless bound to a loopback address."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

from starlette.applications import Starlette

from monitor.config import CLIENT_SECRET_ENV, CONFIG_ENV, DB_ENV, Config, load_config
from monitor.web.viewer import is_role

DEMO_ENV = "SEND_MONITOR_DEMO_ROLE"  # how `serve_app` tells its workers the demo role


class ServeError(Exception):
    """The app cannot be served as asked: the message says why and what to do."""


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address (127.0.0.0/8, ::1) or `localhost`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_serving(cfg: Config, host: str, port: int, demo_role: str | None) -> None:
    """Refuse what cannot be served: a demo off loopback, no sign-in configured, a busy port."""
    if demo_role is not None:
        if not is_role(demo_role):
            raise ServeError(
                f"--demo {demo_role!r} is not a role: give national, area:CODE, commissioner:CODE or inspector:CODE"
            )
        if not is_loopback(host):
            raise ServeError(
                f"--demo signs every visitor in without a password, so it serves on a loopback address only, "
                f"not {host}: use --host 127.0.0.1"
            )
    elif cfg.web is None:
        raise ServeError(
            "serving the dashboards by role needs sign-in configured: add a [web] table to the configuration "
            "(see docs/operations.md), or use --demo ROLE for a look on this machine, or --static DIR"
        )
    elif not cfg.web.client_secret.get_secret_value():
        raise ServeError(f"[web] needs the OpenID client secret: set the environment variable {CLIENT_SECRET_ENV}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve_app(
    cfg: Config,
    host: str,
    port: int,
    workers: int,
    demo_role: str | None = None,
    config_file: Path | None = None,
    announce=print,
) -> None:
    """Serve the app until stopped (Ctrl-C or SIGTERM end it cleanly). Each worker reads the
    configuration again: `config_file` (the one `--config` named), or as this process did."""
    import uvicorn

    check_serving(cfg, host, port, demo_role)
    _prepare_web_database(cfg)
    os.environ[DB_ENV] = cfg.database_url
    if config_file is not None:
        os.environ[CONFIG_ENV] = str(config_file.absolute())
    if demo_role is not None:
        os.environ[DEMO_ENV] = demo_role
    else:
        os.environ.pop(DEMO_ENV, None)
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    who = f"; every visitor is signed in as {demo_role}" if demo_role else ""
    announce(f"serving the dashboards on http://{shown}:{port}/ ({workers} worker(s){who}; Ctrl-C stops)")
    uvicorn.run(
        "monitor.web.serve:app_from_environment",
        factory=True,
        host=host.strip("[]"),
        port=port,
        workers=workers,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )


def _prepare_web_database(cfg: Config) -> None:
    """Open (on SQLite: create) the web database once, before the workers start, so that they
    do not race to create it and a database that cannot be opened is one line here."""
    from sqlalchemy.exc import SQLAlchemyError

    from monitor.store import StoreError, store_failure
    from monitor.web.webstore import open_web_database, web_database_url

    try:
        open_web_database(cfg.database_url).dispose()
    except StoreError as exc:
        raise ServeError(str(exc)) from None
    except (SQLAlchemyError, OSError) as exc:
        url = web_database_url(cfg.database_url)
        raise ServeError(
            store_failure(exc, url) or f"the web database cannot be opened ({type(exc).__name__})"
        ) from None


def app_from_environment() -> Starlette:
    """The app, in a worker: the configuration and store `serve_app` named, the demo role if any."""
    from monitor.store import open_store
    from monitor.web.app import build_app

    cfg = load_config()
    return build_app(cfg, open_store(cfg.database_url), demo_role=os.environ.get(DEMO_ENV))
