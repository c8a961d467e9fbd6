"""The state of one import shared by its stages: the connection, what was read so far, what
the store was found to hold, the problems, and whether rows are being written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.documents.model import Limits
from monitor.importing.mapping import Mapping
from monitor.importing.problems import Problem
from monitor.records import BY_NAME, LATEST_DAYS

Progress = Callable[[str, int, int | None], None]


@dataclass
class ImportResult:
    batch_id: int | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # record type -> new/updated/unchanged
    labels: dict[str, str] = field(default_factory=dict)  # record type -> file or sheet read
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    areas: set[str] = field(default_factory=set)  # area codes named in the record types' area columns
    dry_run: bool = False
    stale: bool = False  # the files changed while they were read: nothing was written

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def area(self) -> str | None:
        """The export's area when it names exactly one."""
        return next(iter(self.areas)) if len(self.areas) == 1 else None


class Session:
    """One import's state; `writing` while it has a batch and no problem."""

    def __init__(
        self,
        conn: Connection,
        result: ImportResult,
        duty_ids: set[str],
        mapping: Mapping,
        progress: Progress | None,
        area: str | None = None,
    ):
        """`area`: the one area the export may change (None: a national import)."""
        self.conn, self.result, self.duty_ids, self.mapping, self.area = conn, result, duty_ids, mapping, area
        self.progress = progress
        self.problems = result.problems
        self.labels: dict[str, str] = result.labels
        self.batch_id: int | None = None
        self.keys: dict[str, set] = {}  # record type -> keys in this import
        self.unreadable: set[str] = set()  # record types whose file could not be read
        self.found: dict[str, set[str]] = {}  # record type -> ids known to exist in the store
        self.missing: dict[str, set[str]] = {}  # record type -> ids known not to
        self.stored_small: dict[str, dict[str, Any]] = {}  # small record type -> key -> stored row
        self.rows_small: dict[str, list[tuple[int, dict, set[str]]]] = {}  # (row, values, columns given)
        self.latest_date = date.today() + timedelta(days=LATEST_DAYS)  # the latest plausible date
        self.memo: dict[str, Any] = {}  # what a check works out once per import
        self.folder: Path | None = None  # the export's folder, where its documents are
        self.document_limits = Limits()  # how much of each document is read
        self.sqlite_forms: dict[str, dict] = {"date": {None: None}, "bool": {None: None}}  # see writing.stored_forms

    @property
    def writing(self) -> bool:
        return self.batch_id is not None and not self.problems

    def problem(
        self, label: str, row: int | None, column: str | None, value: str | None, why: str, cell: str | None = None
    ) -> None:
        self.problems.append(Problem(label, row, column, value, why, cell))

    def load_small(self, name: str) -> None:
        """Hold a small record type's stored rows."""
        rtype = BY_NAME[name]
        table = rtype.model.__table__
        cols = [table.c[c.name] for c in rtype.columns]
        self.stored_small[name] = {row[rtype.key[0]]: dict(row) for row in self.conn.execute(select(*cols)).mappings()}
