"""Who acts now: follow successor bodies (mergers) from the body named in the records.

An area or a commissioner may record a `successor_code` and a `successor_from` date:
from that day the successor is responsible for its duties. Chains are followed
(A→B from 2022-07-01, B→C from 2026-04-01), each hop only once its own date has come.
A finding's `owner` never changes; `acts_now` is the body responsible on a date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.models import Area, Commissioner


@dataclass(frozen=True)
class Body:
    code: str
    name: str
    successor_code: str | None
    successor_from: date | None


@dataclass(frozen=True)
class Hop:
    """One handover: `from_body`'s duties passed to `to_body` on `on`."""

    from_body: Body
    to_body: Body
    on: date


class Successors:
    """The areas and commissioners with their successors, read once from the store."""

    def __init__(self, areas: dict[str, Body], commissioners: dict[str, Body]):
        self.areas = areas
        self.commissioners = commissioners

    @classmethod
    def load(cls, conn: Connection) -> Successors:
        def bodies(model, key: str) -> dict[str, Body]:
            t = model.__table__
            rows = conn.execute(select(t.c[key], t.c.name, t.c.successor_code, t.c.successor_from))
            return {r[0]: Body(*r) for r in rows}

        return cls(bodies(Area, "area_code"), bodies(Commissioner, "commissioner_code"))

    def _table(self, owner: str, area: str | None) -> dict[str, Body]:
        # The LA's duties are owned by its area code; every other owner is a commissioner.
        return self.areas if owner == area else self.commissioners

    def chain(self, owner: str, area: str | None, on: date) -> list[Hop]:
        """The handovers in force on `on`, from `owner` to whoever acts now (empty: no change)."""
        table = self._table(owner, area)
        hops: list[Hop] = []
        seen = {owner}
        body = table.get(owner)
        while body and body.successor_code and body.successor_from and body.successor_from <= on:
            nxt = table.get(body.successor_code)
            if nxt is None or nxt.code in seen:  # refused on import; never loop here
                break
            hops.append(Hop(body, nxt, body.successor_from))
            seen.add(nxt.code)
            body = nxt
        return hops

    def acts_now(self, owner: str, area: str | None, on: date) -> str:
        """The code of the body responsible on `on` for a duty the records give to `owner`."""
        hops = self.chain(owner, area, on)
        return hops[-1].to_body.code if hops else owner

    def superseded(self, code: str, on: date, *, area: bool) -> Body | None:
        """The successor that has taken over `code`'s duties by `on`, if any (one hop)."""
        table = self.areas if area else self.commissioners
        body = table.get(code)
        if body and body.successor_code and body.successor_from and body.successor_from <= on:
            return table.get(body.successor_code)
        return None
