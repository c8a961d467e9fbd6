"""Fixtures of the served dashboards' sign-in: a real OpenID provider, and an app with the
sign-in middleware and routes over a few plain pages, served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy import insert
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from benchmarks.pgserver import free_port
from monitor.config import Config
from monitor.models import Area, Commissioner
from monitor.store import open_store
from monitor.web.auth import AccessLogError, auth_middleware, auth_routes, current_viewer, log_access
from tests.web.oidc_provider import start_provider


@pytest.fixture(scope="session")
def oidc_provider():
    yield from start_provider()


@dataclass
class Clock:
    """The app's clock, moved by the tests (never the real one: no test races it)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 12, 7, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


def web_config(store_url: str, *, issuer: str, client_id: str, secret: str, base_url: str, **web) -> Config:
    """The configuration the app reads, with a [web] section (the secret as from the environment)."""
    section = dict(issuer=issuer, client_id=client_id, base_url=base_url, roles_claim="send_roles") | web
    cfg = Config.model_validate(
        {"database_url": store_url, "alerts": {"admin_email": "access@example.org"}, "web": section}
    )
    assert cfg.web is not None
    cfg.web.client_secret = SecretStr(secret)
    return cfg


def seed_codes(store_url: str) -> None:
    """Areas 850 and 851 and commissioner QRL in the store, for grants to name."""
    engine = open_store(store_url)
    with engine.begin() as conn:
        conn.execute(insert(Area.__table__), [{"area_code": "850", "name": "A"}, {"area_code": "851", "name": "B"}])
        conn.execute(insert(Commissioner.__table__).values(commissioner_code="QRL", name="Q", kind="health"))
    engine.dispose()


async def _home(request: Request) -> Response:
    viewer = current_viewer(request)
    assert viewer is not None
    return PlainTextResponse(f"signed in as {viewer.subject}; roles {' '.join(sorted(viewer.roles))}")


async def _case(request: Request) -> Response:
    """A case-level page: written to the access log first, refused (503) when it cannot be."""
    viewer = current_viewer(request)
    assert viewer is not None
    ref = request.path_params["ref"]
    try:
        log_access(request, viewer, path=request.url.path, area="850", case_refs=[ref], outcome=200)
    except AccessLogError:
        return PlainTextResponse("access log unavailable", status_code=503)
    return PlainTextResponse(f"case {ref}")


async def _form(request: Request) -> Response:
    return PlainTextResponse("form accepted")


async def _client(request: Request) -> Response:
    return PlainTextResponse(f"{request.client.host if request.client else ''} {request.url.scheme}")


@dataclass
class Site:
    base_url: str  # the configured address
    local_url: str  # where it listens
    cfg: Config
    clock: Clock
    provider: object

    def client(self) -> httpx.Client:
        return httpx.Client(timeout=10)


class Server:
    """uvicorn serving an app in a thread, on 127.0.0.1."""

    def __init__(self, app, port: int):
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False, lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the test app did not start")
            self.thread.join(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


def make_site(oidc_provider, store_url: str, **web) -> tuple[Starlette, Site, int]:
    port = free_port()
    local_url = f"http://127.0.0.1:{port}/"
    base_url = web.pop("base_url", local_url)
    client_id, secret = oidc_provider.register(base_url)
    settings = dict(issuer=oidc_provider.issuer, client_id=client_id, secret=secret, base_url=base_url) | web
    cfg = web_config(store_url, **settings)
    clock = Clock()
    routes = [
        *auth_routes(cfg),
        Route("/", _home),
        Route("/case/{ref}", _case),
        Route("/form", _form, methods=["POST"]),
        Route("/client", _client),
        Route("/assets/site.css", lambda request: PlainTextResponse("body {}", media_type="text/css")),
    ]
    app = Starlette(routes=routes, middleware=auth_middleware(cfg, clock=clock))
    return app, Site(base_url, local_url, cfg, clock, oidc_provider), port


@pytest.fixture
def site(oidc_provider, tmp_path, request):
    """The app on a new SQLite store (areas 850, 851, commissioner QRL); `web_options` marks
    give [web] settings."""
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    seed_codes(store_url)
    marker = request.node.get_closest_marker("web_options")
    app, site, port = make_site(oidc_provider, store_url, **(marker.kwargs if marker else {}))
    with Server(app, port):
        yield site


def pytest_configure(config):
    config.addinivalue_line("markers", "web_options(**settings): [web] settings of the `site` fixture")
