"""Deciding an obligation's status with durable-rules: a duty's decision table compiled into
a ruleset once per process, one obligation's facts posted as an event, the first matching
row (by `pri`) taken, and decisions shared between obligations whose facts fall in the same
regions of the table's constants."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from typing import TYPE_CHECKING

from durable import lang

if TYPE_CHECKING:
    from monitor.rules import Row, Rule

ORDERED = ("int", "date", "money")  # fact types with an order

_OPS = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__", "==": "__eq__", "!=": "__ne__"}


def engine_value(kind: str, value):
    """A fact's value as posted to durable-rules: dates as day numbers, money as float."""
    if kind == "date":
        return value.toordinal()
    if kind == "money":
        return float(value)
    return value


def _cell(kind: str, constants: list, value):
    """Which region of the fact's values `value` is in: values in the same region pass the
    same tests of the table (between, or at, the constants it is compared with)."""
    if value is None:
        return None
    if kind in ORDERED:
        i = bisect_left(constants, value)
        return 2 * i + 1 if i < len(constants) and constants[i] == value else 2 * i
    return value if value in constants else _OTHER


_OTHER = object()  # a text or bool value the table never names
_REGIONS = object()  # marks a memo key made of regions (not of values)
_UNSEEN = object()  # a value whose region is not yet known


_registered: set[str] = set()
_matched: dict[int, int] = {}  # event id -> matching row number, filled by the actions
_event_ids = itertools.count(1)


def _condition(row: Row):
    if not row.tests:
        return +lang.m.duty  # catch-all keyed on our own field, never on `id`
    terms = []
    for fact, op, value in row.tests:
        field = getattr(lang.m, fact)
        if op == "in":
            term = field == value[0]
            for v in value[1:]:
                term = term | (field == v)
        elif op == "not in":
            term = field != value[0]
            for v in value[1:]:
                term = term & (field != v)
        else:
            term = getattr(field, _OPS[op])(value)
        terms.append(term)
    condition = terms[0]
    for term in terms[1:]:
        condition = condition & term
    return condition


def _recorder(number: int):
    def action(c):
        _matched[c.m.id] = number

    return action


def register(rule: Rule) -> None:
    """Compile `rule` into a durable-rules ruleset, once per process per version."""
    if rule.ruleset_name in _registered:
        return
    with lang.ruleset(rule.ruleset_name):
        for row in rule.rows:
            lang.when_all(lang.pri(row.number), _condition(row))(_recorder(row.number))
    _registered.add(rule.ruleset_name)


_REGION_OF: dict[
    str, list[tuple[str, list, dict]]
] = {}  # ruleset -> per tested fact: (type, constants, value -> region)


def _regions(rule: Rule, values: tuple) -> tuple:
    """The memo key of the regions `values` (of the tested facts, in the order of `rule.cells`)
    are in; each fact's region of each value is worked out once per process."""
    facts = _REGION_OF.get(rule.ruleset_name)
    if facts is None:
        facts = _REGION_OF[rule.ruleset_name] = [(rule.facts[f].type, c, {}) for f, c in rule.cells.items()]
    key = [_REGIONS]
    for (kind, constants, known), value in zip(facts, values, strict=True):
        region = known.get(value, _UNSEEN)
        if region is _UNSEEN:
            region = known[value] = _cell(kind, constants, None if value is None else engine_value(kind, value))
        key.append(region)
    return tuple(key)


def posted(memo: dict) -> int:
    """How many distinct fact sets a memo of `decide` posted to durable-rules."""
    return sum(1 for key in memo if key and key[0] is _REGIONS)


def decide(rule: Rule, facts: dict, memo: dict | None = None) -> Row:
    """Post one obligation's facts to the duty's ruleset; the first matching row decides.

    Only the facts the table tests are posted. The decision depends on which region of
    its values each tested fact is in (see `_cell`), so with a `memo` (one per duty per
    check) each distinct combination of regions is posted to durable-rules once and
    obligations that share it share its decision. The memo also remembers each
    combination of values met, the cheaper look-up.
    """
    cells = rule.cells
    raw = key = None
    if memo is not None:  # first by the values themselves, then by their regions
        raw = tuple(map(facts.get, cells))
        row = memo.get(raw)
        if row is not None:
            return row
        key = _regions(rule, raw)
        row = memo.get(key)
        if row is not None:
            memo[raw] = row
            return row
    types = rule.facts
    event = {f: engine_value(types[f].type, v) for f, v in facts.items() if f in cells and v is not None}
    event_id = next(_event_ids)
    lang.post(rule.ruleset_name, {**event, "id": event_id, "duty": rule.id})
    row = rule.rows[_matched.pop(event_id) - 1]
    if memo is not None:
        memo[key] = memo[raw] = row
    return row
