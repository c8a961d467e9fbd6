"""Checks and findings: `check` evaluates the duties, `findings` exports what it found,
`explain` shows why one finding has its status, `duties` lists (or validates) the rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from monitor.cli.options import Format, day, existing_store, fail, out, progress, rules, say, store, write_utf8, writes

if TYPE_CHECKING:
    from monitor.config import Config

commands = typer.Typer()


@commands.command()
@writes("check")
def check(
    ctx: typer.Context,
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date to check as of (default today)."),
    full: bool = typer.Option(False, "--full", help="Re-evaluate every subject, not only what can have changed."),
) -> None:
    """Evaluate every duty as of a date and store the findings."""
    from rich.table import Table

    from monitor.check import run_check
    from monitor.config import today
    from monitor.statuses import STATUSES

    cfg: Config = ctx.obj
    on = day(as_of) or today(cfg)
    engine, duties = store(cfg), rules(cfg)
    if not _has_records(engine):
        fail("check: no records imported yet: run `send-monitor import` first")
    with progress() as report:
        result = run_check(engine, duties, on, report, full=full)
    shown = [s for s in STATUSES if s != "not_applicable"]
    table = Table(
        title=f"findings as of {on.isoformat()} (check {result.check_id}, {result.mode}: "
        f"{result.evaluated} evaluated, {result.decided} distinct fact sets, {result.changed} changed)"
    )
    table.add_column("duty", no_wrap=True)
    for status in shown:
        table.add_column(status.replace("_", " "), justify="right")
    for duty in duties:
        counts = result.counts.get(duty, {})
        table.add_row(duty, *[str(counts.get(s, 0) or "·") for s in shown])
    out.print(table)
    if result.idle_exceptions:
        say(
            f"{len(result.idle_exceptions)} recorded exception(s) in force excused nothing (check their duty and subject):"
        )
        for exception_id, duty, subject in result.idle_exceptions:
            say(f"  {exception_id}: {duty} for {subject}")


def _has_records(engine) -> bool:
    """Whether any record (area, decision, appeal, …) has been imported."""
    from sqlalchemy import select

    from monitor.models import Appeal, Area, Commissioner, Decision, Evidence, FundingClaim, Recommendation, Response

    tables = (Area, Commissioner, Decision, Appeal, Evidence, Recommendation, Response, FundingClaim)
    with engine.connect() as conn:
        return any(conn.execute(select(t.__table__).limit(1)).first() for t in tables)


URGENCY = ("overdue", "due_soon", "breached", "late", "data_gap", "pending", "exception", "met")


def _urgency(row: dict, held: date) -> tuple:
    """Most urgent first: overdue by days overdue, then due soon by days left, then the rest."""
    rank = URGENCY.index(row["status"]) if row["status"] in URGENCY else len(URGENCY)
    due = date.fromisoformat(row["due_on"]) if row["due_on"] else date.max
    overdue = -(row["days_late"] or 0) if row["status"] == "overdue" else 0
    return (rank, overdue, due, row["case_ref"] or "", row["duty"], row["subject"])


def _days(row: dict, held: date) -> str:
    if row["status"] == "overdue":
        return f"{row['days_late']} overdue"
    if row["status"] in ("due_soon", "pending") and row["due_on"]:
        left = (date.fromisoformat(row["due_on"]) - held).days
        return "due today" if left == 0 else f"{left} left" if left > 0 else ""
    if row["status"] == "late":
        return f"{row['days_late']} late"
    return ""


def _known(engine, area: str | None, commissioner: str | None) -> None:
    """An unknown area or commissioner in a filter is an error naming it (never an empty all-clear)."""
    if area is None and commissioner is None:
        return
    from monitor.findings import areas_and_commissioners

    with engine.connect() as conn:
        areas, commissioners = areas_and_commissioners(conn)
    if area is not None and area not in {a["area_code"] for a in areas}:
        fail(f"findings: no area {area!r} in the store (--area takes an area code from areas.csv)")
    if commissioner is not None and commissioner not in {c["commissioner_code"] for c in commissioners}:
        fail(
            f"findings: no commissioner {commissioner!r} in the store (--commissioner takes a code from commissioners.csv)"
        )


@commands.command()
def findings(
    ctx: typer.Context,
    as_of: Optional[str] = typer.Option(
        None, "--as-of", help="The date of the stored findings (default: the latest check)."
    ),
    fmt: Format = typer.Option(Format.table, "--format"),
    area: Optional[str] = typer.Option(None, "--area", help="Only this area's findings (an area code)."),
    commissioner: Optional[str] = typer.Option(
        None, "--commissioner", help="Only the duties this commissioner owns (a commissioner code)."
    ),
    duty: Optional[str] = typer.Option(None, "--duty"),
    status: Optional[str] = typer.Option(None, "--status"),
) -> None:
    """Export the findings of the latest check (not_applicable left out); the table most urgent first."""
    from rich.table import Table
    from rich.text import Text

    from monitor.exports import csv_text, json_text
    from monitor.findings import FindingsError, export_findings
    from monitor.statuses import STATUSES

    cfg: Config = ctx.obj
    if status is not None and status not in STATUSES:
        fail(f"findings: no status {status!r} (--status takes one of {', '.join(STATUSES)})")
    if duty is not None and duty not in (known := rules(cfg)):
        fail(f"findings: no duty {duty!r} (--duty takes one of {', '.join(known)})")
    engine = existing_store(cfg)
    _known(engine, area, commissioner)
    try:
        held, rows = export_findings(engine, day(as_of), area=area, duty=duty, status=status, owner=commissioner)
    except FindingsError as exc:
        fail(str(exc))
    if fmt is Format.json:
        write_utf8(json_text(held, rows, indent=1))
    elif fmt is Format.csv:
        write_utf8(csv_text(rows))
    else:
        table = Table("case", "duty", "subject", "area", "owner", "status", "due", "days", "done")
        table.title = f"findings as of {held}, most urgent first"
        for r in sorted(rows, key=lambda r: _urgency(r, held)):  # Text: ids shown as written, never markup
            shown = (r["case_ref"] or "", r["duty"], r["subject"], r["area"], r["owner"], r["status"])
            table.add_row(*(Text(str(v)) for v in (*shown, r["due_on"] or "", _days(r, held), r["done_on"] or "")))
        out.print(table)


@commands.command("explain")
def explain_(
    ctx: typer.Context,
    duty: str = typer.Argument(..., help="Duty id, e.g. response-5-weeks."),
    subject: str = typer.Argument(..., help="Subject id, e.g. a recommendation_id."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Default: the date of the latest check."),
) -> None:
    """Why a finding has its status: records, deadline, matching rule row, rule version and source."""
    from monitor.explanations import explain
    from monitor.findings import FindingsError

    cfg: Config = ctx.obj
    try:
        e = explain(existing_store(cfg), rules(cfg), duty, subject, day(as_of))
    except FindingsError as exc:
        fail(str(exc))
    p = lambda text="": out.print(text, highlight=False, markup=False)  # noqa: E731
    p(f"{e.duty.id} · {e.subject} — {e.duty.title}")
    p(f"status as of {e.as_of.isoformat()}: {e.status}" + (f" ({e.reason})" if e.reason else ""))
    p(f"area {e.area} · owner {e.owner}" + (f" · case {e.case_ref}" if e.case_ref else ""))
    for hop in e.handovers:
        p(
            f"acts now: {hop.to_body.code} ({hop.to_body.name}) took over the duties of "
            f"{hop.from_body.code} ({hop.from_body.name}) on {hop.on.isoformat()}"
        )
    p(f"due {e.due_on or '—'} · done {e.done_on or '—'} · days late {e.days_late}")
    if e.deadline:
        p(f"deadline: {e.deadline}")
    if e.bank_holiday:
        p(f"note: the due date is a bank holiday ({e.bank_holiday}); the duty counts calendar days")
    p("records used:")
    for kind, rid, fields in e.records or [("—", "none", {})]:
        shown = ", ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        p(f"  {kind} {rid}: {shown}")
    p("facts: " + ", ".join(f"{k}={json.dumps(v)}" for k, v in e.facts.items()))
    p(f"matched row {e.row_number} of {len(e.duty.rows)}: when {e.row_text} → {e.status}")
    if e.exception:
        x = e.exception
        p(
            f"exception {x['exception_id']}: granted by {x['granted_by']} on {x['granted_on']}, "
            f"expires {x['expires_on']}: {x['justification']}"
        )
    p(f"rule {e.duty.path.name} version {e.duty.version}")
    p(f"source: {e.duty.source}")
    if e.history:
        p("history:")
        for h in e.history:
            p(f"  {h['as_of']}: {h['old_status'] or '(new)'} → {h['new_status']}")


@commands.command()
def duties(
    ctx: typer.Context,
    rules_dir: Optional[Path] = typer.Argument(None, help="A rules folder (default: the configuration's rules_dir)."),
    check: bool = typer.Option(False, "--check", help="Only validate the rules folder (e.g. one being edited)."),
) -> None:
    """List the duties: id, owner, deadline and the values they use, rule version. With --check: validate."""
    from rich.table import Table

    from monitor.rules import RuleError, describe_parameters, load_rules

    cfg: Config = ctx.obj
    folder = rules_dir or cfg.rules_dir
    try:
        loaded = load_rules(folder, cfg.parameters, cfg.documents.wording)
    except RuleError as exc:
        fail(str(exc))
    if check:
        say(f"{folder}: {len(loaded)} duties, every decision table valid")
        return
    table = Table("duty", "owner", "deadline", "values", "version")
    for rule in loaded.values():
        table.add_row(rule.id, rule.owner, rule.deadline, describe_parameters(rule), rule.version)
    out.print(table)
    wordings = {
        r.parameters["wording"].id: r.parameters["wording"] for r in loaded.values() if "wording" in r.parameters
    }
    if wordings:
        table = Table("wording file", "what it asks for", "statements", "version", title="required statements")
        for w in wordings.values():
            table.add_row(f"wording/{w.path.name}", w.title, ", ".join(s.id for s in w.statements), w.version)
        out.print(table)
