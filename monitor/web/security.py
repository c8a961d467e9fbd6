"""Web security: response headers, CSRF protection of every POST, trusted proxies, and which
`next=` targets a redirect may go to."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

CSRF_KEY = "csrf"  # in the session cookie
CSRF_FIELD = "csrf_token"  # in a form
CSRF_HEADER = "x-csrf-token"  # or this request header
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_LIMIT = 64 * 1024  # bytes of a form body read to find its CSRF token


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def safe_next(value: str | None) -> str:
    """`value` if it is a path of this app (`/area/850/index.html?x=1`), else `/`: never
    another site (`//evil.example`, `https://…`, `/\\evil`), never the sign-in routes."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(c in value for c in "\\\r\n\t") or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    if parts.path in ("/login", "/logout", "/signed-out") or parts.path.startswith("/auth/"):
        return "/"
    return value


def content_security_policy(issuer: str) -> str:
    """No inline script; forms post to this app only (and the sign-out form's redirect goes on
    to the provider); nothing may frame the pages."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            f"form-action 'self' {origin(issuer)}",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """Adds the security headers to every response (HSTS when the app is served over https);
    a response that sets no Cache-Control is kept out of shared caches."""

    def __init__(self, app: ASGIApp, *, issuer: str, https: bool):
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_security_policy(issuer),
            "Referrer-Policy": "same-origin",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if https:
            self.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "private, no-cache"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser's session, for a form's hidden `csrf_token` field."""
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = request.session[CSRF_KEY] = secrets.token_urlsafe(32)
    return token


class CsrfProtection:
    """Refuses (403) every POST, PUT, PATCH or DELETE that does not carry this session's CSRF
    token (form field `csrf_token` or header X-CSRF-Token), that comes from another origin, or
    whose body is larger than a form's. Runs inside the session middleware."""

    def __init__(self, app: ASGIApp, *, base_url: str, refused: ASGIApp):
        self.app = app
        self.origin = origin(base_url)
        self.refused = refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        expected = scope.get("session", {}).get(CSRF_KEY)
        sent_origin = headers.get("origin")
        body, complete = await _read_body(receive)
        token = headers.get(CSRF_HEADER)
        if token is None and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            token = next(iter(parse_qs(body.decode("latin-1")).get(CSRF_FIELD, [])), None)
        if (
            not complete
            or not isinstance(expected, str)
            or not token
            or not hmac.compare_digest(token.encode(), expected.encode())
            or (sent_origin is not None and sent_origin != self.origin)
        ):
            return await self.refused(scope, _replay(body), send)
        await self.app(scope, _replay(body), send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body up to FORM_LIMIT bytes, and whether that was all of it."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > FORM_LIMIT:
            return b"", False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def proxy_middleware(trusted: Iterable[str]) -> list[Middleware]:
    """X-Forwarded-For and X-Forwarded-Proto honoured from these addresses or networks only
    (none when no proxy is configured)."""
    trusted = list(trusted)
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)] if trusted else []
