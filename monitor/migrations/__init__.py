"""Alembic migrations of the store: which revision a store is at; bringing it to the head.

Revisions live in versions/ (0001 is the schema of send-monitor 0.1.0). Stores made before
Alembic have no `alembic_version` table but a `meta.schema_version`, mapped by LEGACY.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

HERE = Path(__file__).resolve().parent
# meta.schema_version of a store made before Alembic → the revision it is at.
LEGACY = {"1": "0001", "2": "0002"}


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, without an ini file, migrating `connection`."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


@cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The revision this send-monitor's schema is at."""
    found = scripts().get_current_head()
    assert found is not None
    return found


def is_known(revision: str) -> bool:
    return revision in {s.revision for s in scripts().walk_revisions()}


def current(conn: Connection) -> str | None:
    """The revision in the store's `alembic_version` table (None if it has none)."""
    return MigrationContext.configure(conn).get_current_revision()


def stamp(conn: Connection, revision: str) -> None:
    """Record that the store is at `revision` without changing its tables."""
    MigrationContext.configure(conn).stamp(scripts(), revision)


def upgrade(conn: Connection) -> None:
    """Run every revision after the store's current one, in the caller's transaction."""
    command.upgrade(alembic_config(conn), "head")
