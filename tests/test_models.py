"""The store's tables: every timestamp column keeps UTC, on SQLite and on PostgreSQL."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime, insert, select
from sqlalchemy.exc import StatementError
from sqlmodel import SQLModel, UTCDateTime

from monitor import models
from monitor.store import open_store


def _holds_timestamps(column_type) -> bool:
    return isinstance(column_type, DateTime) or isinstance(getattr(column_type, "impl", None), DateTime)


def test_every_timestamp_column_is_the_one_utc_type():
    assert models  # registers the tables
    stamps = [c for t in SQLModel.metadata.tables.values() for c in t.columns if _holds_timestamps(c.type)]
    assert stamps  # the runs, batches, outbox... have some
    assert [c for c in stamps if not isinstance(c.type, UTCDateTime)] == []


def test_a_timestamp_reads_back_as_the_same_instant_in_utc(db_url):
    engine = open_store(db_url)
    t = models.RunRecord.__table__
    at = datetime(2020, 3, 3, 9, 30, tzinfo=timezone(timedelta(hours=1)))  # written with an offset
    with engine.begin() as conn:
        conn.execute(insert(t).values(step="check", started_at=at, counts={}))
        read = conn.execute(select(t.c.started_at)).scalar_one()
    assert read == at and read.utcoffset() == timedelta(0) and read.tzinfo is UTC
    engine.dispose()


def test_a_naive_timestamp_is_refused_not_guessed(sqlite_url):
    engine = open_store(sqlite_url)
    with pytest.raises(StatementError, match="timezone"), engine.begin() as conn:
        conn.execute(
            insert(models.RunRecord.__table__).values(step="check", started_at=datetime(2020, 3, 3), counts={})
        )
    engine.dispose()
