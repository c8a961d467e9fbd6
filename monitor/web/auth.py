"""Who may see the served dashboards: what the web app mounts for signing in, and asks of it.

- `auth_middleware(cfg)`: trusted proxies, security headers, the session cookie, CSRF checks,
  and the gate: not signed in → 302 to /login?next=PATH; signed in with no role (or only
  ended grants) → a 403 page saying whom to ask, with its access-log row. Paths of signing
  in and out, and /assets/, are open to everyone.
- `auth_routes(cfg)`: /login?next=PATH, /auth/callback, /logout (GET asks, POST signs out),
  /signed-out.
- `current_viewer(request)`: the signed-in Viewer (roles: the ID token's and the grants').
- `log_access(request, viewer, …)`: one access-log row; AccessLogError when it cannot be
  written (the page must then be refused with 503).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from monitor.config import CLIENT_SECRET_ENV, Config, ConfigError
from monitor.db import StoreError
from monitor.store import open_store, store_failure
from monitor.web import auth_pages
from monitor.web.access_log import AccessLog, AccessLogError
from monitor.web.grants import granted_roles, roles_of
from monitor.web.oidc import Provider, SignInError
from monitor.web.security import CsrfProtection, SecurityHeaders, csrf_token, proxy_middleware, safe_next
from monitor.web.session import Sessions, SignedIn, session_middleware
from monitor.web.viewer import Viewer
from monitor.web.webstore import open_web_database

__all__ = ["AccessLogError", "auth_middleware", "auth_routes", "current_viewer", "log_access"]

log = logging.getLogger(__name__)
AUTH = "send_monitor.auth"  # scope keys set by the gate
VIEWER = "send_monitor.viewer"
OPEN_PATHS = frozenset({"/login", "/auth/callback", "/logout", "/signed-out"})
OPEN_PREFIXES = ("/assets/",)


class Auth:
    """Everything signing in needs, for one configuration: the provider, and (opened on first
    use) the store for grants and the web database for sessions and the access log."""

    def __init__(self, cfg: Config, clock: Callable[[], datetime] | None = None):
        web = cfg.web
        if web is None:
            raise ConfigError(["signing in needs a [web] table in the configuration"])
        secret = web.client_secret.get_secret_value()
        if not secret:
            raise ConfigError([f"[web] needs the OpenID client secret in the environment variable {CLIENT_SECRET_ENV}"])
        self.web = web
        self.cfg = cfg
        self.base_url = web.base_url
        self.https = self.base_url.startswith("https://")
        self.secret = secret
        self.clock = clock or (lambda: datetime.now(UTC))
        self.zone = ZoneInfo(cfg.schedule.timezone)
        self.admin_email = cfg.alerts.admin_email
        self.provider = Provider(
            issuer=web.issuer, client_id=web.client_id, client_secret=secret, roles_claim=web.roles_claim
        )
        self._lock = threading.Lock()
        self._store: Engine | None = None
        self._sessions: Sessions | None = None
        self._log: AccessLog | None = None

    def _open(self) -> None:
        with self._lock:
            if self._store is not None:
                return
            web = self.web
            store = open_store(self.cfg.database_url)
            try:
                engine = open_web_database(self.cfg.database_url)
            except BaseException:
                store.dispose()
                raise
            self._sessions = Sessions(
                engine, idle_minutes=web.session_idle_minutes, max_hours=web.session_max_hours, clock=self.clock
            )
            self._log = AccessLog(engine, web.access_log_days, clock=self.clock)
            self._store = store

    @property
    def sessions(self) -> Sessions:
        self._open()
        assert self._sessions is not None
        return self._sessions

    @property
    def access_log(self) -> AccessLog:
        self._open()
        assert self._log is not None
        return self._log

    def viewer(self, signed: SignedIn) -> Viewer:
        """The viewer for a live session: the token's roles and the grants valid today."""
        self._open()
        assert self._store is not None
        today = self.clock().astimezone(self.zone).date()
        with self._store.connect() as conn:
            granted = granted_roles(conn, signed.subject, signed.email, signed.email_verified, today)
        return Viewer(signed.subject, signed.email, roles_of(signed.token_roles, granted))

    def find_viewer(self, cookie) -> Viewer | None:
        signed = self.sessions.current(cookie)
        return self.viewer(signed) if signed is not None else None


def _auth(request: Request) -> Auth:
    return request.scope[AUTH]


def current_viewer(request: Request) -> Viewer | None:
    """The signed-in viewer of this request (None when nobody is signed in)."""
    return request.scope.get(VIEWER)


def log_access(
    request: Request, viewer: Viewer, *, path: str, area: str | None, case_refs: Iterable[str], outcome: int
) -> None:
    """Append one access-log row for a case-level page or download served or refused.
    Raises AccessLogError when it cannot be written: the page must not be served (503)."""
    try:
        access_log = _auth(request).access_log
    except (SQLAlchemyError, StoreError, OSError) as exc:
        why = str(exc) if isinstance(exc, StoreError) else store_failure(exc, _auth(request).cfg.database_url)
        raise AccessLogError(why or "the web database cannot be opened") from None
    access_log.append(
        subject=viewer.subject, email=viewer.email, path=path, area=area, case_refs=case_refs, outcome=outcome
    )


