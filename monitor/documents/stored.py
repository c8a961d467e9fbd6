"""Documents in the store, by SHA-256: which are known (a re-import parses none of them again),
saving what was read, and reading it back for matching."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from monitor.documents.model import DocumentText, Segment
from monitor.models import Document

_CHUNK = 500


def known(conn: Connection, hashes: Iterable[str]) -> set[str]:
    """The hashes among `hashes` whose documents the store already holds."""
    t = Document.__table__
    wanted, found = sorted(set(hashes)), set[str]()
    for i in range(0, len(wanted), _CHUNK):
        found.update(conn.execute(select(t.c.sha256).where(t.c.sha256.in_(wanted[i : i + _CHUNK]))).scalars())
    return found


def save(conn: Connection, documents: list[tuple[DocumentText, int]]) -> None:
    """Store documents read (each with its size in bytes); a hash already stored is left as it is."""
    rows = [
        {
            "sha256": d.sha256,
            "name": d.name,
            "size": size,
            "read_at": datetime.now(UTC),
            "gap": d.gap,
            "cut_off": d.cut_off,
            "segments": [[s.where, s.text] for s in d.segments],
        }
        for d, size in documents
    ]
    stored = known(conn, (d.sha256 for d, _ in documents))
    fresh = [r for r in rows if r["sha256"] not in stored]
    if fresh:
        conn.execute(insert(Document.__table__), fresh)


def texts(conn: Connection, hashes: Iterable[str]) -> dict[str, DocumentText]:
    """The stored documents of `hashes`, by hash (a hash not stored is left out)."""
    t = Document.__table__
    wanted, found = sorted(set(h for h in hashes if h)), {}
    for i in range(0, len(wanted), _CHUNK):
        stmt = select(t.c.sha256, t.c.name, t.c.gap, t.c.cut_off, t.c.segments).where(
            t.c.sha256.in_(wanted[i : i + _CHUNK])
        )
        for sha, name, gap, cut_off, segments in conn.execute(stmt):
            found[sha] = DocumentText(name, sha, tuple(Segment(text, where) for where, text in segments), gap, cut_off)
    return found
