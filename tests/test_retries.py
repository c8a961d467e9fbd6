""" "Locked or busy" decided by error code from real lock errors of SQLite and PostgreSQL; the
outbox waits out a real lock and retries nothing else (an error that merely mentions "busy"
or "locked" is raised at once); the store's one line for a deadlock says the store was busy."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from monitor.alerts import outbox
from monitor.db import parse_url
from monitor.retries import locked_or_busy
from monitor.store import store_failure


def _sqlite_busy(path) -> sqlite3.OperationalError:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            sqlite3.connect(path, timeout=0, isolation_level=None).execute("BEGIN IMMEDIATE")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    return caught.value


def test_sqlite_busy_and_locked_are_locked_or_busy(tmp_path):
    path = tmp_path / "s.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(10)])
    busy = _sqlite_busy(path)
    assert busy.sqlite_errorcode & 0xFF == 5 and locked_or_busy(busy)
    reading = conn.execute("SELECT x FROM t")
    reading.fetchone()
    with pytest.raises(sqlite3.OperationalError) as locked:
        conn.execute("DROP TABLE t")  # the table is being read by this connection
    assert locked.value.sqlite_errorcode & 0xFF == 6 and locked_or_busy(locked.value)
    with pytest.raises(sqlite3.OperationalError) as other:
        conn.execute("SELECT * FROM busy_and_locked")
    assert "busy" in str(other.value) and not locked_or_busy(other.value)


def _pg(url: str):
    return create_engine(parse_url(url.replace("postgresql://", "postgresql+psycopg://")), isolation_level="AUTOCOMMIT")


def test_postgresql_lock_not_available_and_deadlock_are_locked_or_busy(pg_url):
    engine = _pg(pg_url)
    with engine.connect() as setup:
        setup.execute(text("CREATE TABLE t (id int PRIMARY KEY, x int)"))
        setup.execute(text("INSERT INTO t VALUES (1, 0), (2, 0)"))
    a, b = engine.connect(), engine.connect()
    try:
        a.execute(text("BEGIN"))
        a.execute(text("UPDATE t SET x = 1 WHERE id = 1"))
        with pytest.raises(OperationalError) as nowait:
            b.execute(text("SELECT * FROM t WHERE id = 1 FOR UPDATE NOWAIT"))
        assert nowait.value.orig.sqlstate == "55P03" and locked_or_busy(nowait.value)

        b.execute(text("BEGIN"))
        b.execute(text("SET LOCAL deadlock_timeout = '20ms'"))
        b.execute(text("UPDATE t SET x = 2 WHERE id = 2"))
        errors: list[BaseException] = []

        def a_waits_for_b():
            try:
                a.execute(text("UPDATE t SET x = 1 WHERE id = 2"))
            except OperationalError as exc:
                errors.append(exc)

        waiting = threading.Thread(target=a_waits_for_b)
        waiting.start()
        try:
            with engine.connect() as watch:
                while not watch.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                    pass  # until a waits for b's row
            b.execute(text("UPDATE t SET x = 2 WHERE id = 1"))
        except OperationalError as exc:
            errors.append(exc)
        waiting.join()
        (deadlock,) = errors
        assert deadlock.orig.sqlstate == "40P01" and locked_or_busy(deadlock)
        assert "stayed locked by another process" in store_failure(deadlock, pg_url)
    finally:
        a.close()
        b.close()
    with engine.connect() as conn, pytest.raises(ProgrammingError) as other:
        conn.execute(text("DO $$ BEGIN RAISE EXCEPTION 'the store is busy and locked'; END $$"))
    assert not locked_or_busy(other.value)
    engine.dispose()


class _Holder:
    """Another process's lock on the table, released once the outbox has met it `after` times."""

    def __init__(self, lock, release, after: int = 1):
        self.met, self.after, self.release = 0, after, release
        lock()

    def work(self, statement):
        def work(conn):
            self.met += 1
            if self.met > self.after:
                self.release()
            conn.execute(text(statement))
            return self.met

        return work


def test_the_outbox_waits_out_a_real_sqlite_lock_and_nothing_else(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    holder_conn = sqlite3.connect(path, isolation_level=None)
    held = _Holder(lambda: holder_conn.execute("BEGIN IMMEDIATE"), lambda: holder_conn.execute("ROLLBACK"))
    assert outbox.write(engine, held.work("INSERT INTO t VALUES (1)")) == 2  # met the lock once, then wrote

    calls = []

    def unrelated(conn):
        calls.append(1)
        conn.execute(text("SELECT * FROM busy_and_locked"))

    with pytest.raises(OperationalError):
        outbox.write(engine, unrelated)
    assert calls == [1]  # not retried

    monkeypatch.setattr(outbox, "LOCK_WAIT_SECONDS", 0.3)
    holder_conn.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(outbox.StoreBusy, match="stayed locked by another process for over 0.3 s"):
            outbox.write(engine, lambda conn: conn.execute(text("INSERT INTO t VALUES (2)")))
    finally:
        holder_conn.execute("ROLLBACK")
    engine.dispose()


def test_the_outbox_waits_out_a_real_postgresql_lock(pg_url):
    engine = _pg(pg_url)
    with engine.connect() as setup:
        setup.execute(text("CREATE TABLE t (x int)"))
    other = engine.connect()
    held = _Holder(
        lambda: (other.execute(text("BEGIN")), other.execute(text("LOCK TABLE t IN ACCESS EXCLUSIVE MODE"))),
        lambda: other.execute(text("ROLLBACK")),
    )
    statement = "SET LOCAL lock_timeout = '50ms'; INSERT INTO t VALUES (1)"
    plain = create_engine(parse_url(pg_url.replace("postgresql://", "postgresql+psycopg://")))
    try:
        assert outbox.write(plain, held.work(statement)) == 2
    finally:
        other.close()
    with plain.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    plain.dispose()
    engine.dispose()
