"""How the app knows who is asking and records what they saw (`SignIn`): through the
provider (`provider_sign_in`, the [web] configuration), or for a demo on loopback
(`demo_sign_in`: every visitor is the same viewer with one role; the access log is still
written)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from monitor.config import Config
from monitor.web.viewer import Viewer

DEMO_SUBJECT = "demo"
KEEP_DAYS = 400  # the access log's retention for a demo without [web]


@dataclass
class SignIn:
    """Sign-in routes and middleware, `current_viewer(request)` and
    `log_access(request, viewer, *, path, area, case_refs, outcome)` (raises when the row
    cannot be written)."""

    current_viewer: Callable[[Request], Viewer | None]
    log_access: Callable[..., None]
    routes: Sequence[BaseRoute] = ()
    middleware: Sequence[Middleware] = ()


def provider_sign_in(cfg: Config) -> SignIn:
    """Signing in with the OpenID provider of the [web] configuration."""
    from monitor.web.auth import auth_middleware, auth_routes, current_viewer, log_access

    return SignIn(current_viewer, log_access, auth_routes(cfg), auth_middleware(cfg))


def demo_sign_in(cfg: Config, role: str) -> SignIn:
    """Everyone is the viewer `demo` with `role`; /login goes straight on to `next`."""
    from monitor.web.access_log import AccessLog
    from monitor.web.security import SecurityHeaders, safe_next
    from monitor.web.webstore import open_web_database

    viewer = Viewer(DEMO_SUBJECT, None, frozenset({role}))
    keep = cfg.web.access_log_days if cfg.web is not None else KEEP_DAYS
    access_log = AccessLog(open_web_database(cfg.database_url), keep)

    def log_access(request: Request, who: Viewer, *, path, area, case_refs, outcome) -> None:
        access_log.append(
            subject=who.subject, email=who.email, path=path, area=area, case_refs=case_refs, outcome=outcome
        )

    async def login(request: Request) -> Response:
        return RedirectResponse(safe_next(request.query_params.get("next")), 302)

    async def logout(request: Request) -> Response:
        return RedirectResponse("/", 302)

    return SignIn(
        current_viewer=lambda request: viewer,
        log_access=log_access,
        routes=[Route("/login", login), Route("/logout", logout, methods=["GET", "POST"])],
        middleware=[Middleware(SecurityHeaders, issuer="http://127.0.0.1", https=False)],
    )
