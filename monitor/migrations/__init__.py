"""Alembic migrations of the store: which revision a store is at; bringing it to the head.

Revisions live in versions/ (0001 is the schema of send-monitor 0.1.0). Stores made before
Alembic have no `alembic_version` table but a `meta.schema_version`, mapped by LEGACY.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, text
from sqlalchemy.engine import Connection

if TYPE_CHECKING:  # Alembic is imported only to change a schema: opening a store does not need it
    from alembic.config import Config
    from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent
# meta.schema_version of a store made before Alembic → the revision it is at.
LEGACY = {"1": "0001", "2": "0002"}


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, without an ini file, migrating `connection`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


@cache
def scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


@cache
def head() -> str:
    """The revision this send-monitor's schema is at: the highest numbered file of versions/
    (revisions are numbered in order, `NNNN_what_it_does.py`; a test holds Alembic to it)."""
    return max(p.name[:4] for p in (HERE / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def is_known(revision: str) -> bool:
    return revision in {s.revision for s in scripts().walk_revisions()}


def current(conn: Connection) -> str | None:
    """The revision in the store's `alembic_version` table (None if it has none)."""
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def stamp(conn: Connection, revision: str) -> None:
    """Record that the store is at `revision` without changing its tables."""
    from alembic.runtime.migration import MigrationContext

    MigrationContext.configure(conn).stamp(scripts(), revision)


def stamp_new(conn: Connection) -> None:
    """Record that a store just created is at the head: Alembic's version table, written without
    loading Alembic (which `stamp` and `upgrade` do)."""
    version = Table(
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    version.create(conn)
    conn.execute(version.insert().values(version_num=head()))


def upgrade(conn: Connection) -> None:
    """Run every revision after the store's current one, in the caller's transaction."""
    from alembic import command

    command.upgrade(alembic_config(conn), "head")
