"""A mapping file: how a source's own column names and values translate to the records standard.

    [decisions.columns]
    "Decision ID" = "decision_id"
    [decisions.values.decision_type]
    "EHC plan issued" = "plan_issued"

Source column names and values match after trimming and case-folding (`"EHC Plan issued "`
is `"ehc plan issued"`); two that match each other in one table are an error. A record
type, column or value that the standard does not have is an error in the mapping file,
named with its line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from monitor.records import BY_NAME, parse_value


class MappingError(Exception):
    """The mapping file cannot be used; the message names the file and line."""


@dataclass
class Mapping:
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # type -> source (folded) -> standard
    values: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # type -> column -> source -> standard

    def column(self, rtype: str, source: str) -> str | None:
        return self.columns.get(rtype, {}).get(fold(source))

    def value_map(self, rtype: str, column: str) -> dict[str, str] | None:
        """The column's values, keyed by their trimmed, case-folded source form."""
        return self.values.get(rtype, {}).get(column)


def fold(text: str) -> str:
    """How source names and values are compared: trimmed and case-folded."""
    return text.strip().casefold()


_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(?:#.*)?$")


def _locator(text: str):
    """A function giving the line of `key` within the table `section` (dotted, unquoted)."""
    lines = text.splitlines()

    def norm(section: str) -> str:
        return ".".join(part.strip().strip('"').strip("'") for part in section.split("."))

    def line_of(section: str, key: str | None = None) -> int:
        current = None
        for n, line in enumerate(lines, start=1):
            if m := _HEADER.match(line):
                current = norm(m.group(1))
                if key is None and (current == section or current.startswith(section + ".")):
                    return n
                continue
            if key is not None and current == section:
                stripped = line.strip()
                for form in (f'"{key}"', f"'{key}'", key):
                    if stripped.startswith(form) and stripped[len(form) :].lstrip().startswith("="):
                        return n
        return 0

    return line_of


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MappingError(f"mapping file {path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise MappingError(f"mapping file {path}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"mapping file {path}: {exc}") from None
    line_of = _locator(text)

    def fail(section: str, key: str | None, why: str) -> MappingError:
        line = line_of(section, key) or line_of(section)
        return MappingError(f"mapping file {path}" + (f" line {line}" if line else "") + f": {why}")

    mapping = Mapping()
    spelt: dict[tuple, str] = {}  # (table, folded source) -> the source as written

    def add(table: dict[str, str], section: str, source: str, target: str) -> None:
        key = fold(source)
        if (section, key) in spelt:
            raise fail(
                section,
                source,
                f"{spelt[section, key]!r} and {source!r} are the same after trimming and ignoring case: keep one",
            )
        spelt[section, key] = source
        table[key] = target

    for name, tables in data.items():
        if name not in BY_NAME:
            raise fail(name, None, f"[{name}] is not a record type: expected one of {', '.join(BY_NAME)}")
        rtype = BY_NAME[name]
        known = {c.name for c in rtype.columns}
        if not isinstance(tables, dict):
            raise fail(name, None, f"{name} must be a table of [{name}.columns] and [{name}.values.COLUMN]")
        for part, body in tables.items():
            section = f"{name}.{part}"
            if part == "columns" and isinstance(body, dict):
                columns = mapping.columns.setdefault(name, {})
                for source, target in body.items():
                    if not isinstance(target, str) or target not in known:
                        raise fail(
                            section,
                            source,
                            f"{target!r} is not a column of {rtype.file}: expected one of " + ", ".join(sorted(known)),
                        )
                    add(columns, section, source, target)
            elif part == "values" and isinstance(body, dict):
                for column, pairs in body.items():
                    sub = f"{section}.{column}"
                    if column not in known:
                        raise fail(sub, None, f"[{sub}]: {column!r} is not a column of {rtype.file}")
                    if not isinstance(pairs, dict):
                        raise fail(section, column, f'{sub} must be a table of "source value" = "standard value"')
                    col = rtype.column(column)
                    for source, target in pairs.items():
                        if not isinstance(target, str):
                            raise fail(sub, source, f"the value for {source!r} must be text in quotes")
                        try:
                            if target:
                                parse_value(col, target)
                        except ValueError as exc:
                            raise fail(sub, source, f"{target!r} is not a value of {column}: {exc}") from None
                        add(mapping.values.setdefault(name, {}).setdefault(column, {}), sub, source, target)
            else:
                raise fail(
                    section, None, f"[{section}] is not understood: use [{name}.columns] or [{name}.values.COLUMN]"
                )
    return mapping
