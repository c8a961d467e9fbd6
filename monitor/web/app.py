"""The served dashboards: a Starlette app rendering the static site's pages from the store on
request, at the same paths, for signed-in viewers by role (`build_app`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import BaseRoute

from monitor.config import Config
from monitor.web.assets import asset_routes
from monitor.web.cache import PageCache
from monitor.web.pages import PageSource
from monitor.web.refusals import Refusals
from monitor.web.rendering import store_stamp
from monitor.web.routes import Served, page_routes
from monitor.web.viewer import Viewer


@dataclass
class Auth:
    """Who is asking and the record of what they saw: sign-in routes, session middleware,
    `current_viewer(request)` and `log_access(request, viewer, *, path, area, case_refs, outcome)`."""

    current_viewer: Callable[[Request], Viewer | None]
    log_access: Callable[..., None]
    routes: list[BaseRoute] = field(default_factory=list)
    middleware: list[Middleware] = field(default_factory=list)


def build_app(
    cfg: Config,
    engine: Engine,
    *,
    demo_role: str | None = None,
    pages: PageSource,
    auth: Auth,
    cache: PageCache | None = None,
) -> Starlette:
    """The app over `engine`'s store. `demo_role` signs every visitor in with that role (for
    a look on loopback without a provider); `pages` finds and renders them, `auth` says who
    is asking and keeps the access log; `cache` replaces the page cache."""
    served = Served(
        pages=pages,
        cache=cache or PageCache(),
        stamp=lambda: store_stamp(engine),
        current_viewer=auth.current_viewer,
        log_access=auth.log_access,
        refusals=Refusals(cfg.alerts.admin_email),
    )
    routes = [*auth.routes, *asset_routes(), *page_routes(served)]
    return Starlette(routes=routes, middleware=auth.middleware)
