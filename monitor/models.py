"""The store's tables, as SQLModel classes: the types are the schema.

Record tables mirror the CSV files of the records standard (same column names).
Each record remembers the import batch that created it and the one that last
changed it, so a check can tell what changed since the previous check.

Every timestamp column (`datetime`) is SQLModel's `UTCDateTime`, the one UTC type: an
aware value is stored as UTC and read back aware in UTC on SQLite and PostgreSQL alike;
a naive value is refused rather than guessed at.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Optional

from sqlalchemy import JSON, Column, Index, Numeric, Table
from sqlmodel import Field, SQLModel


class TableModel(SQLModel):
    """Base of every table: declares the `__table__` SQLAlchemy gives each table class."""

    __table__: ClassVar[Table]


class _Record(TableModel):
    created_batch: Optional[int] = None
    updated_batch: Optional[int] = Field(default=None, index=True)  # what changed since a check


class Area(_Record, table=True):
    __tablename__ = "areas"
    area_code: str = Field(primary_key=True)
    name: str
    region: Optional[str] = None
    send_team_email: Optional[str] = None
    rights_published_on: Optional[date] = None
    successor_code: Optional[str] = None
    successor_from: Optional[date] = None


class Commissioner(_Record, table=True):
    __tablename__ = "commissioners"
    commissioner_code: str = Field(primary_key=True)
    name: str
    kind: str
    contact_email: Optional[str] = None
    successor_code: Optional[str] = None
    successor_from: Optional[date] = None


class Decision(_Record, table=True):
    __tablename__ = "decisions"
    decision_id: str = Field(primary_key=True)
    area_code: str = Field(index=True)
    case_ref: str
    decision_type: str
    decision_date: date = Field(index=True)  # a next check reads the letters dated since the last one
    rights_notice: Optional[bool] = None
    letter_template: Optional[str] = None  # a template_id of the decision's own area


class LetterTemplate(_Record, table=True):
    """A decision-letter template; `sha256` names its document (set by the import, never by the export)."""

    __tablename__ = "letter_templates"
    area_code: str = Field(primary_key=True)
    template_id: str = Field(primary_key=True)
    file: str
    in_use_from: date
    in_use_to: Optional[date] = None
    decision_types: Optional[str] = None  # space-separated; blank: every type
    sha256: Optional[str] = None


class LocalOfferPage(_Record, table=True):
    """A saved page of an area's Local Offer; `sha256` names its document (set by the import)."""

    __tablename__ = "local_offer_pages"
    page_id: str = Field(primary_key=True)
    area_code: str = Field(index=True)
    file: str
    captured_on: date
    url: Optional[str] = None
    sha256: Optional[str] = None


class Document(TableModel, table=True):
    """A document read once, by its SHA-256: the text read (for matching, never published whole),
    why it has none (`gap`) or was read only in part (`cut_off`)."""

    __tablename__ = "documents"
    sha256: str = Field(primary_key=True)
    name: str  # the file name it was first read under
    size: int
    read_at: datetime
    gap: Optional[str] = None
    cut_off: Optional[str] = None
    segments: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # [[where, text], ...]


class Appeal(_Record, table=True):
    __tablename__ = "appeals"
    appeal_id: str = Field(primary_key=True)
    area_code: str = Field(index=True)
    case_ref: str
    decision_type: str
    decision_date: date
    registered_on: date
    health_issue: bool
    social_care_issue: bool
    la_response_due_on: Optional[date] = None
    la_response_sent_on: Optional[date] = None
    hearing_on: Optional[date] = None
    status: str
    closed_on: Optional[date] = None


class Evidence(_Record, table=True):
    __tablename__ = "evidence"
    appeal_id: str = Field(primary_key=True)
    commissioner_code: str = Field(primary_key=True)
    la_contacted_on: Optional[date] = None
    evidence_due_on: Optional[date] = None
    evidence_provided_on: Optional[date] = None
    attendance_required: Optional[bool] = None
    attended: Optional[bool] = None


class Recommendation(_Record, table=True):
    __tablename__ = "recommendations"
    recommendation_id: str = Field(primary_key=True)
    appeal_id: str = Field(index=True)
    commissioner_code: str
    kind: str
    made_on: date
    plan_section: Optional[str] = None


class Response(_Record, table=True):
    __tablename__ = "responses"
    recommendation_id: str = Field(primary_key=True)
    sent_to_family_on: Optional[date] = None
    sent_to_la_on: Optional[date] = None
    outcome: Optional[str] = None
    steps_given: Optional[bool] = None
    reasons_given: Optional[bool] = None
    exception: Optional[str] = None
    sent_to_evaluators_on: Optional[date] = None


