"""The record types' own rules, one module per family, each registered with `@check`
(see `registry`): a new record type's rules are one new module, imported here."""

from monitor.importing.checks import (  # noqa: F401
    appeals,
    area,
    commissioners,
    documents,
    exception_subjects,
    exceptions,
    recommendations,
    successors,
)
from monitor.importing.checks.registry import STORED, Part, check, run_checks

__all__ = ["STORED", "Part", "check", "run_checks"]
