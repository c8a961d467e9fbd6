"""Connecting to a database: URLs, engines, SQLite's settings and bulk inserts."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, Numeric, String, Table, select
from sqlalchemy.exc import IntegrityError

from monitor.db import StoreError, bulk_insert, connect, parse_url

ROWS = Table(
    "bulk_rows",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String),
    Column("on", Date),
    Column("amount", Numeric(12, 2)),
)


def test_a_password_holding_at_signs_is_read_whole():
    url = parse_url("postgresql://u:p@ss@db.example:5433/x")
    assert (url.username, url.password, url.host, url.port, url.database) == ("u", "p@ss", "db.example", 5433, "x")


@pytest.mark.parametrize("url", ["mysql://u@h/x", "nonsense", "postgres+nodriver://u@h/x"])
def test_a_url_it_cannot_use_is_one_clear_error_without_the_password(url):
    with pytest.raises(StoreError, match="is not one send-monitor can use"):
        connect(url.replace("u@", "u:secret@"))


def test_postgres_urls_use_psycopg_3():
    assert connect("postgres://u@127.0.0.1/x").dialect.driver == "psycopg"


def test_sqlite_is_opened_in_wal_mode_with_foreign_keys(sqlite_url):
    engine = connect(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_bulk_insert_writes_dates_and_money_as_sqlalchemy_reads_them(db_url):
    engine = connect(db_url)
    ROWS.create(engine)
    rows = [(1, "a", date(2020, 3, 3), Decimal("4000.00")), (2, None, None, Decimal("0.01"))]
    with engine.begin() as conn:
        bulk_insert(conn, ROWS, ("id", "name", "on", "amount"), rows)
        bulk_insert(conn, ROWS, ("id",), [])  # nothing to write: no statement
        assert [tuple(r) for r in conn.execute(select(ROWS).order_by(ROWS.c.id))] == rows
    engine.dispose()


def test_a_bulk_insert_the_database_refuses_raises_as_any_statement_does(db_url):
    engine = connect(db_url)
    ROWS.create(engine)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        bulk_insert(conn, ROWS, ("id", "name"), [(1, "a"), (1, "b")])  # the same key twice
    with engine.connect() as conn:
        assert conn.execute(select(ROWS)).all() == []  # the transaction rolled back whole
    engine.dispose()


def test_a_postgresql_url_without_its_driver_is_one_line_naming_the_extra(tmp_path):
    """psycopg is the `postgres` extra: a SQLite-only install refuses a PostgreSQL URL saying what to install."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['psycopg'] = None; sys.modules['psycopg2'] = None\n"
        "from monitor.cli import app\n"
        "app(['--db', 'postgresql://monitor@127.0.0.1:1/send', 'status'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: a PostgreSQL store needs its driver: install send-monitor with the postgres extra "
        "(pip install 'send-monitor[postgres]')"
    ]