class FundingClaim(_Record, table=True):
    __tablename__ = "funding_claims"
    claim_id: str = Field(primary_key=True)
    appeal_id: str = Field(index=True)
    claimant_code: str
    category: str
    amount_gbp: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    claimed_on: date


class RecordedException(_Record, table=True):
    __tablename__ = "recorded_exceptions"
    exception_id: str = Field(primary_key=True)
    duty: str
    subject_id: str
    granted_by: str
    justification: str
    granted_on: date
    expires_on: date


class ImportBatch(TableModel, table=True):
    """One run of `import`: where from, when, and what it did to each file."""

    __tablename__ = "import_batches"
    id: Optional[int] = Field(default=None, primary_key=True)
    source: str
    started_at: datetime
    finished_at: Optional[datetime] = None
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON))


class AuditEntry(TableModel, table=True):
    """A change an import made to an existing record: one row per changed column."""

    __tablename__ = "audit_log"
    id: Optional[int] = Field(default=None, primary_key=True)
    batch_id: int = Field(index=True)
    record_type: str
    record_key: str = Field(index=True)
    column: str
    old_value: Optional[str] = None
    new_value: Optional[str] = None


class CheckRun(TableModel, table=True):
    """One run of `check`: the as-of date, the rule versions and what it found."""

    __tablename__ = "check_runs"
    id: Optional[int] = Field(default=None, primary_key=True)
    as_of: date
    started_at: datetime
    finished_at: Optional[datetime] = None
    mode: str = "full"
    last_batch: int = 0
    rule_versions: dict = Field(default_factory=dict, sa_column=Column(JSON))
    evaluated: int = 0
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON))


class Finding(TableModel, table=True):
    """The current finding of one (duty, subject), as of the latest check."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_area_status", "area", "status"),
        Index("ix_findings_duty_key", "duty", "record_key"),
        # the findings not done yet, which move with the date alone, are read by every next check
        # (`plan`) from this index alone (a partial index would need an option per dialect, and
        # declaring PostgreSQL's loads its dialect: 30 ms of every command on SQLite)
        Index("ix_findings_status", "status", "duty", "record_key"),
    )
    duty: str = Field(primary_key=True)
    subject: str = Field(primary_key=True)
    record_key: str  # the id of the record the subject hangs on (see obligations.Obligation.key)
    area: str  # ix_findings_area_status serves look-ups by area
    owner: str = Field(index=True)
    case_ref: Optional[str] = None
    status: str
    due_on: Optional[date] = None
    done_on: Optional[date] = None
    days_late: int = 0
    reason: Optional[str] = None
    rule_version: str
    rule_row: int  # the decision-table row that decided it
    as_of: date  # as-of date of the check that last changed it (all hold as of the latest check)
    status_since: date  # as-of date of the check that gave it its current status
    check_id: int  # the check that last changed it


class FindingChange(TableModel, table=True):
    """The history: each time a finding appears or its status changes."""

    __tablename__ = "finding_history"
    __table_args__ = (Index("ix_history_finding", "duty", "subject"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    check_id: int
    as_of: date
    duty: str
    subject: str
    area: str
    owner: str
    old_status: Optional[str] = None
    new_status: str
    due_on: Optional[date] = None
    done_on: Optional[date] = None
    days_late: int = 0
    reason: Optional[str] = None
    rule_version: str


class Meta(TableModel, table=True):
    """Key/value facts about the store itself (schema version)."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


# --- Alerts and scheduled runs (issue 5) -------------------------------------------

from sqlalchemy import Text, UniqueConstraint  # noqa: E402


