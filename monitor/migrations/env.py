"""Alembic's environment: migrate the connection that monitor.migrations hands over.

Run through `send-monitor upgrade`; for writing a revision during development:
`alembic -c monitor/migrations/alembic.ini revision --autogenerate -m "..."`
with SEND_MONITOR_DB set to a store at the current head.
"""

from __future__ import annotations

from typing import Literal

from alembic import context
from sqlmodel import SQLModel

from monitor import models

assert models  # registers the tables on SQLModel.metadata


def _render_item(kind: str, obj: object, _context) -> str | Literal[False]:
    """Autogenerate writes sqlmodel's column types as the plain SQLAlchemy types they store as."""
    if kind == "type":
        name = type(obj).__name__
        if name == "AutoString":
            return "sa.String()"
        if name == "UTCDateTime":
            return "sa.DateTime(timezone=True)"
    return False


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic command line: open the store named by SEND_MONITOR_DB
    import os

    from monitor.db import connect

    engine = connect(os.environ.get("SEND_MONITOR_DB", "sqlite:///send-monitor.db"))
    with engine.begin() as conn:
        _run(conn)
