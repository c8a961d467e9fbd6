"""Roles granted in the store (`send-monitor access grant`), and a person's roles now.

A grant names a person by the sign-in provider's subject (`sub`) or by e-mail address; an
e-mail grant counts only when the provider says the address is verified. An inspector grant
must have an end date; a grant gives nothing after its last day. A person's roles are the
roles their ID token carries (for the session only) together with their grants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Connection

from monitor.models import AccessGrant, Area, Commissioner
from monitor.web.viewer import is_role, role_label
from monitor.web.words import long_date

GRANTS = AccessGrant.__table__
G = GRANTS.c


class GrantError(Exception):
    """A grant or revocation that cannot be made: the message says why, in words."""


@dataclass(frozen=True)
class Person:
    """Who a grant names: a subject, or an e-mail address (kept in lower case)."""

    key: str
    by_email: bool

    @classmethod
    def parse(cls, value: str) -> Person:
        value = value.strip()
        if not value:
            raise GrantError("give the person's e-mail address or sign-in subject")
        if "@" not in value:
            return cls(value, False)
        local, _, domain = value.rpartition("@")
        if not local or "." not in domain or any(c.isspace() for c in value):
            raise GrantError(f"{value} is not an e-mail address")
        return cls(value.lower(), True)

    def __str__(self) -> str:
        return self.key


def grant(
    conn: Connection, person: Person, role: str, until: date | None, *, today: date, by: str, now: datetime
) -> str:
    """Give `role` to `person` (until the end of `until`, UK time); returns what was done, in words.
    Granting a role again changes its end date."""
    if not is_role(role):
        raise GrantError(f"{role!r} is not a role: give national, area:CODE, commissioner:CODE or inspector:CODE")
    kind, _, code = role.partition(":")
    if kind == "inspector" and until is None:
        raise GrantError("an inspection role needs an end date: add --until DATE")
    if until is not None and until < today:
        raise GrantError(f"the end date {long_date(until)} has passed")
    _check_code(conn, kind, code)
    ending = f"until {long_date(until)}" if until else "with no end date"
    current = _active(conn, person, role)
    if current is not None:
        if current.valid_until == until:
            return f"{person} already has {role_label(role)} {ending}"
        conn.execute(update(GRANTS).where(G.id == current.id).values(valid_until=until))
        return f"{person} keeps {role_label(role)}, now {ending}"
    conn.execute(
        GRANTS.insert().values(
            person=person.key,
            by_email=person.by_email,
            role=role,
            valid_until=until,
            granted_at=now,
            granted_by=by,
        )
    )
    return f"{person} now has {role_label(role)} {ending}"


def revoke(conn: Connection, person: Person, role: str, *, by: str, now: datetime) -> str:
    """Take `role` away from `person` (the grant is kept, marked revoked); returns what was done."""
    current = _active(conn, person, role)
    if current is None:
        raise GrantError(f"{person} has no grant of {role_label(role) if is_role(role) else repr(role)}")
    conn.execute(update(GRANTS).where(G.id == current.id).values(revoked_at=now, revoked_by=by))
    return f"{person} no longer has {role_label(role)}"


def current_grants(conn: Connection) -> list[AccessGrant]:
    """Every grant not revoked (those past their end date too), by person and role."""
    rows = conn.execute(select(GRANTS).where(G.revoked_at.is_(None)).order_by(G.person, G.role))
    return [AccessGrant.model_validate(row._mapping) for row in rows]


def granted_roles(conn: Connection, subject: str, email: str | None, email_verified: bool, today: date) -> set[str]:
    """The roles the store grants this person today: by subject, and by e-mail when verified."""
    named = G.person == subject
    if email and email_verified:
        named = or_(named & ~G.by_email, (G.person == email.lower()) & G.by_email)
    else:
        named = named & ~G.by_email
    query = select(G.role).where(
        named,
        G.revoked_at.is_(None),
        or_(G.valid_until.is_(None), G.valid_until >= today),
    )
    return {role for role in conn.execute(query).scalars() if is_role(role)}


def roles_of(token_roles: Iterable[str], granted: Iterable[str]) -> frozenset[str]:
    """A person's roles: those their ID token carries and those granted in the store."""
    return frozenset(r for r in (*token_roles, *granted) if is_role(r))


def _active(conn: Connection, person: Person, role: str) -> AccessGrant | None:
    row = conn.execute(
        select(GRANTS).where(
            G.person == person.key,
            G.by_email == person.by_email,
            G.role == role,
            G.revoked_at.is_(None),
        )
    ).first()
    return AccessGrant.model_validate(row._mapping) if row else None


def _check_code(conn: Connection, kind: str, code: str) -> None:
    if kind in ("area", "inspector"):
        known = conn.execute(select(Area.__table__.c.area_code).where(Area.__table__.c.area_code == code)).first()
        what = "area"
    elif kind == "commissioner":
        known = conn.execute(
            select(Commissioner.__table__.c.commissioner_code).where(Commissioner.__table__.c.commissioner_code == code)
        ).first()
        what = "commissioner"
    else:
        return
    if known is None:
        raise GrantError(f"the store has no {what} {code}: check the code, or import the {what}s first")