class AlertEvent(TableModel, table=True):
    """An alert event that has been queued: each (duty, subject, kind, event_on) exactly once.

    `kind` is due_soon, breach, reminder, escalation or resolution; `event_on` is the
    as-of date of the status change (for reminders: the reminder's date)."""

    __tablename__ = "alert_events"
    __table_args__ = (UniqueConstraint("duty", "subject", "kind", "event_on", name="uq_alert_event"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    duty: str
    subject: str
    kind: str
    event_on: date
    check_id: int
    as_of: date
    area: str
    owner: str
    case_ref: Optional[str] = None
    status: str
    due_on: Optional[date] = None
    days_late: int = 0
    recipients: list = Field(default_factory=list, sa_column=Column(JSON))
    unaddressed: list = Field(default_factory=list, sa_column=Column(JSON))
    run_id: Optional[int] = None
    created_at: datetime


class OutboxMessage(TableModel, table=True):
    """One digest e-mail: queued, then sent (or kept queued while the SMTP server is down)."""

    __tablename__ = "outbox"
    id: Optional[int] = Field(default=None, primary_key=True)
    created_at: datetime
    run_id: Optional[int] = None
    check_id: Optional[int] = None
    recipient: str = Field(index=True)
    recipient_code: str
    subject: str
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    message_id: str
    items: int = 0
    status: str = Field(default="queued", index=True)  # queued, sending, sent, retrying, failed
    attempts: int = 0
    last_error: Optional[str] = None
    sent_at: Optional[datetime] = None
    kind: str = "digest"  # digest, export_failed, quiet_area, quiet_summary
    bodies: list = Field(default_factory=list, sa_column=Column(JSON))  # [[role, code]] the address is for
    attachments: list = Field(default_factory=list, sa_column=Column(JSON))  # [{filename, content_type, content}]
    next_attempt_at: Optional[datetime] = None  # retrying: not before this time
    resend_of: Optional[int] = None  # the failed message this one re-sends to a corrected address
    requeued_as: Optional[int] = None  # failed: the message that re-sent it


class OutboxAttempt(TableModel, table=True):
    """One attempt to send an outbox message: when, and what the SMTP server said."""

    __tablename__ = "outbox_attempts"
    id: Optional[int] = Field(default=None, primary_key=True)
    outbox_id: int = Field(index=True)
    run_id: Optional[int] = None
    started_at: datetime
    finished_at: Optional[datetime] = None
    outcome: str = "sending"  # sending, sent, temporary, permanent, unconfirmed, interrupted
    smtp_code: Optional[int] = None
    error: Optional[str] = Field(default=None, sa_column=Column(Text))


class AlertNotice(TableModel, table=True):
    """A one-off alert that has been queued (export failure, quiet area, handover note), once per key."""

    __tablename__ = "alert_notices"
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str
    key: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    outbox_id: Optional[int] = None
    created_at: datetime


class RunRecord(TableModel, table=True):
    """One step of a run (import, check, publish, alerts): start, end, outcome, counts."""

    __tablename__ = "runs"
    id: Optional[int] = Field(default=None, primary_key=True)
    cycle: Optional[str] = Field(default=None, index=True)
    step: str
    trigger: str = "cli"
    as_of: Optional[date] = None
    started_at: datetime
    finished_at: Optional[datetime] = None
    outcome: str = "running"  # running, ok, partial, failed, skipped, interrupted
    counts: dict = Field(default_factory=dict, sa_column=Column(JSON))
    detail: Optional[str] = Field(default=None, sa_column=Column(Text))
    host: Optional[str] = None
    pid: Optional[int] = None


class AccessGrant(TableModel, table=True):
    """A role given to one person by `send-monitor access grant`, named by the sign-in
    provider's subject or by e-mail address; revoked grants are kept, marked."""

    __tablename__ = "access_grants"
    id: Optional[int] = Field(default=None, primary_key=True)
    person: str = Field(index=True)  # the subject as given, or the e-mail address in lower case
    by_email: bool
    role: str  # national, area:CODE, commissioner:CODE, inspector:CODE
    valid_until: Optional[date] = None  # the last day (UK time) the grant gives its role
    granted_at: datetime
    granted_by: str
    revoked_at: Optional[datetime] = None
    revoked_by: Optional[str] = None


class AccessLogEntry(TableModel, table=True):
    """One served page or download showing case-level data, or its refusal: appended, never
    changed (older rows are pruned after `[web] access_log_days`). On SQLite these rows live
    in the web database beside the store (monitor/web/webstore.py); this table stays empty."""

    __tablename__ = "access_log"
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    subject: str
    email: Optional[str] = None
    path: str = Field(sa_column=Column(Text, nullable=False))
    area: Optional[str] = None
    case_refs: list = Field(default_factory=list, sa_column=Column(JSON))
    outcome: int  # the HTTP status: 200, 403, 404


class WebSession(TableModel, table=True):
    """One signed-in session of the served dashboards; the cookie carries its id, this row a
    hash of it. On SQLite these rows live in the web database beside the store."""

    __tablename__ = "web_sessions"
    sid_hash: str = Field(primary_key=True)
    subject: str
    email: Optional[str] = None
    email_verified: bool = False
    token_roles: list = Field(default_factory=list, sa_column=Column(JSON))
    id_token: Optional[str] = Field(default=None, sa_column=Column(Text))  # for the provider's sign-out
    started_at: datetime = Field(index=True)
    ended_at: Optional[datetime] = None
