"""The records standard (version 2) as data: files, columns, types, keys, references.

Also the parsing of one CSV value. Each parser returns the typed value or raises
`ValueError` whose message says why the value is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from monitor.models import (
    Appeal,
    Area,
    Commissioner,
    Decision,
    Evidence,
    FundingClaim,
    Recommendation,
    RecordedException,
    Response,
)

DECISION_TYPES = (
    "refuse_assessment",
    "refuse_plan",
    "plan_issued",
    "plan_amended",
    "refuse_reassessment",
    "refuse_amendment",
    "cease_plan",
)
KINDS = ("health", "social_care")
APPEAL_STATUSES = ("open", "withdrawn", "conceded", "decided")
OUTCOMES = ("accepted", "partly_accepted", "declined")
CATEGORIES = ("evidence", "hearing", "response", "legal", "other")
RESPONSE_EXCEPTIONS = ("covid_2020",)
PLAN_SECTIONS = ("C", "D", "G", "H1", "H2")


@dataclass(frozen=True)
class Col:
    """One column: its type (`text`, `date`, `bool`, `money`, `enum`), whether required,
    its allowed values (enums) and the record types it refers to (references)."""

    name: str
    type: str = "text"
    required: bool = False
    values: tuple[str, ...] = ()
    refers_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordType:
    name: str
    model: type
    key: tuple[str, ...]
    columns: tuple[Col, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


def _req(name: str, type_: str = "text", **kw) -> Col:
    return Col(name, type_, True, **kw)


# In import order: a record type only refers to the ones before it.
RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("areas", Area, ("area_code",), (
        _req("area_code"), _req("name"), Col("region"), Col("send_team_email"),
        Col("rights_published_on", "date"),
        Col("successor_code", refers_to=("areas",)), Col("successor_from", "date"),
    )),
    RecordType("commissioners", Commissioner, ("commissioner_code",), (
        _req("commissioner_code"), _req("name"), _req("kind", "enum", values=KINDS),
        Col("contact_email"),
        Col("successor_code", refers_to=("commissioners",)), Col("successor_from", "date"),
    )),
    RecordType("decisions", Decision, ("decision_id",), (
        _req("decision_id"), _req("area_code", refers_to=("areas",)), _req("case_ref"),
        _req("decision_type", "enum", values=DECISION_TYPES), _req("decision_date", "date"),
        Col("rights_notice", "bool"),
    )),
    RecordType("appeals", Appeal, ("appeal_id",), (
        _req("appeal_id"), _req("area_code", refers_to=("areas",)), _req("case_ref"),
        _req("decision_type", "enum", values=DECISION_TYPES), _req("decision_date", "date"),
        _req("registered_on", "date"), _req("health_issue", "bool"),
        _req("social_care_issue", "bool"), Col("la_response_due_on", "date"),
        Col("la_response_sent_on", "date"), Col("hearing_on", "date"),
        _req("status", "enum", values=APPEAL_STATUSES), Col("closed_on", "date"),
    )),
    RecordType("evidence", Evidence, ("appeal_id", "commissioner_code"), (
        _req("appeal_id", refers_to=("appeals",)),
        _req("commissioner_code", refers_to=("commissioners",)),
        Col("la_contacted_on", "date"), Col("evidence_due_on", "date"),
        Col("evidence_provided_on", "date"), Col("attendance_required", "bool"),
        Col("attended", "bool"),
    )),
    RecordType("recommendations", Recommendation, ("recommendation_id",), (
        _req("recommendation_id"), _req("appeal_id", refers_to=("appeals",)),
        _req("commissioner_code", refers_to=("commissioners",)),
        _req("kind", "enum", values=KINDS), _req("made_on", "date"),
        Col("plan_section", "enum", values=PLAN_SECTIONS),
    )),
    RecordType("responses", Response, ("recommendation_id",), (
        _req("recommendation_id", refers_to=("recommendations",)),
        Col("sent_to_family_on", "date"), Col("sent_to_la_on", "date"),
        Col("outcome", "enum", values=OUTCOMES), Col("steps_given", "bool"),
        Col("reasons_given", "bool"), Col("exception", "enum", values=RESPONSE_EXCEPTIONS),
        Col("sent_to_evaluators_on", "date"),
    )),
    RecordType("funding_claims", FundingClaim, ("claim_id",), (
        _req("claim_id"), _req("appeal_id", refers_to=("appeals",)),
        _req("claimant_code", refers_to=("areas", "commissioners")),
        _req("category", "enum", values=CATEGORIES), _req("amount_gbp", "money"),
        _req("claimed_on", "date"),
    )),
    RecordType("exceptions", RecordedException, ("exception_id",), (
        _req("exception_id"), _req("duty"), _req("subject_id"), _req("granted_by"),
        _req("justification"), _req("granted_on", "date"), _req("expires_on", "date"),
    )),
)
BY_NAME = {rt.name: rt for rt in RECORD_TYPES}
BY_FILE = {rt.file: rt for rt in RECORD_TYPES}

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_MONEY = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@lru_cache(maxsize=65536)
def parse_date(text: str) -> date:
    """ISO `YYYY-MM-DD` or UK day-first `D/M/YYYY`; never month-first."""
    try:
        if _ISO.fullmatch(text):
            return date.fromisoformat(text)
        if match := _UK.fullmatch(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError:
        raise ValueError("not a real date") from None
    raise ValueError("not a date: use YYYY-MM-DD or day-first D/M/YYYY")


def parse_bool(text: str) -> bool:
    """`true/false`, `yes/no`, `y/n`, `1/0`, any case."""
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("not a boolean: use true/false, yes/no, y/n or 1/0")


def parse_money(text: str) -> Decimal:
    """Pounds as an exact decimal: `1250.50`, `£1,250.50`; never negative."""
    body = text[1:].strip() if text.startswith("£") else text
    if body.startswith("-") or text.startswith("-"):
        raise ValueError("negative amounts are not allowed")
    if not _MONEY.fullmatch(body):
        raise ValueError("not an amount in pounds, e.g. 1250.50 or £1,250.50")
    try:
        return Decimal(body.replace(",", ""))
    except InvalidOperation:
        raise ValueError("not an amount in pounds") from None


def parse_value(col: Col, text: str):
    """The typed value of one trimmed, non-blank cell."""
    if col.type == "date":
        return parse_date(text)
    if col.type == "bool":
        return parse_bool(text)
    if col.type == "money":
        return parse_money(text)
    if col.type == "enum" and text not in col.values:
        raise ValueError("not one of " + ", ".join(col.values))
    return text
