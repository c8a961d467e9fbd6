"""The shape of the rule files (`rules/<duty>.yaml`, `rules/parameters.yaml`) and of the
wording files (`rules/wording/*.yaml`): checked by a schema before the checks only their
loaders can make (facts, types, reachability; phrases, parameters).

Every key a file may hold is a field below; an unknown or misspelt key, a missing one, a
value of the wrong kind, and an empty or malformed file are an error naming the file
(`RuleError`, or the error class the wording loader gives), each problem as
`key = value: what is allowed`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader when built with it: faster


class RuleError(Exception):
    """A rule file is malformed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


NonBlank = Annotated[str, Field(min_length=1)]


def _none_only(value: str) -> str:
    if value != "none":
        raise ValueError("can only be `none` (the duty's next_step is the one to edit)")
    return value


class RowFile(_Strict):
    """One row of a decision table: `when: {fact: value | {op: value}}` or `otherwise: true`,
    then a status, an optional reason, and `next_step: none` when nobody can act any more."""

    when: dict[str, Any] | None = None
    otherwise: bool | None = None
    status: str
    reason: str | None = None
    next_step: Annotated[str, AfterValidator(_none_only)] | None = None


class RuleFile(_Strict):
    """One duty's rule file."""

    id: NonBlank
    title: NonBlank
    short_title: str | None = None
    next_step: str | None = None
    owner: NonBlank
    source: NonBlank
    subject: str = ""
    deadline: str = ""
    obligation: NonBlank
    parameters: list[str] = []
    wording: str | None = None  # the statements its builder looks for: rules/wording/<wording>.yaml
    decision_table: list[RowFile] = Field(min_length=1)


class PartFile(_Strict):
    """One part of a statement's `all`: `{any: [phrase, ...]}`."""

    any: list[str] = Field(min_length=1)


class StatementFile(_Strict):
    """One statement a document must make: `any` phrases, or `all` parts `within_words`."""

    id: NonBlank
    says: NonBlank
    any: list[str] | None = Field(default=None, min_length=1)
    all: list[PartFile] | None = Field(default=None, min_length=1)
    within_words: int | str | None = None


class WordingFile(_Strict):
    """One wording file."""

    id: NonBlank
    title: NonBlank
    source: NonBlank
    statements: list[StatementFile] = Field(min_length=1)


_PARAMETERS = TypeAdapter(dict[str, Any])
_ROWS: dict[type[BaseModel], tuple[str, type[BaseModel]]] = {
    RuleFile: ("decision_table", RowFile),
    WordingFile: ("statements", StatementFile),
}


def read_yaml(path: Path, raw: bytes | None = None) -> Any:
    """The YAML document of `path` (its bytes `raw` if already read); a RuleError naming the file if unreadable."""
    try:
        return yaml.load(path.read_bytes() if raw is None else raw, Loader=_YAML)
    except OSError as exc:
        raise RuleError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}: not YAML ({' '.join(str(exc).split())})") from None


def rule_file(path: Path, data: Any) -> RuleFile:
    """`data`, read from the rule file `path`, checked against the schema."""
    return _checked(RuleFile, path, data, RuleError, "rule file")


def wording_file(path: Path, data: Any, error: type[Exception]) -> WordingFile:
    """`data`, read from the wording file `path`, checked against the schema (problems raised as `error`)."""
    return _checked(WordingFile, path, data, error, "wording file")


def _checked(model, path: Path, data: Any, error: type[Exception], what: str):
    if not isinstance(data, dict):
        keys = ", ".join(f for f, info in model.model_fields.items() if info.is_required())
        raise error(f"{path}: {'empty' if data is None else f'not a {what}'}: expected the keys {keys}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        found = _problems(exc, model)
    if model is RuleFile:  # as the rule engine's own errors: `la-evidence.yaml row 8: …`
        raise error("; ".join(f"{path.name} row {n}: {text}" if n else f"{path}: {text}" for n, text in found))
    raise error(f"{path}: " + "; ".join(f"statement {n}: {text}" if n else text for n, text in found))


def parameter_defaults(path: Path) -> dict[str, Any]:
    """The parameter defaults of `rules/parameters.yaml`: a mapping of names to values."""
    data = read_yaml(path)
    if data is None:
        raise RuleError(f"{path}: empty: expected each parameter's name and default value (name: value)")
    try:
        return _PARAMETERS.validate_python(data, strict=True)
    except ValidationError:
        raise RuleError(f"{path}: not a mapping of parameter names to default values (name: value)") from None


def _problems(exc: ValidationError, model: type[BaseModel]) -> list[tuple[int | None, str]]:
    """One (row or statement number, phrase) per problem: `(8, "reson = 'x': unknown key (…)")`."""
    rows, row_model = _ROWS[model]
    found: list[tuple[int | None, str]] = []
    for error in exc.errors(include_url=False):
        loc, number = list(error["loc"]), None
        if loc[:1] == [rows] and len(loc) > 2 and isinstance(loc[1], int):
            number, loc = loc[1] + 1, loc[2:]
        key = ".".join(str(part + 1) if isinstance(part, int) else str(part) for part in loc)
        fields = (row_model if number and len(loc) == 1 else model).model_fields
        if error["type"] == "missing":
            found.append((number, f"{key} is missing"))
        elif not key:
            found.append((number, _allowed(error, fields)))
        else:
            found.append((number, f"{key} = {_shown(error['input'])}: {_allowed(error, fields)}"))
    return found


_EXPECTED = {
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping (key: value)",
    "model_type": "must be a mapping (key: value)",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
}


def _allowed(error: Any, fields: Any) -> str:
    if error["type"] == "extra_forbidden":
        return f"unknown key (expected one of: {', '.join(fields)})"
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    return _EXPECTED.get(error["type"], str(error["msg"]))


def _shown(value: object) -> str:
    text = "(a mapping)" if isinstance(value, dict) else "(a list)" if isinstance(value, list) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"
