"""Schema migrations: a store made by the previous release upgrades with its findings intact;
new stores start at the head; out-of-date and newer stores are refused with what to do."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from monitor import migrations
from monitor.db import StoreError, connect
from monitor.store import open_store, upgrade_store
from tests.conftest import SAMPLE, cli, findings_of

V1_SCHEMA = Path(__file__).parent / "data"  # schema_v1.<dialect>.sql: tables of send-monitor 0.1.0
AS_OF = "2020-06-30"


def _revision(url: str) -> str | None:
    with connect(url).connect() as conn:
        return migrations.current(conn)


def _columns(url: str, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(connect(url)).get_columns(table)}


def _previous_release_store(url: str, source: str) -> None:
    """Make at `url` the store send-monitor 0.1.0 would hold: its tables, `meta.schema_version`
    1, and the rows of `source` (a store at the head) in the columns 0.1.0 had."""
    target = connect(url)
    script = (V1_SCHEMA / f"schema_v1.{target.dialect.name}.sql").read_text(encoding="utf-8")
    with target.begin() as conn:
        for statement in script.split(";\n"):
            if "CREATE" in statement:
                conn.exec_driver_sql(statement)
        conn.execute(sa.text("INSERT INTO meta (key, value) VALUES ('schema_version', '1')"))
        old = sa.MetaData()
        old.reflect(conn)
        with connect(source).connect() as src:
            kept = set(sa.inspect(src).get_table_names())  # tables 0.1.0 had and later dropped: empty
            for table in old.sorted_tables:
                if table.name == "meta" or table.name not in kept:
                    continue
                rows = [dict(r._mapping) for r in src.execute(sa.select(*table.columns))]
                if rows:
                    conn.execute(table.insert(), rows)
                if target.dialect.name == "postgresql" and "id" in table.columns:
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"coalesce(max(id), 0) + 1, false) FROM {table.name}"
                        )
                    )


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> tuple[str, dict]:
    """A head store with the demo records checked as of AS_OF, and its findings."""
    url = f"sqlite:///{tmp_path_factory.mktemp('head') / 'head.db'}"
    assert cli("import", SAMPLE, db=url).exit_code == 0
    return url, findings_of(url, AS_OF)


def test_previous_release_store_upgrades_with_findings_intact(db_url, checked):
    source, before = checked
    _previous_release_store(db_url, source)
    assert "successor_code" not in _columns(db_url, "areas")
    with connect(db_url).begin() as conn:  # a digest 0.1.0 had queued and not yet sent
        conn.execute(
            sa.text(
                "INSERT INTO outbox (created_at, recipient, recipient_code, subject, body_text, body_html, message_id, "
                "items, status, attempts) VALUES (:at, 'team@example.org', '850', 'Digest', 'text', '<p>html</p>', "
                "'<m1@example.org>', 2, 'queued', 0)"
            ),
            {"at": datetime(2020, 6, 30, 6, 0, tzinfo=UTC)},
        )

    refused = cli("findings", "--as-of", AS_OF, "--format", "json", db=db_url)
    assert refused.exit_code == 1
    assert "schema revision 0001" in refused.stderr and "send-monitor upgrade" in refused.stderr
    assert "Traceback" not in refused.output

    done = cli("upgrade", db=db_url)
    assert done.exit_code == 0, done.output
    assert f"from schema revision 0001 to {migrations.head()}" in done.stdout
    assert _revision(db_url) == migrations.head()
    assert {"successor_code", "successor_from"} <= _columns(db_url, "commissioners")

    with connect(db_url).connect() as conn:
        queued = conn.execute(sa.text("SELECT kind, bodies, status FROM outbox")).one()
    assert (
        queued.kind,
        json.loads(queued.bodies) if isinstance(queued.bodies, str) else queued.bodies,
        queued.status,
    ) == ("digest", [], "queued")

    held = cli("findings", "--as-of", AS_OF, "--format", "json", db=db_url)
    assert held.exit_code == 0, held.output
    assert {(f["duty"], f["subject"]): f for f in json.loads(held.stdout)["findings"]} == before
    assert cli("import", SAMPLE, db=db_url).exit_code == 0  # the documents, which 0.1.0 could not hold
    assert findings_of(db_url, AS_OF) == before  # and checking again on the upgraded store agrees
    assert cli("check", "--as-of", AS_OF, "--full", db=db_url).exit_code == 0
    assert findings_of(db_url, AS_OF) == before

    again = cli("upgrade", db=db_url)
    assert again.exit_code == 0 and "already at schema revision" in again.stdout


def test_migrations_build_the_schema_of_the_models(db_url):
    """Run every revision from nothing: the tables equal SQLModel.metadata. When this fails a
    change to monitor/models.py needs a new revision in monitor/migrations/versions/."""
    with connect(db_url).begin() as conn:
        migrations.upgrade(conn)
    with connect(db_url).connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diffs == []


def test_a_new_store_starts_at_the_head(db_url):
    open_store(db_url)
    assert _revision(db_url) == migrations.head()
    assert cli("upgrade", db=db_url).stdout.startswith("the store is already at schema revision")


def test_upgrade_makes_a_new_store(sqlite_url):
    done = cli("upgrade", db=sqlite_url)
    assert done.exit_code == 0 and "from schema revision (new store)" in done.stdout
    assert _revision(sqlite_url) == migrations.head()


def test_a_store_of_schema_version_2_made_before_alembic_is_recognised(sqlite_url):
    """Stores made between 0.1.0 and Alembic (successor columns, `meta.schema_version` 2)."""
    with connect(sqlite_url).begin() as conn:
        command.upgrade(migrations.alembic_config(conn), "0002")
        conn.execute(sa.text("DROP TABLE alembic_version"))
        conn.execute(sa.text("INSERT INTO meta (key, value) VALUES ('schema_version', '2')"))
    refused = cli("import", SAMPLE, db=sqlite_url)
    assert refused.exit_code == 1 and "schema revision 0002" in refused.stderr
    done = cli("upgrade", db=sqlite_url)
    assert f"from schema revision 0002 to {migrations.head()}" in done.stdout
    assert cli("import", SAMPLE, db=sqlite_url).exit_code == 0


def test_a_store_made_by_a_newer_release_is_refused_unchanged(sqlite_url):
    open_store(sqlite_url)
    with connect(sqlite_url).begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    for args in (["check", "--as-of", AS_OF], ["upgrade"]):
        result = cli(*args, db=sqlite_url)
        assert result.exit_code == 1
        assert "revision 9999, made by a newer send-monitor" in result.stderr
    assert _revision(sqlite_url) == "9999"


def test_an_unknown_legacy_version_is_refused(sqlite_url):
    engine = connect(sqlite_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"))
        conn.execute(sa.text("INSERT INTO meta VALUES ('schema_version', '0')"))
    result = cli("check", db=sqlite_url)
    assert result.exit_code == 1 and "schema version 0, which this send-monitor does not know" in result.stderr


def test_a_failed_upgrade_changes_nothing(tmp_path, checked, monkeypatch):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _previous_release_store(url, checked[0])
    real = migrations.upgrade

    def upgrade_then_fail(conn):
        real(conn)
        raise RuntimeError("disk full")

    monkeypatch.setattr(migrations, "upgrade", upgrade_then_fail)
    with pytest.raises(RuntimeError):
        upgrade_store(url)
    assert "successor_code" not in _columns(url, "areas")
    with pytest.raises(StoreError, match="schema revision 0001"):
        open_store(url)


def test_two_upgrades_at_once_both_succeed(db_url, checked):
    _previous_release_store(db_url, checked[0])
    results: list = []

    def run() -> None:
        try:
            results.append(upgrade_store(db_url))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    head = migrations.head()
    assert sorted(results, key=str) == sorted([("0001", head), (head, head)], key=str)
    assert _revision(db_url) == head


def test_the_head_read_from_file_names_is_alembics_head():
    """Opening a store reads the head from versions/ without importing Alembic: the two agree,
    and every revision before it is one Alembic knows."""
    assert migrations.head() == migrations.scripts().get_current_head()
    assert all(migrations.is_known(f"{n:04d}") for n in range(1, int(migrations.head()) + 1))


def test_a_new_store_is_at_the_head_as_alembic_reads_it(db_url):
    open_store(db_url)
    with connect(db_url).connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == migrations.head()


def test_opening_a_store_does_not_import_alembic_or_psycopg(sqlite_url):
    """A command's start-up stays short: the schema tools and the PostgreSQL driver load only when used."""
    code = (
        "import sys; from monitor.store import open_store; open_store(sys.argv[1]); import monitor.cli; "
        "print(sorted(m for m in ('alembic', 'psycopg', 'holidays') if m in sys.modules))"
    )
    for _ in ("created", "opened"):
        out = subprocess.run([sys.executable, "-c", code, sqlite_url], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "[]"
