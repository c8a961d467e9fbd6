"""Signed-in sessions: a signed cookie naming a session row, idle and absolute expiry.

The cookie (Starlette's SessionMiddleware: signed with itsdangerous, HttpOnly, SameSite=Lax,
Secure and `__Host-` named when the base URL is https) carries the session's id, when it was
last used and its CSRF token. The row (in the web database: monitor/web/webstore.py) holds a
hash of the id, who signed in, the roles their ID token carried and the ID token itself for
the provider's sign-out. Signing out, or an idle or absolute expiry, ends the row: a copy of
the cookie kept from before is refused from then on.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Engine
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware

from monitor.models import WebSession

log = logging.getLogger(__name__)
TABLE = WebSession.__table__
SID, SEEN = "sid", "seen"  # the cookie's keys (security.py adds the CSRF token)
PRUNE_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class SignedIn:
    """A live session: who signed in, and what their ID token said."""

    subject: str
    email: str | None
    email_verified: bool
    token_roles: tuple[str, ...]


def cookie_key(client_secret: str) -> str:
    """The key the session cookie is signed with, derived from the OpenID client secret (so
    every worker signs alike and no second secret needs keeping)."""
    return hmac.new(client_secret.encode(), b"send-monitor session cookie", hashlib.sha256).hexdigest()


def session_middleware(client_secret: str, *, https: bool, max_hours: float) -> Middleware:
    return Middleware(
        SessionMiddleware,
        secret_key=cookie_key(client_secret),
        session_cookie="__Host-send-monitor" if https else "send-monitor",
        max_age=int(max_hours * 3600),
        same_site="lax",
        https_only=https,
    )


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Sessions:
    """The session rows of one web database, with the configured expiries."""

    def __init__(
        self,
        engine: Engine,
        *,
        idle_minutes: float,
        max_hours: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.engine = engine
        self.idle = timedelta(minutes=idle_minutes)
        self.max = timedelta(hours=max_hours)
        self.clock = clock
        self._next_prune: datetime | None = None

    def start(
        self,
        cookie: MutableMapping,
        *,
        subject: str,
        email: str | None,
        email_verified: bool,
        token_roles: list[str],
        id_token: str | None,
    ) -> None:
        """Begin a session: a new row, and a cookie holding only its id (anything the cookie
        held before, such as an earlier session or an unfinished sign-in, is dropped)."""
        now = self.clock()
        sid = secrets.token_urlsafe(32)
        row = dict(
            sid_hash=_hash(sid),
            subject=subject,
            email=email,
            email_verified=email_verified,
            token_roles=token_roles,
            id_token=id_token,
            started_at=now,
        )
        with self.engine.begin() as conn:
            conn.execute(insert(TABLE).values(**row))
        cookie.clear()
        cookie[SID] = sid
        cookie[SEEN] = now.timestamp()
        self._prune(now)

    def current(self, cookie: MutableMapping) -> SignedIn | None:
        """The live session the cookie names (marking it used now), or None. An expired session
        is ended and the cookie emptied."""
        sid, seen = cookie.get(SID), cookie.get(SEEN)
        if not isinstance(sid, str) or not isinstance(seen, (int, float)):
            return None
        now = self.clock()
        with self.engine.connect() as conn:
            row = conn.execute(select(TABLE).where(TABLE.c.sid_hash == _hash(sid))).first()
        if row is None or row.ended_at is not None:
            cookie.clear()
            return None
        last = datetime.fromtimestamp(seen, UTC)
        if now - _aware(row.started_at) > self.max or now - last > self.idle:
            self._end(sid, now)
            cookie.clear()
            return None
        cookie[SEEN] = now.timestamp()
        return SignedIn(row.subject, row.email, bool(row.email_verified), tuple(row.token_roles or ()))

    def end(self, cookie: MutableMapping) -> str | None:
        """Sign out: end the session the cookie names and empty the cookie; returns the session's
        ID token (for the provider's sign-out), if it had one."""
        sid = cookie.get(SID)
        cookie.clear()
        if not isinstance(sid, str):
            return None
        return self._end(sid, self.clock())

    def _end(self, sid: str, now: datetime) -> str | None:
        with self.engine.begin() as conn:
            id_token = conn.execute(
                select(TABLE.c.id_token).where(TABLE.c.sid_hash == _hash(sid), TABLE.c.ended_at.is_(None))
            ).scalar()
            conn.execute(
                update(TABLE)
                .where(TABLE.c.sid_hash == _hash(sid), TABLE.c.ended_at.is_(None))
                .values(ended_at=now, id_token=None)
            )
        return id_token

    def _prune(self, now: datetime) -> None:
        """Forget sessions that ended, or could not be live any more, over a day ago."""
        if self._next_prune is not None and now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY
        cut = now - timedelta(days=1)
        with self.engine.begin() as conn:
            conn.execute(delete(TABLE).where(or_(TABLE.c.ended_at < cut, TABLE.c.started_at < cut - self.max)))
