"""Whether a database error is "locked or busy" (worth waiting for), decided once, by error
code, and the one back-off used while waiting (tenacity's).

Locked or busy: SQLite's `SQLITE_BUSY` and `SQLITE_LOCKED` (the sqlite3 exception's
`sqlite_errorcode`, extended codes included), PostgreSQL's SQLSTATE `55P03` (lock not
available) and `40P01` (deadlock detected). Never the message: PostgreSQL translates its
messages, and an unrelated error may mention "busy".
"""

from __future__ import annotations

from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential

SQLITE_BUSY, SQLITE_LOCKED = 5, 6
PG_LOCK_NOT_AVAILABLE, PG_DEADLOCK = "55P03", "40P01"


def locked_or_busy(exc: BaseException) -> bool:
    """Whether `exc` (a driver's error, or SQLAlchemy's wrapping of one) says another process
    holds a lock the operation needs."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    return getattr(orig, "sqlstate", None) in (PG_LOCK_NOT_AVAILABLE, PG_DEADLOCK)


def while_locked(seconds: float) -> Retrying:
    """Retry a unit of work while the store is locked or busy, waiting 0.1 s, then twice as
    long each time (at most 2 s), for up to `seconds`; then the last error is raised."""
    return Retrying(
        retry=retry_if_exception(locked_or_busy),
        wait=wait_exponential(multiplier=0.1, max=2.0),
        stop=stop_after_delay(seconds),
        reraise=True,
    )
