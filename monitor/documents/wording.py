"""Wording files (`rules/wording/*.yaml`): what a document must tell families, validated and versioned.

A file holds `id`, `title`, `source` and `statements`; each statement has an `id`, what it
`says` (plain words for people) and either `any: [phrase, ...]` or `all: [{any: [...]}, ...]`
with `within_words` (a number, or `$name` for a parameter of `rules/parameters.yaml`).
Loading refuses, naming the file: an unknown key, an empty `any`, a phrase without a word,
a repeated statement id. A deployment may add phrases in its configuration (`additions`:
statement id, or `id.N` for part N of an `all`, to a list of phrases); they are marked
local. The version is a hash of the file, the parameter values it uses and the additions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from monitor.documents.matching import Phrase, Statement, words
from monitor.rule_schema import wording_file

_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class WordingError(Exception):
    """A wording file, or the configuration's additions to it, is malformed."""


@dataclass(frozen=True)
class Wording:
    id: str
    title: str
    source: str
    statements: tuple[Statement, ...]
    version: str
    path: Path


def _phrases(value, where: str, local: bool = False) -> tuple[Phrase, ...]:
    if not isinstance(value, list) or not value:
        raise WordingError(f"{where}: `any` must be a list of one or more phrases")
    phrases = []
    for text in value:
        if not isinstance(text, str) or not words(text):
            raise WordingError(f"{where}: {text!r} is not a phrase (write words, in quotes if need be)")
        phrases.append(Phrase(text, words(text), local))
    return tuple(phrases)


def _within(value, parameters: dict, where: str) -> int:
    if isinstance(value, str) and value.startswith("$"):
        if value[1:] not in parameters:
            raise WordingError(f"{where}: unknown parameter {value}")
        value = parameters[value[1:]]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise WordingError(f"{where}: `within_words` must be a whole number of words, 1 or more")
    return value


def _statement(spec, path: Path, parameters: dict, used: dict) -> Statement:
    where = f"{path}: statement {spec['id']!r}"
    if ("any" in spec) == ("all" in spec):
        raise WordingError(f"{where}: give either `any` or `all`")
    if "any" in spec:
        if "within_words" in spec:
            raise WordingError(f"{where}: `within_words` goes with `all`, not `any`")
        return Statement(spec["id"], spec["says"], (_phrases(spec["any"], where),))
    parts = spec["all"]
    if not isinstance(parts, list) or not parts:
        raise WordingError(f"{where}: `all` must be a list of parts, each {{any: [phrases]}}")
    checked = []
    for number, part in enumerate(parts, start=1):
        if not isinstance(part, dict) or set(part) != {"any"}:
            raise WordingError(f"{where}: part {number} of `all` must be {{any: [phrases]}}")
        checked.append(_phrases(part["any"], f"{where} part {number}"))
    if "within_words" not in spec:
        raise WordingError(f"{where}: `all` needs `within_words`")
    within = spec["within_words"]
    if isinstance(within, str) and within.startswith("$") and within[1:] in parameters:
        used[within[1:]] = parameters[within[1:]]
    return Statement(spec["id"], spec["says"], tuple(checked), _within(within, parameters, where))


def _add(statements: list[Statement], additions: dict, path: Path) -> list[Statement]:
    by_id = {s.id: i for i, s in enumerate(statements)}
    for name, phrases in additions.items():
        sid, _, part = str(name).partition(".")
        where = f"additions to {path.name}, {name!r}"
        if sid not in by_id:
            raise WordingError(f"{where}: no such statement (expected one of {', '.join(by_id)})")
        statement = statements[by_id[sid]]
        if not part and len(statement.parts) > 1:
            raise WordingError(f"{where}: name the part of `all`, e.g. {sid}.1")
        number = int(part) if part.isdigit() else 1 if not part else 0
        if not 1 <= number <= len(statement.parts):
            raise WordingError(f"{where}: no part {part} (the statement has {len(statement.parts)})")
        added = _phrases(phrases, where, local=True)
        parts = list(statement.parts)
        parts[number - 1] = parts[number - 1] + added
        statements[by_id[sid]] = Statement(statement.id, statement.says, tuple(parts), statement.within_words)
    return statements


def load_wording(path: Path, parameters: dict | None = None, additions: dict | None = None) -> Wording:
    """Read and validate one wording file, with the parameter values and local additions given."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        data = yaml.load(raw, Loader=_YAML)
    except OSError as exc:
        raise WordingError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    except yaml.YAMLError as exc:
        raise WordingError(f"{path}: {' '.join(str(exc).split())}") from None
    wording_file(path, data, WordingError)  # the keys and kinds of value, by the schema
    used: dict = {}
    statements: list[Statement] = []
    for spec in data["statements"]:
        statement = _statement(spec, path, parameters or {}, used)
        if any(s.id == statement.id for s in statements):
            raise WordingError(f"{path}: statement id {statement.id!r} is repeated")
        statements.append(statement)
    statements = _add(statements, additions or {}, path)
    extra = json.dumps({"parameters": used, "additions": additions or {}}, sort_keys=True).encode()
    version = hashlib.sha256(raw + extra).hexdigest()[:12]
    return Wording(data["id"], data["title"], data["source"], tuple(statements), version, path)


def load_wordings(folder: Path, parameters: dict | None = None, additions: dict | None = None) -> dict[str, Wording]:
    """Every wording file of a folder (`rules/wording/`) by id; `additions` maps a wording id to its additions."""
    additions = dict(additions or {})
    wordings: dict[str, Wording] = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        wording = load_wording(path, parameters, additions.pop(path.stem, None))
        if wording.id != path.stem:
            raise WordingError(f"{path}: id {wording.id!r} must be the file's name ({path.stem!r})")
        wordings[wording.id] = wording
    if additions:
        raise WordingError(f"additions to unknown wording files: {', '.join(sorted(additions))}")
    return wordings
