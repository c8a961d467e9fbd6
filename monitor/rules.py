"""Rule files: load them, apply parameter overrides, validate and version them.

A rule file (`rules/<duty>.yaml`) holds a duty's id, title, owner, legal source,
the parameters it uses (defaults in `rules/parameters.yaml`), how its deadline
is counted, and its status logic as an ordered decision table. Each row is `when: {fact: value | {op: value}}` (all must hold)
or `otherwise: true`, then a `status`, an optional `reason`, and `next_step: none` on a row
whose findings nobody can act on any more (the duty's next step is not shown for them). A
value written `$name` is the parameter `name`. The first row that matches decides.

Each obligation builder declares the facts it gives (name, type, meaning:
`monitor.facts.FACTS`, filled by `monitor.obligations`). Loading refuses, naming the
file and the row: a fact the rule's builder does not declare, an operator or a value of the wrong type for
the fact, an unknown parameter, a table whose last row is not `otherwise`, and a
row that can never match because earlier rows always match first. Operators:
`==`, `!=` (any type), `<`, `<=`, `>`, `>=` (int, date, money), `in`, `not in`
(a list of texts).

Each rule's `ruleset_name` is versioned (the hash of the rule file and of its parameter
values): `monitor.decide` compiles it for durable-rules once per process under that name.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from monitor import obligations
from monitor.decide import ORDERED, engine_value
from monitor.documents.wording import Wording, WordingError, load_wordings
from monitor.facts import FACTS, Fact
from monitor.rule_schema import RuleError, parameter_defaults, read_yaml, rule_file
from monitor.statuses import STATUSES

assert obligations  # registers the builders and the facts they give

_OPS_OF = {
    "bool": ("==", "!="),
    "text": ("==", "!=", "in", "not in"),
    **{t: ("==", "!=", "<", "<=", ">", ">=") for t in ORDERED},
}
_COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}


EXCEPTED = Fact("excepted", "bool", "a recorded exception for this duty and subject is in force on the as-of date")


@dataclass(frozen=True)
class Row:
    number: int
    when: dict
    status: str
    reason: str | None
    tests: tuple[tuple[str, str, Any], ...] = ()  # (fact, operator, value in the engine's terms)
    next_step: bool = True  # False (`next_step: none`): nothing can be done any more, nobody is asked to act

    def describe(self) -> str:
        if not self.when:
            return "otherwise"
        parts: list[str] = []
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
    facts: dict = field(default_factory=dict)  # name -> Fact: what the builder declares (and `excepted`)
    cells: dict = field(default_factory=dict, compare=False)  # fact -> the constants it is compared with

    @property
    def ruleset_name(self) -> str:
        return f"{self.id}@{self.version}"

    def next_step_at(self, row_number: int) -> str:
        """The next step of a finding decided by row `row_number`: the duty's, or "" where that
        row says there is none (a row number the table does not have gives the duty's)."""
        if 0 < row_number <= len(self.rows) and not self.rows[row_number - 1].next_step:
            return ""
        return self.next_step


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


def load_rule(
    path: Path,
    parameters: dict,
    declared: dict[str, dict[str, Fact]] | None = None,
    wordings: dict[str, Wording] | None = None,
) -> Rule:
    """Read one rule file and validate its table against the facts its builder declares
    (`declared`: builder name -> facts; default `monitor.facts.FACTS`); it takes the
    values of the parameters it names from `parameters`, and the required statements it
    names (`wording: decision-letter`) from `wordings` (given to its builder as the
    parameter `wording`)."""
    if declared is None:
        declared = FACTS
    raw = path.read_bytes()
    data = read_yaml(path, raw)
    rule_file(path, data)
    if data["obligation"] not in declared:
        raise RuleError(f"{path}: unknown obligation {data['obligation']!r}: expected one of {', '.join(declared)}")
    facts = {**declared[data["obligation"]], EXCEPTED.name: EXCEPTED}
    unknown = [n for n in data.get("parameters") or [] if n not in parameters]
    if unknown:
        raise RuleError(f"{path}: unknown parameters {', '.join(unknown)}")
    params = {n: parameters[n] for n in data.get("parameters") or []}
    version = _digest(raw + json.dumps(params, sort_keys=True, default=_jsonable).encode())
    if "wording" in data:
        wording = (wordings or {}).get(data["wording"])
        if wording is None:
            raise RuleError(f"{path}: unknown wording {data['wording']!r}: expected one of {', '.join(wordings or {})}")
        params["wording"] = wording
        version = _digest(f"{version}:{wording.version}".encode())
    shown = {k: f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v for k, v in params.items()}
    rows = []
    for number, spec in enumerate(data["decision_table"], start=1):
        where = f"{path.name} row {number}"
        if spec.get("status") not in STATUSES:
            raise RuleError(f"{where}: status must be one of {', '.join(STATUSES)}")
        when, tests = {}, []
        if spec.get("otherwise"):
            if number != len(data["decision_table"]):
                raise RuleError(f"{where}: `otherwise` must be the last row (the rows after it can never match)")
        elif isinstance(spec.get("when"), dict) and spec["when"]:
            for fact, test in spec["when"].items():
                if fact not in facts:
                    raise RuleError(
                        f"{where}: {fact!r} is not a fact of the {data['obligation']} obligation "
                        f"(its facts: {', '.join(sorted(facts))})"
                    )
                pairs = test.items() if isinstance(test, dict) else [("==", test)]
                checked = {}
                for op, value in pairs:
                    value = _param(value, params, where)
                    tests.append((fact, op, _typed(facts[fact], op, value, where)))
                    checked[op] = value
                when[fact] = checked if isinstance(test, dict) else checked["=="]
        else:
            raise RuleError(f"{where}: needs `when` conditions or `otherwise: true`")
        reason = spec.get("reason")
        if reason is not None:
            reason = str(reason).format_map(_KeepMissing(shown))
        rows.append(Row(number, when, spec["status"], reason, tuple(tests), "next_step" not in spec))
    if rows[-1].when:
        raise RuleError(f"{path.name} row {len(rows)}: the last row must be `otherwise: true`")
    seen: dict[str, set] = {}
    for row in rows:
        for fact, op, value in row.tests:
            seen.setdefault(fact, set()).update(value if op in ("in", "not in") else [value])
    cells = {f: sorted(v) for f, v in seen.items()}
    _check_reachable(path.name, rows, facts, cells)
    readable = _KeepMissing(
        {n: for_people(n, v) for n, v in params.items()}, response_days=f"{7 * params.get('response_weeks', 0)}"
    )
    return Rule(
        id=data["id"],
        title=data["title"],
        short_title=data.get("short_title") or data["title"],
        next_step=" ".join(str(data.get("next_step") or "").split()),
        owner=data["owner"],
        source=data["source"].strip(),
        subject=str(data.get("subject", "")).format_map(readable),
        deadline=str(data.get("deadline", "")).format_map(readable),
        obligation=data["obligation"],
        parameters=params,
        rows=tuple(rows),
        version=version,
        path=path,
        facts=facts,
        cells=cells,
    )


def _typed(fact: Fact, op: str, value, where: str):
    """The value a test compares `fact` with, in the engine's terms (dates as day numbers,
    money as float); an error when the operator or the value does not fit the fact's type."""
    if op not in _COMPARE:
        raise RuleError(f"{where}: unknown operator {op!r} (operators: {', '.join(_COMPARE)})")
    if op not in _OPS_OF[fact.type]:
        raise RuleError(
            f"{where}: {fact.name} is {fact.type}: operator {op!r} does not apply (use {', '.join(_OPS_OF[fact.type])})"
        )
    if op in ("in", "not in"):
        if not isinstance(value, (list, tuple)) or not value:
            raise RuleError(f"{where}: {fact.name} {op} needs a list of values")
        return tuple(_typed(fact, "==", v, where) for v in value)
    ok = {
        "bool": lambda v: isinstance(v, bool),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "date": lambda v: isinstance(v, date),
        "money": lambda v: isinstance(v, (int, float, Decimal)) and not isinstance(v, bool),
        "text": lambda v: isinstance(v, str),
    }[fact.type]
    if not ok(value):
        raise RuleError(f"{where}: {fact.name} is {fact.type}: cannot compare it with {value!r}")
    return engine_value(fact.type, value)


def _representatives(fact: Fact, constants: list) -> list:
    """One value from each region of the fact's values (see `_cell`)."""
    if fact.type == "bool":
        return [True, False]
    if fact.type == "text":
        return [*constants, "\x00another value"]
    step = 1 if fact.type in ("int", "date") else 0.005
    points = [constants[0] - step]
    for low, high in zip(constants, constants[1:], strict=False):
        points.append(low)
        if high - low > step:
            points.append(low + step)
    return points + [constants[-1], constants[-1] + step]


_ABSENT = -1  # the region of a fact left out (its value unknown)


def _cube(row: Row, domains: dict[str, list]) -> dict[str, frozenset]:
    """The cases a row matches: for each fact, the regions of its values (by index) the row accepts."""
    cube = {}
    for fact, values in domains.items():
        tests = [(op, v) for f, op, v in row.tests if f == fact]
        if not tests:
            cube[fact] = frozenset([*range(len(values)), _ABSENT])
        else:
            cube[fact] = frozenset(i for i, x in enumerate(values) if all(_COMPARE[op](x, v) for op, v in tests))
    return cube


def _subtract(cube: dict[str, frozenset], other: dict[str, frozenset]) -> list[dict[str, frozenset]]:
    """`cube` minus `other`, as disjoint cubes."""
    if any(not cube[f] & other[f] for f in cube):
        return [cube]
    pieces, rest = [], dict(cube)
    for fact in cube:
        outside = rest[fact] - other[fact]
        if outside:
            pieces.append({**rest, fact: outside})
        rest[fact] = rest[fact] & other[fact]
    return pieces


def _check_reachable(name: str, rows: list[Row], facts: dict[str, Fact], cells: dict[str, list]) -> None:
    """Refuse a row that can never match: its conditions contradict each other, or the rows
    before it match every case it matches (a fact that may be left out is a case of its own)."""
    domains = {f: _representatives(facts[f], cells[f]) for f in cells}
    cubes = [_cube(row, domains) for row in rows]
    for cube in cubes:
        for f in domains:
            if not facts[f].optional:  # always given: its absence is never a case
                cube[f] = cube[f] - {_ABSENT}
    for j, row in enumerate(rows):
        if not row.tests:
            continue
        if any(not regions for regions in cubes[j].values()):
            raise RuleError(f"{name} row {row.number}: can never match: its conditions contradict each other")
        if not _covered(cubes[j], cubes[:j]):
            continue
        before = list(range(j))
        for i in reversed(range(j)):  # the fewest earlier rows that still cover it, to name them
            if _covered(cubes[j], [cubes[k] for k in before if k != i]):
                before.remove(i)
        numbers = [rows[i].number for i in before]
        which = (
            f"row {numbers[0]} always matches"
            if len(numbers) == 1
            else f"rows {', '.join(map(str, numbers))} always match"
        )
        raise RuleError(f"{name} row {row.number}: can never match: {which} first")


def _covered(cube: dict[str, frozenset], others: list[dict[str, frozenset]]) -> bool:
    remaining = [cube]
    for other in others:
        remaining = [piece for c in remaining for piece in _subtract(c, other)]
        if not remaining:
            return True
    return False


LABELS = {  # what each parameter is, for people (`send-monitor duties`)
    "scope_start": "in force from",
    "trial_end": "trial ends",
    "local_offer_due": "Local Offer due",
    "response_weeks": "response within",
    "return_weeks": "return within",
    "warning_days": "due soon within",
    "funding_cap_gbp": "cap per case",
    "covid_window": "Covid-19 window",
    "scope_decision_types": "decisions in scope",
    "response_sent_to": "a response goes to",
    "wording": "statements from",
}


def describe_parameters(rule: Rule) -> str:
    """The values a rule uses, written out for people: "response within 5 weeks; due soon within 7 days"."""
    return "; ".join(f"{LABELS.get(n, n.replace('_', ' '))} {for_people(n, v)}" for n, v in rule.parameters.items())


def for_people(name: str, value) -> str:
    """A parameter's value as people read it: "5 weeks", "7 days", "3 Apr 2018", "£4,000"."""
    if isinstance(value, Wording):
        return f"rules/wording/{value.path.name} ({len(value.statements)} statements, version {value.version})"
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    if isinstance(value, dict):
        return "(" + "; ".join(f"{k.replace('_', ' ')}: {for_people(name, v)}" for k, v in value.items()) + ")"
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and all(isinstance(v, date) for v in value):
            return f"{for_people(name, value[0])} to {for_people(name, value[1])}"
        return ", ".join(for_people(name, v) for v in value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        for suffix, unit in (("_weeks", "week"), ("_days", "day")):
            if name.endswith(suffix):
                return f"{value:,} {unit}{'' if value == 1 else 's'}"
        if name.endswith("_gbp"):
            return f"£{value:,}"
        return f"{value:,}"
    return str(value)


class _KeepMissing(dict):
    """Fill `{parameter}` placeholders now, keep `{fact}` ones for the obligation."""

    def __missing__(self, key):
        return "{" + key + "}"


def load_parameters(rules_dir: Path, overrides: dict | None = None) -> dict:
    """The parameter defaults of `rules/parameters.yaml`, with the configuration's overrides."""
    path = Path(rules_dir) / "parameters.yaml"
    if not path.is_file():
        raise RuleError(
            f"no rules folder at {rules_dir} (expected {path.name} there): install from a "
            f"checkout with `make setup`, or set rules_dir in the configuration"
        )
    defaults = parameter_defaults(path)
    unknown = sorted(set(overrides or {}) - set(defaults))
    if unknown:
        raise RuleError(f"unknown parameters in the configuration: {', '.join(unknown)}")
    parameters = {**defaults, **(overrides or {})}
    _check_sent_to(parameters.get("response_sent_to"))
    return parameters


def _check_sent_to(value) -> None:
    """`response_sent_to` names, for health and for social care, a non-empty list of family / la."""
    if value is None:
        return
    ok = (
        isinstance(value, dict)
        and set(value) == {"health", "social_care"}
        and all(isinstance(v, list) and v and set(v) <= {"family", "la"} for v in value.values())
    )
    if not ok:
        raise RuleError(
            "parameter response_sent_to: expected health and social_care, each a list of family and/or la "
            '(e.g. health = ["family", "la"], social_care = ["family"])'
        )


def load_rules(rules_dir: Path, overrides: dict | None = None, additions: dict | None = None) -> dict[str, Rule]:
    """Every duty's rule file in `rules_dir`, by duty id, in file-name order; the wording files
    of `rules_dir/wording` with the configuration's `additions` (wording id -> statement -> phrases)."""
    parameters = load_parameters(rules_dir, overrides)
    folder = Path(rules_dir) / "wording"
    try:
        wordings = load_wordings(folder, parameters, additions) if folder.is_dir() else {}
    except WordingError as exc:
        raise RuleError(str(exc)) from None
    rules = {}
    for path in sorted(Path(rules_dir).glob("*.yaml")):
        if path.name == "parameters.yaml":
            continue
        rule = load_rule(path, parameters, wordings=wordings)
        if rule.id in rules:
            raise RuleError(f"{path}: duty {rule.id} is defined twice")
        rules[rule.id] = rule
    if not rules:
        raise RuleError(f"no rule files in {rules_dir}")
    return rules


# --- durable-rules -------------------------------------------------------------


_RECORD = re.compile(r"^(?P<act>.*?)[,;]?\s+(?:and|then)\s+record\s+(?P<what>.+?)(?:\s+in\s+(?P<where>[^ ].*?))?\.?$")


def next_step_in_words(text: str) -> tuple[str, str | None]:
    """A rule's next step in the words of the people who do it, and the export field it ends
    in as a secondary detail: "Send the response, and record the date in la_response_sent_on"
    → ("Send the response, then record the date in your case-management system and
    re-export.", "la_response_sent_on")."""
    text = text.strip()
    m = _RECORD.match(text)
    if not text or m is None:
        return text, None
    act = m["act"].rstrip(" ,;.")
    return f"{act}, then record {m['what']} in your case-management system and re-export.", m["where"]
