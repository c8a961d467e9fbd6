"""The shape of the rule files (`rules/<duty>.yaml`, `rules/parameters.yaml`): checked by a
schema before the checks only the rule engine can make (facts, types, reachability).

Every key a rule file may hold is a field below; an unknown or misspelt key, a missing
one, a value of the wrong kind, and an empty or malformed file are a `RuleError` naming
the file, each problem as `key = value: what is allowed`.
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
    decision_table: list[RowFile] = Field(min_length=1)


_PARAMETERS = TypeAdapter(dict[str, Any])


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
    if not isinstance(data, dict):
        keys = ", ".join(f for f, info in RuleFile.model_fields.items() if info.is_required())
        raise RuleError(f"{path}: {'empty' if data is None else 'not a rule file'}: expected the keys {keys}")
    try:
        return RuleFile.model_validate(data)
    except ValidationError as exc:
        raise RuleError("; ".join(_problems(exc, path))) from None


def parameter_defaults(path: Path) -> dict[str, Any]:
    """The parameter defaults of `rules/parameters.yaml`: a mapping of names to values."""
    data = read_yaml(path)
    if data is None:
        raise RuleError(f"{path}: empty: expected each parameter's name and default value (name: value)")
    try:
        return _PARAMETERS.validate_python(data, strict=True)
    except ValidationError:
        raise RuleError(f"{path}: not a mapping of parameter names to default values (name: value)") from None


def _problems(exc: ValidationError, path: Path) -> list[str]:
    """One phrase per problem: `la-evidence.yaml row 8: reson = 'x': unknown key (…)`."""
    lines = []
    for error in exc.errors(include_url=False):
        loc = list(error["loc"])
        where = str(path)
        if loc[:1] == ["decision_table"] and len(loc) > 1 and isinstance(loc[1], int):
            where, loc = f"{path.name} row {loc[1] + 1}", loc[2:]
        key = ".".join(str(part + 1) if isinstance(part, int) else str(part) for part in loc)
        if error["type"] == "missing":
            lines.append(f"{where}: {key} is missing")
        elif not key:
            lines.append(f"{where}: {_allowed(error)}")
        else:
            lines.append(
                f"{where}: {key} = {_shown(error['input'])}: {_allowed(error, 'decision_table' in error['loc'])}"
            )
    return lines


_EXPECTED = {
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping (key: value)",
    "model_type": "must be a mapping (key: value)",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
}


def _allowed(error: Any, in_a_row: bool = False) -> str:
    if error["type"] == "extra_forbidden":
        fields = (RowFile if in_a_row else RuleFile).model_fields
        return f"unknown key (expected one of: {', '.join(fields)})"
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    return _EXPECTED.get(error["type"], str(error["msg"]))


def _shown(value: object) -> str:
    text = "(a mapping)" if isinstance(value, dict) else "(a list)" if isinstance(value, list) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"
