"""Rule files: load them, apply parameter overrides, version them, compile them for durable-rules.

A rule file (`rules/<duty>.yaml`) holds a duty's id, title, owner, legal source,
the parameters it uses (defaults in `rules/parameters.yaml`), how its deadline
is counted, and its status logic as an ordered decision table. Each row is `when: {fact: value | {op: value}}` (all must hold)
or `otherwise: true`, then a `status` and an optional `reason`. A value written
`$name` is the parameter `name`. The first row that matches decides.

The compiled ruleset (one per duty) is a decision table ordered with `pri(n)`,
registered once per process under a versioned name (the hash of the rule file
and of its parameter values); its actions only record which row matched.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from durable import lang

STATUSES = (
    "met", "late", "overdue", "breached", "due_soon", "pending",
    "exception", "data_gap", "not_applicable",
)
_OPS = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__", "==": "__eq__", "!=": "__ne__"}


class RuleError(Exception):
    """A rule file is malformed."""


@dataclass(frozen=True)
class Row:
    number: int
    when: dict
    status: str
    reason: str | None

    def describe(self) -> str:
        if not self.when:
            return "otherwise"
        parts = []
        for fact, test in self.when.items():
            if isinstance(test, dict):
                parts.extend(f"{fact} {op} {value}" for op, value in test.items())
            else:
                parts.append(f"{fact} is {json.dumps(test)}")
        return " and ".join(parts)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    short_title: str  # the duty's name where people read (dashboards, e-mails)
    next_step: str  # one sentence: what the body that must act does next
    owner: str
    source: str
    subject: str
    deadline: str
    obligation: str
    parameters: dict
    rows: tuple[Row, ...]
    version: str
    path: Path

    @property
    def ruleset_name(self) -> str:
        return f"{self.id}@{self.version}"


def _param(value, params: dict, where: str):
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        if name not in params:
            raise RuleError(f"{where}: unknown parameter {value}")
        return params[name]
    return value


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def load_rule(path: Path, parameters: dict) -> Rule:
    """Read one rule file; it takes the values of the parameters it names from `parameters`."""
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}: {exc}") from None
    for key in ("id", "title", "owner", "source", "obligation", "decision_table"):
        if key not in data:
            raise RuleError(f"{path}: missing {key!r}")
    unknown = [n for n in data.get("parameters") or [] if n not in parameters]
    if unknown:
        raise RuleError(f"{path}: unknown parameters {', '.join(unknown)}")
    params = {n: parameters[n] for n in data.get("parameters") or []}
    version = _digest(raw + json.dumps(params, sort_keys=True, default=_jsonable).encode())
    shown = {k: f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v for k, v in params.items()}
    rows = []
    for number, spec in enumerate(data["decision_table"], start=1):
        where = f"{path.name} row {number}"
        if spec.get("status") not in STATUSES:
            raise RuleError(f"{where}: status must be one of {', '.join(STATUSES)}")
        if spec.get("otherwise"):
            when = {}
        elif isinstance(spec.get("when"), dict) and spec["when"]:
            when = {}
            for fact, test in spec["when"].items():
                if isinstance(test, dict):
                    if not set(test) <= set(_OPS):
                        raise RuleError(f"{where}: operators are {', '.join(_OPS)}")
                    when[fact] = {op: _param(v, params, where) for op, v in test.items()}
                else:
                    when[fact] = _param(test, params, where)
        else:
            raise RuleError(f"{where}: needs `when` conditions or `otherwise: true`")
        reason = spec.get("reason")
        if reason is not None:
            reason = str(reason).format_map(_KeepMissing(shown))
        rows.append(Row(number, when, spec["status"], reason))
    if not rows or rows[-1].when:
        raise RuleError(f"{path}: the last row must be `otherwise: true`")
    return Rule(
        id=data["id"], title=data["title"], short_title=data.get("short_title") or data["title"],
        next_step=" ".join(str(data.get("next_step") or "").split()), owner=data["owner"], source=data["source"].strip(),
        subject=data.get("subject", ""), deadline=data.get("deadline", ""),
        obligation=data["obligation"], parameters=params, rows=tuple(rows),
        version=version, path=path,
    )


class _KeepMissing(dict):
    """Fill `{parameter}` placeholders now, keep `{fact}` ones for the obligation."""

    def __missing__(self, key):
        return "{" + key + "}"


def load_parameters(rules_dir: Path, overrides: dict | None = None) -> dict:
    """The parameter defaults of `rules/parameters.yaml`, with the configuration's overrides."""
    path = Path(rules_dir) / "parameters.yaml"
    if not path.is_file():
        raise RuleError(f"no rules folder at {rules_dir} (expected {path.name} there): install from a "
                        f"checkout with `make setup`, or set rules_dir in the configuration")
    defaults = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = sorted(set(overrides or {}) - set(defaults))
    if unknown:
        raise RuleError(f"unknown parameters in the configuration: {', '.join(unknown)}")
    return {**defaults, **(overrides or {})}


def load_rules(rules_dir: Path, overrides: dict | None = None) -> dict[str, Rule]:
    """Every duty's rule file in `rules_dir`, by duty id, in file-name order."""
    parameters = load_parameters(rules_dir, overrides)
    rules = {}
    for path in sorted(Path(rules_dir).glob("*.yaml")):
        if path.name == "parameters.yaml":
            continue
        rule = load_rule(path, parameters)
        if rule.id in rules:
            raise RuleError(f"{path}: duty {rule.id} is defined twice")
        rules[rule.id] = rule
    if not rules:
        raise RuleError(f"no rule files in {rules_dir}")
    return rules


# --- durable-rules -------------------------------------------------------------

_registered: set[str] = set()
_matched: dict[int, int] = {}  # event id -> matching row number, filled by the actions
_event_ids = itertools.count(1)


def _condition(row: Row):
    if not row.when:
        return +lang.m.duty  # catch-all keyed on our own field, never on `id`
    terms = []
    for fact, test in row.when.items():
        tests = test.items() if isinstance(test, dict) else [("==", test)]
        for op, value in tests:
            terms.append(getattr(getattr(lang.m, fact), _OPS[op])(_jsonable(value)))
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


def decide(rule: Rule, facts: dict, memo: dict | None = None) -> Row:
    """Post one obligation's facts to the duty's ruleset; the first matching row decides.

    The decision depends on the facts alone, so with a `memo` (one per duty per
    check) each distinct set of facts is posted to durable-rules once and
    obligations with the same facts share its decision.
    """
    key = None
    if memo is not None:
        key = tuple(sorted(facts.items()))
        if key in memo:
            return memo[key]
    event_id = next(_event_ids)
    lang.post(rule.ruleset_name, {**facts, "id": event_id, "duty": rule.id})
    row = rule.rows[_matched.pop(event_id) - 1]
    if memo is not None:
        memo[key] = row
    return row
