"""The inbox: exports dropped by local areas, imported once complete, moved to processed/ or failed/.

An export is a subfolder (CSV files of the records standard) or an `.xlsx` workbook in the
inbox. It is taken once it is complete: when a `READY` file is in the folder (for a
workbook: `NAME.xlsx.READY` beside it), or when nothing in it — names, sizes,
modification times — has changed for `settle_seconds` (its newest modification time
is that old). Exports are imported in name order, each all-or-nothing. A good export
moves to ``processed/<stamp>-<name>``; a bad one to ``failed/<stamp>-<name>`` with
``.errors.txt`` (for people) and ``.problems.csv`` (for a spreadsheet) beside it, and its
failure is recorded in the runs table: step ``import``, outcome ``failed``, counts
``{"problems": N, "area": CODE or None, "report": PATH of the .problems.csv}`` (the area
when the export's areas, decisions and appeals name exactly one), for the alerts step to
send. Names starting with ``.``, ``_`` or ``~$`` and ``processed``/``failed`` themselves
are skipped. If the store itself fails (not the export), the export stays in the inbox
and is retried on the next cycle.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from monitor.importing.problems import write_report
from monitor.importing.run import import_folder
from monitor.models import RunRecord
from monitor.store import store_failure

log = logging.getLogger("send_monitor.inbox")

SKIP_NAMES = {"processed", "failed"}
READY = "READY"
DEFAULT_SETTLE_SECONDS = 60.0


@dataclass
class InboxResult:
    imported: list[tuple[str, int | None, dict]] = field(default_factory=list)  # name, batch id, counts
    failed: list[tuple[str, list[str]]] = field(default_factory=list)  # name, problems
    retry: list[tuple[str, str]] = field(default_factory=list)  # name, error (left in the inbox)
    waiting: list[str] = field(default_factory=list)  # still arriving (left in the inbox)
    ignored: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.failed or self.retry:
            return "partial" if self.imported else "failed"
        return "ok"

    def counts(self) -> dict:
        records = {"new": 0, "updated": 0, "unchanged": 0}
        for _, _, c in self.imported:
            for per_file in c.values():
                for k in records:
                    records[k] += per_file.get(k, 0)
        return {
            "exports": len(self.imported) + len(self.failed) + len(self.retry),
            "imported": len(self.imported),
            "failed": len(self.failed),
            "retry": len(self.retry),
            "waiting": len(self.waiting),
            "ignored": len(self.ignored),
            "records": records,
        }

    def detail(self) -> str:
        lines = [f"imported {name} (batch {batch})" for name, batch, _ in self.imported]
        lines += [f"failed {name}: {len(problems)} problem(s), see failed/" for name, problems in self.failed]
        lines += [f"left in the inbox {name}: {error}" for name, error in self.retry]
        lines += [
            f"waiting for {name} (still arriving: no {READY} file and changed in the last minutes)"
            for name in self.waiting
        ]
        lines += [f"ignored {name} (not an export folder or workbook)" for name in self.ignored]
        return "\n".join(lines) or "the inbox is empty"


def _is_export(entry: Path) -> bool:
    return entry.is_dir() or (entry.suffix.lower() == ".xlsx" and entry.is_file())


def scan_inbox(inbox: Path) -> tuple[list[Path], list[str]]:
    """The exports waiting in the inbox (name order) and the names it ignores."""
    if not inbox.is_dir():
        return [], []
    exports, ignored = [], []
    names = {p.name for p in inbox.iterdir()}
    for entry in sorted(inbox.iterdir(), key=lambda p: p.name):
        if entry.name.startswith((".", "_", "~$")) or entry.name in SKIP_NAMES:
            continue
        if _is_export(entry):
            exports.append(entry)
        elif not (entry.name.endswith("." + READY) and entry.name[: -len(READY) - 1] in names):
            ignored.append(entry.name)
    return exports, ignored


def _marker(export: Path) -> Path:
    return export / READY if export.is_dir() else export.with_name(f"{export.name}.{READY}")


def newest_change(export: Path) -> float:
    """The newest modification time of the export and everything in it (a folder's own time
    changes when a file is added, removed or renamed in it)."""
    newest = os.lstat(export).st_mtime
    if export.is_dir():
        for root, dirs, files in os.walk(export):
            for name in [*dirs, *files]:
                try:
                    newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
                except FileNotFoundError:
                    return time.time()  # changing under our feet
    return newest


def is_complete(export: Path, settle_seconds: float, now: float | None = None) -> bool:
    """A `READY` marker, or nothing changed for `settle_seconds`."""
    if _marker(export).exists():
        return True
    now = time.time() if now is None else now
    return now - newest_change(export) >= settle_seconds


def _destination(folder: Path, stamp: str, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target, n = folder / f"{stamp}-{name}", 1
    while target.exists() or target.with_name(target.name + ".errors.txt").exists():
        n += 1
        target = folder / f"{stamp}-{name}-{n}"
    return target


def _move(export: Path, target: Path) -> None:
    marker = _marker(export)
    shutil.move(str(export), str(target))
    if not export.is_dir() and marker.exists():
        shutil.move(str(marker), str(target.with_name(f"{target.name}.{READY}")))


def import_inbox(
    engine: Engine,
    duty_ids,
    inbox: Path,
    now: datetime | None = None,
    *,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    as_of: date | None = None,
    trigger: str = "schedule",
) -> InboxResult:
    """Import every complete export in the inbox, moving each to processed/ or failed/."""
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    result = InboxResult()
    exports, result.ignored = scan_inbox(inbox)
    for export in exports:
        if not is_complete(export, settle_seconds):
            result.waiting.append(export.name)
            log.info("export %s is still arriving: left for the next cycle", export.name)
            continue
        started = datetime.now(UTC)
        try:
            outcome = import_folder(engine, export, duty_ids)
        except Exception as exc:  # the store, not the export: keep it for the next cycle
            why = store_failure(exc, engine.url) or f"internal error ({type(exc).__name__})"
            log.error("import of %s failed: %s", export.name, why)  # never the driver's text: it can hold values
            log.debug("import of %s failed", export.name, exc_info=True)
            result.retry.append((export.name, why))
            continue
        if outcome.ok:
            _move(export, _destination(inbox / "processed", stamp, export.name))
            result.imported.append((export.name, outcome.batch_id, outcome.counts))
            log.info("imported %s as batch %s", export.name, outcome.batch_id)
            continue
        problems = [str(p) for p in outcome.problems]
        target = _destination(inbox / "failed", stamp, export.name)
        _move(export, target)
        text = target.with_name(target.name + ".errors.txt")
        text.write_text(
            f"send-monitor could not import {export.name} ({now:%Y-%m-%d %H:%M:%S %Z}).\n"
            f"{len(problems)} problem(s); nothing from this export was imported.\n"
            f"Fix the files and put the export back in the inbox.\n\n" + "\n".join(problems) + "\n",
            encoding="utf-8",
        )
        report = target.with_name(target.name + ".problems.csv")
        write_report(report, outcome.problems)
        _record_failure(engine, export.name, len(problems), outcome.area, report, started, as_of, trigger)
        result.failed.append((export.name, problems))
        log.warning("export %s has %d problem(s): moved to %s", export.name, len(problems), target)
    return result


def _record_failure(
    engine: Engine,
    name: str,
    problems: int,
    area: str | None,
    report: Path,
    started: datetime,
    as_of: date | None,
    trigger: str,
) -> None:
    """One `runs` row per failed export: the alerts step sends its report to the area."""
    with engine.begin() as conn:
        conn.execute(
            insert(RunRecord.__table__).values(
                step="import",
                trigger=trigger,
                as_of=as_of,
                started_at=started,
                finished_at=datetime.now(UTC),
                outcome="failed",
                counts={"problems": problems, "area": area, "report": str(report.resolve())},
                detail=f"export {name}: {problems} problem(s); moved to failed/",
                host=socket.gethostname(),
                pid=os.getpid(),
            )
        )