class Gate:
    """Finds the viewer of each request; sends anonymous visitors to sign in and refuses those
    with no role, before any page sees the request."""

    def __init__(self, app: ASGIApp, *, auth: Auth):
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(OPEN_PREFIXES):
            return await self.app(scope, receive, send)
        scope[AUTH] = self.auth
        request = Request(scope)
        try:
            viewer = await run_in_threadpool(self.auth.find_viewer, request.session)
        except (SQLAlchemyError, StoreError, OSError) as exc:
            why = str(exc) if isinstance(exc, StoreError) else store_failure(exc, self.auth.cfg.database_url)
            log.error("sign-in: who is signed in could not be read: %s", why or type(exc).__name__)
            return await auth_pages.unavailable(self.auth.admin_email)(scope, receive, send)
        scope[VIEWER] = viewer
        path = scope["path"]
        if path in OPEN_PATHS:
            return await self.app(scope, receive, send)
        if viewer is None:
            target = path + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
            return await RedirectResponse(f"/login?next={quote(target, safe='')}", 302)(scope, receive, send)
        if not viewer.roles:
            response = await self._no_role(request, viewer, path)
            return await response(scope, receive, send)
        await self.app(scope, receive, send)

    async def _no_role(self, request: Request, viewer: Viewer, path: str) -> Response:
        try:
            await run_in_threadpool(log_access, request, viewer, path=path, area=None, case_refs=(), outcome=403)
        except AccessLogError:
            return auth_pages.log_unavailable(self.auth.admin_email)
        return auth_pages.no_role(
            subject=viewer.subject,
            email=viewer.email,
            admin_email=self.auth.admin_email,
            csrf_token=csrf_token(request),
        )


# --- the routes -------------------------------------------------------------------------------


async def login(request: Request) -> Response:
    auth = _auth(request)
    target = safe_next(request.query_params.get("next"))
    if current_viewer(request) is not None:
        return RedirectResponse(target, 302)
    request.session["next"] = target
    try:
        return await auth.provider.redirect(request, f"{auth.base_url}auth/callback")
    except SignInError as exc:
        return auth_pages.sign_in_failed(exc.reason, status=exc.status)


async def callback(request: Request) -> Response:
    auth = _auth(request)
    try:
        identity = await auth.provider.identity(request)
    except SignInError as exc:
        return auth_pages.sign_in_failed(exc.reason, status=exc.status)
    target = safe_next(request.session.get("next"))
    try:
        await run_in_threadpool(
            auth.sessions.start,
            request.session,
            subject=identity.subject,
            email=identity.email,
            email_verified=identity.email_verified,
            token_roles=identity.roles,
            id_token=identity.id_token,
        )
    except (SQLAlchemyError, StoreError, OSError):
        log.error("sign-in: the session could not be written to the web database")
        return auth_pages.unavailable(auth.admin_email)
    csrf_token(request)
    log.info("sign-in: a session started")
    return RedirectResponse(target, 302)


async def logout(request: Request) -> Response:
    auth = _auth(request)
    if request.method == "GET":
        if current_viewer(request) is None:
            return RedirectResponse("/signed-out", 302)
        return auth_pages.sign_out_form(csrf_token(request))
    try:
        id_token = await run_in_threadpool(auth.sessions.end, request.session)
    except (SQLAlchemyError, StoreError, OSError):
        log.error("sign-out: the session could not be ended in the web database")
        return auth_pages.unavailable(auth.admin_email)
    url = await auth.provider.logout_url(id_token=id_token, post_logout_redirect_uri=f"{auth.base_url}signed-out")
    return RedirectResponse(url or "/signed-out", 303)


async def signed_out(request: Request) -> Response:
    return auth_pages.signed_out()


def auth_routes(cfg: Config | None = None) -> list[Route]:
    """The routes of signing in and out (the configuration is read by `auth_middleware`)."""
    return [
        Route("/login", login, methods=["GET"]),
        Route("/auth/callback", callback, methods=["GET"]),
        Route("/logout", logout, methods=["GET", "POST"]),
        Route("/signed-out", signed_out, methods=["GET"]),
    ]


def auth_middleware(cfg: Config, *, clock: Callable[[], datetime] | None = None) -> list[Middleware]:
    """The middleware of signing in, outermost first (`clock` for tests of expiry). ConfigError
    without [web] or its client secret."""
    auth = Auth(cfg, clock)
    web = auth.web
    return [
        *proxy_middleware(web.trusted_proxies),
        Middleware(SecurityHeaders, issuer=web.issuer, https=auth.https),
        session_middleware(auth.secret, https=auth.https, max_hours=web.session_max_hours),
        Middleware(CsrfProtection, base_url=auth.base_url, refused=_form_refused),
        Middleware(Gate, auth=auth),
    ]


async def _form_refused(scope: Scope, receive: Receive, send: Send) -> None:
    await auth_pages.form_refused()(scope, receive, send)
