"""The store's pages for the app: found by path and rendered on request by the publish's own
page generators, with what each shows (`visibility.Shown`); and the stamp that tells the
cache when a check or import has changed them."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from monitor.findings import latest_check, latest_import


def store_stamp(engine: Engine) -> tuple[int | None, int | None]:
    """The latest finished check's and the latest import's ids: pages kept with another stamp are stale."""
    with engine.connect() as conn:
        check, batch = latest_check(conn), latest_import(conn)
    return (check.id if check else None, batch.id if batch else None)
