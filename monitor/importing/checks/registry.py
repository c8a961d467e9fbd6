"""The per-record-type checks, registered by record type:

    @check("appeals", stored=("closed_on",))      # each chunk of rows: fn(session, part)
    @check("areas", when="file")                  # once the file is read: fn(session, part) (no rows)
    @check("commissioners", when="end")           # once every file is read: fn(session)

`stored` names the stored columns a chunk check reads (they are looked up even when
nothing is written)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from monitor.importing.cells import Chunk, Parser, cell_ref
from monitor.importing.session import Session
from monitor.records import BY_NAME, RecordType


@dataclass
class Part:
    """What a check sees of a file: its columns and, for a chunk check, its rows and their stored records."""

    rtype: RecordType
    label: str
    parsers: list[Parser]
    chunk: Chunk = field(default_factory=lambda: Chunk([], rows=[]))
    stored: dict[tuple, dict] = field(default_factory=dict)
    sheet: str | None = None  # a workbook sheet's title

    def __post_init__(self) -> None:
        self.index = {p.col.name: i for i, p in enumerate(self.parsers)}

    def cell(self, name: str, rownum: int) -> str | None:
        """The workbook cell of a column in a row (`decisions!D3`), None for a CSV file."""
        if self.sheet is None or name not in self.index:
            return None
        return cell_ref(self.sheet, self.parsers[self.index[name]].index, rownum)

    def source(self, name: str) -> str:
        """The column as the file spells it (the standard's name when the file has no such column)."""
        return self.parsers[self.index[name]].source if name in self.index else name


Check = Callable[..., None]
CHECKS: dict[tuple[str, str], list[Check]] = {}  # (when, record type) -> checks
STORED: dict[str, tuple[str, ...]] = {}  # record type -> stored columns its checks read


def check(*rtypes: str, when: str = "chunk", stored: Sequence[str] = ()) -> Callable[[Check], Check]:
    """Register a check of these record types, run on each chunk, once a file is read or at the end."""
    assert when in ("chunk", "file", "end") and all(t in BY_NAME for t in rtypes)

    def register(fn: Check) -> Check:
        for t in rtypes:
            CHECKS.setdefault((when, t), []).append(fn)
            if stored:
                STORED[t] = (*STORED.get(t, ()), *stored)
        return fn

    return register


def run_checks(when: str, rtype: str, session: Session, *args: Any) -> None:
    for fn in CHECKS.get((when, rtype), ()):
        fn(session, *args)
