"""The served dashboards: a Starlette app rendering the static site's pages from the store on
request, at the same paths, for signed-in viewers by role (`build_app`)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from starlette.applications import Starlette

from monitor.config import Config
from monitor.rules import load_rules
from monitor.web.assets import asset_routes
from monitor.web.cache import PageCache
from monitor.web.pages import PageSource
from monitor.web.refusals import Refusals
from monitor.web.rendering import StorePages, store_stamp
from monitor.web.routes import Served, page_routes
from monitor.web.signin import SignIn, demo_sign_in, provider_sign_in


def build_app(
    cfg: Config,
    engine: Engine,
    *,
    demo_role: str | None = None,
    pages: PageSource | None = None,
    sign_in: SignIn | None = None,
    cache: PageCache | None = None,
) -> Starlette:
    """The app over `engine`'s store, its viewers signed in through the [web] provider, or
    with `demo_role` every visitor signed in with that role (a look on loopback without a
    provider). `pages`, `sign_in` and `cache` replace the store's pages, the sign-in and the
    page cache."""
    if sign_in is None:
        sign_in = demo_sign_in(cfg, demo_role) if demo_role is not None else provider_sign_in(cfg)
    outline = None
    if pages is None:
        store_pages = StorePages(engine, load_rules(cfg.rules_dir, cfg.parameters), cfg.site_url)
        pages, outline = store_pages, store_pages.outline
    served = Served(
        pages=pages,
        cache=cache or PageCache(),
        stamp=lambda: store_stamp(engine),
        current_viewer=sign_in.current_viewer,
        log_access=sign_in.log_access,
        refusals=Refusals(cfg.alerts.admin_email),
        outline=outline,
    )
    routes = [*sign_in.routes, *asset_routes(), *page_routes(served)]
    return Starlette(routes=routes, middleware=list(sign_in.middleware))
