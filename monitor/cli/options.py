"""What every command shares: the consoles, one-line failures, the command's store and rules,
the writer lock, progress bars, dates on the command line, export formats."""

from __future__ import annotations

import functools
import sys
from contextlib import contextmanager
from datetime import UTC, date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from monitor.config import Config

# A command imports what it uses inside its function: the store, the rules and the pages pull in
# SQLAlchemy, pydantic and Plotly, which `--version` or `--help` should not wait for.

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


class Format(str, Enum):
    json = "json"
    csv = "csv"
    table = "table"


def say(text: str = "") -> None:
    """Print a line to stdout as written (no markup, no highlighting)."""
    out.print(text, highlight=False, markup=False, soft_wrap=True)


def warn(text: str) -> None:
    """Print a warning line to stderr."""
    err.print(f"warning: {text}", highlight=False, markup=False)


def fail(message: str, code: int = 1) -> None:
    """End the command with one line on stderr."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def day(value: Optional[str]) -> Optional[date]:
    """A date given on the command line (None when not given)."""
    if value is None:
        return None
    from monitor.records import parse_date

    try:
        return parse_date(value.strip())
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r}: {exc}") from None


def when(value) -> str:
    """A stored timestamp in local time ('—' when missing)."""
    if value is None:
        return "—"
    if hasattr(value, "tzinfo") and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "astimezone") else str(value)


_opened: list = []  # (config, engine) of the running command, disposed when it ends


def store(cfg: Config):
    """The command's store (opened once per command)."""
    from monitor.db import StoreError
    from monitor.store import open_store

    for config, engine in _opened:
        if config is cfg:
            return engine
    try:
        engine = open_store(cfg.database_url)
    except StoreError as exc:
        fail(str(exc))
    _opened.append((cfg, engine))
    return engine


def existing_store(cfg: Config):
    """The command's store for a reader: never created here. A missing SQLite file, or a
    database without the store's tables, is one line naming it."""
    from monitor.db import StoreError, connect, parse_url, shown_url
    from monitor.store import schema_state

    try:
        url = parse_url(cfg.database_url)
    except Exception:
        url = None  # opening it says what is wrong
    database = url.database if url is not None and url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:" and not database.startswith("file:") and not Path(database).is_file():
        fail(f"no store at {database}: run `send-monitor import` first, or give --db before the command")
    try:
        engine = connect(cfg.database_url)
    except StoreError as exc:
        fail(str(exc))
    try:
        with engine.connect() as conn:
            empty = schema_state(conn).revision is None
    except Exception:
        empty = False  # let opening it say what is wrong, in one line
    finally:
        engine.dispose()
    if empty:
        fail(f"the store {shown_url(cfg.database_url)} has no tables yet: run `send-monitor import` first")
    return store(cfg)


def close_store() -> None:
    """Dispose of the command's store (the root group calls this when a command ends)."""
    while _opened:
        _opened.pop()[1].dispose()


def rules(cfg: Config):
    """The configuration's duties, or one line naming what is wrong with them."""
    from monitor.rules import RuleError, load_rules

    try:
        return load_rules(cfg.rules_dir, cfg.parameters, cfg.documents.wording)
    except RuleError as exc:
        fail(str(exc))


def waiting(message: str) -> None:
    """Say on stderr whom a writer waits for."""
    err.print(escape(message), highlight=False)


def writes(command: str):
    """Run the command under the store-wide writer lock, waiting (with a message on stderr) up to
    the configuration's lock_timeout_seconds for another writer to finish."""

    def decorate(fn):
        @functools.wraps(fn)
        def locked(*args, **kwargs):
            from monitor.runs import writer_lock

            cfg: Config = kwargs["ctx"].obj
            with writer_lock(store(cfg), command, timeout=cfg.lock_timeout_seconds, on_wait=waiting):
                return fn(*args, **kwargs)

        return locked

    return decorate


@contextmanager
def progress(min_total: int = 0):
    """A rich progress bar (on a terminal only); yields the core's `progress(name, done, total)`
    callback, which opens one task per name (totals below `min_total` are not shown)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def report(name: str, done: int, total: int | None) -> None:
            if total is not None and total < min_total:
                return
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        yield report


def write_utf8(text: str) -> None:
    """Exports are UTF-8 whatever the terminal's encoding."""
    sys.stdout.flush()
    target = getattr(sys.stdout, "buffer", None)
    if target is None:
        sys.stdout.write(text)
    else:
        target.write(text.encode("utf-8"))
        target.flush()
