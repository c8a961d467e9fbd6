"""The records standard (version 3) as data: files, columns, types, keys, references,
what each column means.

Also the parsing of one value. Each parser returns the typed value or raises
`ValueError` whose message says why the value is refused. Digits are ASCII only:
the patterns say `[0-9]`, because a digit class would accept other scripts' digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from monitor.addresses import check_address
from monitor.models import (
    Appeal,
    Area,
    Commissioner,
    Decision,
    Evidence,
    FundingClaim,
    LetterTemplate,
    LocalOfferPage,
    Recommendation,
    RecordedException,
    Response,
    TableModel,
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
BOOLEANS = ("true", "false", "yes", "no", "y", "n", "1", "0")
#: the largest amount accepted (pounds): far above any claim, far inside the store's Numeric(14, 2)
MAX_AMOUNT_GBP = 1_000_000
#: the longest value accepted in any cell (characters)
MAX_FIELD_CHARS = 32_768
#: the earliest plausible date; the latest is a year (366 days) after the day of the import
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DAYS = 366
#: the longest id or reference accepted (characters): ids are indexed, and an index entry has a size limit
MAX_ID_CHARS = 300


@dataclass(frozen=True)
class Col:
    """One column: its type (`text`, `date`, `bool`, `money`, `enum`, `email`), whether
    required, its allowed values (enums), the record types it refers to (references)
    and what it means (for people: the docs and the template's "Read me").

    `free_text` columns may hold tabs and line breaks (people's words); `id` marks an id
    that is neither a key nor a reference (ids are shorter and never hold a line break);
    `any_later_date` lets a date column hold a date far in the future (`9999-12-31`)."""

    name: str
    type: str = "text"
    required: bool = False
    values: tuple[str, ...] = ()
    refers_to: tuple[str, ...] = ()
    meaning: str = ""
    free_text: bool = False
    id: bool = False
    any_later_date: bool = False

    @property
    def cached(self) -> bool:
        """Its typed values are worth remembering (a plain text column is taken as it is)."""
        return self.type != "text"


@dataclass(frozen=True)
class RecordType:
    """One record file. `area_column` names the column whose area the export is taken to be
    from; `small` types (few rows) are read row by row with their stored rows held in
    memory, for the checks that look across rows (successors)."""

    name: str
    model: type[TableModel]
    key: tuple[str, ...]
    columns: tuple[Col, ...]
    title: str = ""
    area_column: str | None = None
    small: bool = False
    derived: tuple[str, ...] = ()  # stored columns the import sets itself, never in an export

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)

    def is_id(self, col: Col) -> bool:
        """An id column: a key, a reference or flagged so."""
        return col.id or col.name in self.key or bool(col.refers_to)


def _req(name: str, type_: str = "text", meaning: str = "", **kw) -> Col:
    return Col(name, type_, True, meaning=meaning, **kw)


def _opt(name: str, type_: str = "text", meaning: str = "", **kw) -> Col:
    return Col(name, type_, False, meaning=meaning, **kw)


# In import order: a record type only refers to the ones before it.
RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType(
        "areas",
        Area,
        ("area_code",),
        (
            _req("area_code", meaning="the DfE three-digit LA number or another stable code, e.g. 850"),
            _req("name", meaning="the local authority's name, e.g. Hampshire", free_text=True),
            _opt("region", meaning="e.g. South East", free_text=True),
            _opt("send_team_email", "email", "one e-mail address: where the LA's alerts go"),
            _opt(
                "rights_published_on",
                "date",
                "the day the Local Offer first explained the extended rights (duty local-offer)",
            ),
            _opt(
                "successor_code",
                refers_to=("areas",),
                meaning="the area that took over this area's duties (a merger); with successor_from",
            ),
            _opt("successor_from", "date", "the first day the successor is responsible; both or neither"),
        ),
        "local authorities",
        area_column="area_code",
        small=True,
    ),
    RecordType(
        "commissioners",
        Commissioner,
        ("commissioner_code",),
        (
            _req("commissioner_code", meaning="e.g. an ICB/CCG code QRL, or 850-SC for an LA's social care"),
            _req("name", meaning="the body's name", free_text=True),
            _req("kind", "enum", "health or social care", values=KINDS),
            _opt("contact_email", "email", "one e-mail address: where the commissioner's alerts go"),
            _opt(
                "successor_code",
                refers_to=("commissioners",),
                meaning="the body that took over its duties (e.g. an ICB merger); same kind; with successor_from",
            ),
            _opt(
                "successor_from",
                "date",
                "the first day the successor is responsible; both or neither; chains are followed, loops refused",
            ),
        ),
        "health and social care commissioning bodies",
        small=True,
    ),
    RecordType(
        "letter_templates",
        LetterTemplate,
        ("area_code", "template_id"),
        (
            _req(
                "template_id",
                meaning="the LA's own name for the template, e.g. EHCP-FINAL-v7; unique within its area",
            ),
            _req("area_code", refers_to=("areas",), meaning="the LA whose template it is"),
            _req("file", meaning="the document under letters/, e.g. letters/final-plan-v7.docx", id=True),
            _req("in_use_from", "date", "the first day letters were made from it"),
            _opt("in_use_to", "date", "the last day letters were made from it (blank: still in use)"),
            _opt(
                "decision_types",
                meaning="the decision types it is used for, separated by spaces (blank: every type)",
            ),
        ),
        "the templates decision letters are made from",
        area_column="area_code",
        derived=("sha256",),
    ),
    RecordType(
        "local_offer_pages",
        LocalOfferPage,
        ("page_id",),
        (
            _req("page_id", meaning="the page's id"),
            _req("area_code", refers_to=("areas",), meaning="the LA whose Local Offer it is"),
            _req("file", meaning="the saved page under local-offer/, e.g. local-offer/appeals.html", id=True),
            _req("captured_on", "date", "the day the page was saved from the live site"),
            _opt("url", meaning="where it was saved from (shown as evidence, never fetched)"),
        ),
        "saved pages of the area's Local Offer",
        area_column="area_code",
        derived=("sha256",),
    ),
    RecordType(
        "decisions",
        Decision,
        ("decision_id",),
        (
            _req("decision_id", meaning="the letter's id"),
            _req("area_code", refers_to=("areas",), meaning="the LA that sent it"),
            _req("case_ref", meaning="the LA's pseudonymous case reference"),
            _req("decision_type", "enum", "the kind of decision (duties.md)", values=DECISION_TYPES),
            _req("decision_date", "date", "the date of the decision"),
            _opt(
                "rights_notice",
                "bool",
                "the letter told the family of the right to ask for health and social care recommendations",
            ),
            _opt(
                "letter_template",
                meaning="the template_id (of the decision's own area) the letter was made from; blank: the "
                "area's template in use on decision_date for its decision_type, when exactly one is",
                id=True,
            ),
        ),
        "decision letters sent to families",
        area_column="area_code",
    ),
    RecordType(
        "appeals",
        Appeal,
        ("appeal_id",),
        (
            _req("appeal_id", meaning="e.g. the Tribunal's reference"),
            _req("area_code", refers_to=("areas",), meaning="the respondent LA"),
            _req("case_ref", meaning="the LA's pseudonymous case reference"),
            _req("decision_type", "enum", "the type of the decision appealed", values=DECISION_TYPES),
            _req("decision_date", "date", "the date of that decision"),
            _req("registered_on", "date", "the day the Tribunal registered the appeal"),
            _req("health_issue", "bool", "the appeal asks for health recommendations"),
            _req("social_care_issue", "bool", "the appeal asks for social care recommendations"),
            _opt("la_response_due_on", "date", "the Tribunal's deadline for the LA's response and evidence"),
            _opt("la_response_sent_on", "date", "the day the LA sent its response and evidence"),
            _opt("hearing_on", "date", "the hearing date"),
            _req("status", "enum", "where the appeal stands", values=APPEAL_STATUSES),
            _opt("closed_on", "date", "required when status is not open, refused when it is"),
        ),
        "appeals registered by the Tribunal",
        area_column="area_code",
    ),
    RecordType(
        "evidence",
        Evidence,
        ("appeal_id", "commissioner_code"),
        (
            _req("appeal_id", refers_to=("appeals",), meaning="the appeal"),
            _req(
                "commissioner_code",
                refers_to=("commissioners",),
                meaning="the commissioner; (appeal_id, commissioner_code) is the key",
            ),
            _opt("la_contacted_on", "date", "the LA contacted this commissioner about the issues raised"),
            _opt("evidence_due_on", "date", "the Tribunal's deadline for this commissioner's evidence"),
            _opt("evidence_provided_on", "date", "the day the commissioner provided its evidence"),
            _opt("attendance_required", "bool", "the Tribunal asked for a witness at the hearing"),
            _opt("attended", "bool", "a witness attended the hearing"),
        ),
        "a commissioner's part in an appeal",
    ),
    RecordType(
        "recommendations",
        Recommendation,
        ("recommendation_id",),
        (
            _req("recommendation_id", meaning="the recommendation's id"),
            _req("appeal_id", refers_to=("appeals",), meaning="the appeal it was made in"),
            _req(
                "commissioner_code",
                refers_to=("commissioners",),
                meaning="the body that must respond; its kind must equal the recommendation's kind",
            ),
            _req("kind", "enum", "health or social care", values=KINDS),
            _req("made_on", "date", "the date of the Tribunal's decision containing it"),
            _opt("plan_section", "enum", "the EHC plan section", values=PLAN_SECTIONS),
        ),
        "the Tribunal's health and social care recommendations",
    ),
    RecordType(
        "responses",
        Response,
        ("recommendation_id",),
        (
            _req(
                "recommendation_id",
                refers_to=("recommendations",),
                meaning="the key: one response per recommendation (re-import to correct it)",
            ),
            _opt("sent_to_family_on", "date", "the day the response was sent to the family"),
            _opt("sent_to_la_on", "date", "the day the response was sent to the LA (health responses only)"),
            _opt("outcome", "enum", "what the body decided", values=OUTCOMES),
            _opt("steps_given", "bool", "the response states the steps the body decided to take"),
            _opt("reasons_given", "bool", "the response gives reasons for not following it (wholly or partly)"),
            _opt("exception", "enum", "covid_2020 or blank", values=RESPONSE_EXCEPTIONS),
            _opt("sent_to_evaluators_on", "date", "the LA sent this response to the evaluators"),
        ),
        "the written response to a recommendation",
    ),
    RecordType(
        "funding_claims",
        FundingClaim,
        ("claim_id",),
        (
            _req("claim_id", meaning="the claim's id"),
            _req("appeal_id", refers_to=("appeals",), meaning="the appeal claimed for"),
            _req("claimant_code", refers_to=("areas", "commissioners"), meaning="an area_code or a commissioner_code"),
            _req("category", "enum", "what the money was for", values=CATEGORIES),
            _req("amount_gbp", "money", "pounds and pence"),
            _req("claimed_on", "date", "the day of the claim"),
        ),
        "trial funding claims",
    ),
    RecordType(
        "exceptions",
        RecordedException,
        ("exception_id",),
        (
            _req("exception_id", meaning="the exception's id"),
            _req("duty", meaning="a duty id (an unknown id is refused)", id=True),
            _req("subject_id", meaning="the finding's subject; not checked, it may not exist yet"),
            _req("granted_by", meaning="the role of the person who granted it", free_text=True),
            _req("justification", meaning="why it was granted", free_text=True),
            _req("granted_on", "date", "the day it was granted"),
            _req("expires_on", "date", "the day it ends (9999-12-31: never)", any_later_date=True),
        ),
        "recorded exceptions to findings",
    ),
)


BY_NAME = {rt.name: rt for rt in RECORD_TYPES}
BY_FILE = {rt.file: rt for rt in RECORD_TYPES}

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UK = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_MONEY = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?")
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
        amount = Decimal(body.replace(",", ""))
    except InvalidOperation:
        raise ValueError("not an amount in pounds") from None
    if amount > MAX_AMOUNT_GBP:
        raise ValueError(f"more than the largest amount accepted (£{MAX_AMOUNT_GBP:,})")
    return amount


def parse_email(text: str) -> str:
    """Exactly one plain address, e.g. `send-team@area850.example.org`."""
    try:
        return check_address(text)
    except ValueError as exc:
        raise ValueError(f"not one e-mail address ({exc}; write one address, e.g. send-team@example.org)") from None


def parse_value(col: Col, text: str):
    """The typed value of one trimmed, non-blank cell."""
    if col.type == "date":
        return parse_date(text)
    if col.type == "bool":
        return parse_bool(text)
    if col.type == "money":
        return parse_money(text)
    if col.type == "email":
        return parse_email(text)
    if col.type == "enum" and text not in col.values:
        raise ValueError("not one of " + ", ".join(col.values))
    return text


TYPE_WORDS = {"text": "text", "date": "date", "bool": "yes/no", "money": "pounds", "enum": "one of", "email": "e-mail"}


def reference_tables() -> str:
    """The file-by-file column tables of docs/records.md, from these definitions
    (`python -m monitor.records` prints them; a test keeps the docs equal to them)."""
    out = []
    for rt in RECORD_TYPES:
        out += [
            f"### `{rt.file}` — {rt.title}",
            "",
            f"Key: {', '.join(f'`{k}`' for k in rt.key)}.",
            "",
            "| column | type | required | meaning |",
            "|---|---|---|---|",
        ]
        for c in rt.columns:
            kind = TYPE_WORDS[c.type]
            if c.values:
                kind += " " + ", ".join(f"`{v}`" for v in c.values)
            if c.refers_to:
                kind += ", refers to " + " or ".join(f"`{BY_NAME[t].key[0]}`" for t in c.refers_to)
            out.append(f"| `{c.name}` | {kind} | {'yes' if c.required else 'no'} | {c.meaning} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(reference_tables())
