"""`access grant|revoke|list|log`: who may see the served dashboards, and who looked at what."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from monitor.cli.options import day, fail, say, store, warn, write_utf8, writes

if TYPE_CHECKING:
    from monitor.config import Config

commands = typer.Typer(
    name="access", no_args_is_help=True, help="Who may see the served dashboards, and who looked at what."
)


class LogFormat(str, Enum):
    csv = "csv"
    json = "json"


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@commands.command("grant")
@writes("access grant")
def grant_(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person's e-mail address, or their sign-in subject (`sub`)."),
    role: str = typer.Argument(..., help="national, area:CODE, commissioner:CODE or inspector:CODE."),
    until: Optional[str] = typer.Option(
        None, "--until", help="The last day the role is given (YYYY-MM-DD); needed for inspector:CODE."
    ),
) -> None:
    """Give a person a role. An e-mail address counts only when the sign-in service has verified it."""
    from monitor.config import today
    from monitor.web.grants import GrantError, Person, grant

    cfg: Config = ctx.obj
    try:
        with store(cfg).begin() as conn:
            done = grant(
                conn,
                Person.parse(person),
                role,
                day(until),
                today=today(cfg),
                by=_operator(),
                now=datetime.now(UTC),
            )
    except GrantError as exc:
        fail(f"access grant: {exc}")
    say(done)


@commands.command("revoke")
@writes("access revoke")
def revoke_(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The e-mail address or sign-in subject the role was granted to."),
    role: str = typer.Argument(..., help="The role to take away."),
) -> None:
    """Take a role away (the grant stays in the store, marked revoked). Sessions open now lose it
    at their next page."""
    from monitor.web.grants import GrantError, Person, revoke

    cfg: Config = ctx.obj
    try:
        with store(cfg).begin() as conn:
            done = revoke(conn, Person.parse(person), role, by=_operator(), now=datetime.now(UTC))
    except GrantError as exc:
        fail(f"access revoke: {exc}")
    say(done)


@commands.command("list")
def list_(ctx: typer.Context) -> None:
    """The roles granted now, and those that have ended but were not revoked."""
    from monitor.config import today
    from monitor.web.grants import current_grants
    from monitor.web.viewer import role_label
    from monitor.web.words import long_date, long_time

    cfg: Config = ctx.obj
    with store(cfg).connect() as conn:
        grants = current_grants(conn)
    if not grants:
        say("No roles are granted in the store (roles may still come from the sign-in service).")
        return
    now = today(cfg)
    rows = [("Person", "Role", "Until", "Granted")]
    for g in grants:
        if g.valid_until is None:
            until = "no end date"
        elif g.valid_until < now:
            until = f"ended {long_date(g.valid_until)}"
        else:
            until = long_date(g.valid_until)
        rows.append((g.person, role_label(g.role), until, f"{long_time(g.granted_at)} by {g.granted_by}"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        say("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])


@commands.command("log")
def log_(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", help="From this day on (YYYY-MM-DD, UK time)."),
    fmt: LogFormat = typer.Option(LogFormat.csv, "--format", help="csv (for Excel too) or json."),
) -> None:
    """Export the access log: who looked at which case-level page or download, when, and whether it
    was served (200) or refused (403, 404). Rows past the retention period are pruned first."""
    from monitor.db import parse_url
    from monitor.web.access_log import AccessLog, export_csv, export_json
    from monitor.web.webstore import open_web_database, web_database_url

    cfg: Config = ctx.obj
    first = day(since)
    keep_days = cfg.web.access_log_days if cfg.web is not None else 400
    url = web_database_url(cfg.database_url)
    database = parse_url(url).database
    writer = export_csv if fmt is LogFormat.csv else export_json
    if url != cfg.database_url and database and not Path(database).exists():
        warn(f"there is no access log yet ({database} does not exist): no page has been served")
        write_utf8("".join(writer([])))
        return
    log = AccessLog(open_web_database(cfg.database_url), keep_days)
    if pruned := log.prune():
        warn(f"{pruned} rows older than {keep_days} days were pruned first")
    chunk: list[str] = []
    for piece in writer(log.entries(first)):
        chunk.append(piece)
        if len(chunk) >= 1000:
            write_utf8("".join(chunk))
            chunk.clear()
    write_utf8("".join(chunk))
