"""The command line: `send-monitor [--db URL] [--config FILE] COMMAND`.

The root here holds the global options and turns any failure into one line; each command
group is a module (`records`, `checks`, `site`, `alerts`, `operations`) with its own
`commands`, added below. A new group is a module with a `commands = typer.Typer()` and one
line in `GROUPS`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from typer.core import TyperGroup

from monitor import __version__, logs
from monitor.cli import access, alerts, checks, operations, records, site, wording
from monitor.cli.options import close_store, err, fail

GLOBAL_OPTIONS = ("--db", "--config", "--log-level", "--debug", "--version")
GROUPS = (records, checks, site, alerts, operations, wording, access)


class _Commands(TyperGroup):
    """Every command: a failure of the store, the disk or a lock ends in one line on stderr and
    exit 1, never a traceback or a driver's message (they can carry record values); `--debug`
    shows the traceback instead. A global option given after the command is told to move."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            command = ctx.invoked_subcommand or "send-monitor"
            option = getattr(exc, "option_name", None)  # click's NoSuchOption (typer's own copy of click)
            if option in GLOBAL_OPTIONS:
                fail(
                    f"{command}: {option} is an option of send-monitor itself: put it before the command "
                    f"(send-monitor {option} … {command} …)",
                    code=2,
                )
            if ctx.params.get("debug") or type(exc).__module__.split(".")[0] in ("typer", "click"):
                raise
            from monitor.db import StoreError
            from monitor.locks import LockError
            from monitor.store import store_failure

            url = getattr(ctx.obj, "database_url", "")
            if isinstance(exc, (LockError, StoreError)):
                message = str(exc)
            else:
                message = store_failure(exc, url) or (
                    f"internal error ({type(exc).__name__}): run "
                    f"`send-monitor --debug {command} …` to see the traceback"
                )
            fail(f"{command}: {message}")
        finally:
            close_store()


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    cls=_Commands,
    pretty_exceptions_show_locals=False,
    help="Compliance monitor for the SEND Tribunal's extended appeals (SI 2017/1306).",
)


class LogLevel(str, Enum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"send-monitor {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(
        None, "--db", help="SQLAlchemy URL of the store (default sqlite:///send-monitor.db)."
    ),
    config: Optional[Path] = typer.Option(None, "--config", help="TOML configuration file (or SEND_MONITOR_CONFIG)."),
    log_level: LogLevel = typer.Option(
        LogLevel.INFO,
        "--log-level",
        envvar="SEND_MONITOR_LOG_LEVEL",
        case_sensitive=False,
        help="Log this level and above to stderr.",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an error instead of one line."),
) -> None:
    from monitor.config import ConfigError, load_config

    logs.configure("DEBUG" if debug else log_level.value)
    try:
        ctx.obj = load_config(config, db)
    except ConfigError as exc:
        for problem in exc.problems[:-1]:
            err.print(f"[bold red]error:[/] {escape(problem)}", highlight=False)
        fail(exc.problems[-1])


for _group in GROUPS:
    app.add_typer(_group.commands)

__all__ = ["app"]
