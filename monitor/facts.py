"""Facts and the obligation-builder registry, below both the rules and the builders.

A builder (one per kind of subject, in `monitor.obligations`) registers itself here with
the record its keys identify and the facts it gives; `monitor.rules` validates each
decision table against those facts, and `monitor.check` runs the builders. Importing
`monitor.obligations` fills the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class Fact:
    """A fact an obligation builder gives the decision tables: its name, type and meaning.

    Types: bool, int (a count of days), date, money (pounds), text. A fact whose value
    is unknown (a blank field) is left out of the obligation, so no test of it holds."""

    name: str
    type: str
    meaning: str
    optional: bool = False  # left out when its value is unknown


@dataclass(slots=True)
class Obligation:
    """One (duty, subject) to judge: who owns it, its dates and the facts its table tests."""

    subject: str
    key: str  # the id of the record the subject hangs on (decision, area, appeal, recommendation)
    area: str
    owner: str
    case_ref: str | None
    due_on: date | None
    done_on: date | None
    facts: dict[str, Any]
    records: list[tuple[str, str, dict]] = field(default_factory=list)  # (type, id, fields) used
    info: dict[str, str] = field(default_factory=dict)  # values for `{placeholders}` in reasons
    deadline: str = ""  # how the deadline was counted, for `explain`


class Builder(Protocol):
    """Yields the obligations of one kind of subject as of a date: all, or those of the
    records `keys`; with `evidence`, each with its records and deadline text."""

    def __call__(
        self,
        conn: Connection,
        as_of: date,
        params: dict[str, Any],
        keys: Iterable[str] | None = None,
        evidence: bool = False,
    ) -> Iterator[Obligation]: ...


BUILDERS: dict[str, Builder] = {}
KEY_KINDS: dict[str, str] = {}  # builder -> the record its keys identify: decision, area, appeal, recommendation
FACTS: dict[str, dict[str, Fact]] = {}  # builder -> the facts it gives, by name


def builder(name: str, key: str, facts: Iterable[Fact]) -> Callable[[Builder], Builder]:
    """Register a builder whose `keys` argument (and `Obligation.key`) are ids of `key` records,
    and which gives the facts `facts` (and no others)."""

    def register(fn: Builder) -> Builder:
        BUILDERS[name] = fn
        KEY_KINDS[name] = key
        FACTS[name] = {f.name: f for f in facts}
        return fn

    return register


def subject_keys(subject: str) -> set[str]:
    """The record keys a subject may hang on: itself, or what comes before its last ':'
    (`{appeal_id}:health`, `{appeal_id}:{commissioner_code}`)."""
    return {subject, subject.rsplit(":", 1)[0]}


def facts_markdown() -> str:
    """The facts each registered builder declares, as the Markdown tables of docs/duties.md
    (`python -m monitor.obligations` prints them; a test keeps the document equal to them)."""
    parts = []
    for name, facts in FACTS.items():
        parts.append(f"### `{name}` (keys: {KEY_KINDS[name]})\n\n| fact | type | meaning |\n|---|---|---|")
        parts.extend(
            f"| `{f.name}` | {f.type}{' (may be left out)' if f.optional else ''} | {f.meaning} |"
            for f in facts.values()
        )
        parts.append("")
    return "\n".join(parts)
