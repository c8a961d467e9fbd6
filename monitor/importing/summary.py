"""The problems of an import for people to read: grouped by cause first (how many, on which
rows, a few of the values, and a hint where one helps), then each problem, bounded so that a
file with a million bad rows still gives a report one can open. The problems report (CSV)
keeps every problem; this is what a screen, a log or an e-mail shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from monitor.importing.problems import Problem
from monitor.records import BY_NAME

SHOWN_PROBLEMS = 1000  # problems listed one by one
SHOWN_CHARS = 200  # of a value or a column name
_EXAMPLES = 3
_DISTINCT_MAX = 10_000
_NO_SUCH = "no such "
_HINTS = {rt.key[0]: f"is {rt.file} missing from the export?" for rt in BY_NAME.values() if len(rt.key) == 1}


def cut(text: str, most: int = SHOWN_CHARS) -> str:
    return text if len(text) <= most else text[:most] + "…"


@dataclass
class Cause:
    file: str
    column: str | None
    why: str
    rows: int = 0
    values: list[str] = field(default_factory=list)  # the first few distinct values
    distinct: set[str] = field(default_factory=set)  # up to _DISTINCT_MAX of them

    def line(self) -> str:
        where = cut(self.file) + (f", column {cut(self.column)}" if self.column else "")
        shown = ", ".join(cut(v, 40) for v in self.values)
        n = f"{self.rows:,} row" + ("s" if self.rows != 1 else "")
        if self.why.startswith(_NO_SUCH) and self.values:
            key = self.why[len(_NO_SUCH) :].split(" ")[0]
            hint = _HINTS.get(key)
            k = len(self.distinct)
            many = f"{k:,}{'+' if k >= _DISTINCT_MAX else ''} unknown {key} value" + ("s" if k != 1 else "")
            line = f"{many} ({shown}{', …' if k > len(self.values) else ''}) on {n} of {where}"
            return line + (f" — {hint}" if hint else "")
        return f"{n} of {where}: {self.why}" + (f" (e.g. {shown})" if shown else "")


def causes(problems: Sequence[Problem]) -> list[Cause]:
    """The problems grouped by file, column and why, most rows first."""
    groups: dict[tuple, Cause] = {}
    for p in problems:
        key = (p.file, p.column, p.why)
        cause = groups.get(key)
        if cause is None:
            cause = groups[key] = Cause(p.file, p.column, p.why)
        cause.rows += 1
        if p.value:
            if len(cause.values) < _EXAMPLES and p.value not in cause.values:
                cause.values.append(p.value)
            if len(cause.distinct) < _DISTINCT_MAX:
                cause.distinct.add(p.value)
    return sorted(groups.values(), key=lambda c: -c.rows)


def summary_lines(problems: Sequence[Problem], most: int = SHOWN_PROBLEMS) -> list[str]:
    """The causes (when some cause has several problems), then the first `most` problems one by
    one and how many more there are."""
    grouped = causes(problems)
    lines = []
    if len(grouped) < len(problems):
        lines = ["By cause:"] + [f"- {c.line()}" for c in grouped[:most]] + ["", "Each problem:"]
    lines += [cut(str(p), 2 * SHOWN_CHARS + 200) for p in problems[:most]]
    if len(problems) > most:
        lines.append(f"… and {len(problems) - most:,} more (all are in the problems report)")
    return lines
