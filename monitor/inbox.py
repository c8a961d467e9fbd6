"""The inbox: exports dropped by local areas, imported once complete, moved to processed/ or failed/.

An export is a subfolder (CSV files of the records standard) or an `.xlsx` workbook in the
inbox. It is taken once it is complete: when a `READY` file is in the folder (for a
workbook: `NAME.xlsx.READY` beside it), or when nothing in it — names, sizes,
modification times — has changed for `settle_seconds` (its newest modification time
is that old); its files' sizes and modification times are read again before its import
commits, and an export that changed meanwhile is left to settle. Exports are imported in
name order, each all-or-nothing and each on its own: whatever goes wrong with one export
(unreadable, too big, refused, an error moving it) moves it to ``failed/<stamp>-<name>``
with ``.errors.txt`` (for people: problems grouped by cause, the first 1,000) and
``.problems.csv`` (every problem) beside it, records the failure in the runs table — step
``import``, outcome ``failed``, counts ``{"problems": N, "area": CODE or None, "report":
PATH}`` (the area the export is bound to, or the one it names; the report to attach: the
problems file, or its first 1,000 rows when it is over 1 MB) — for the alerts step to
send, and the cycle goes on. Only a failure of the store stops the step (the export stays
and is retried on the next cycle). Long names are shortened in ``processed/`` and ``failed/``.

Which area an export may change (`Binding`): with ``by_area`` each sub-folder of the inbox
is an area's drop folder named by its code (``inbox/850/``), its exports bound to that area
and moved within it; otherwise exports sit in the inbox itself and belong to ``area`` when
set, are national when ``national``, and else fail. Names starting with ``.``, ``_`` or
``~$`` and ``processed``/``failed`` themselves are skipped.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from monitor.documents.model import Limits
from monitor.importing.problems import Problem
from monitor.importing.run import import_folder
from monitor.inbox_reports import write_failure
from monitor.models import RunRecord
from monitor.store import store_failure

log = logging.getLogger("send_monitor.inbox")

SKIP_NAMES = {"processed", "failed"}
READY = "READY"
DEFAULT_SETTLE_SECONDS = 60.0
_NAME_BYTES = 180  # of an export's name in processed/ and failed/ (a file name has 255)
_NO_AREA = (
    "the inbox takes no national exports and names no area: set inbox_area (one area's install), "
    "inbox_by_area (a folder per area) or inbox_national in the configuration"
)


@dataclass
class InboxResult:
    imported: list[tuple[str, int | None, dict]] = field(default_factory=list)  # name, batch id, counts
    failed: list[tuple[str, int]] = field(default_factory=list)  # name, how many problems
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
        lines = [f"imported {_short(name)} (batch {batch})" for name, batch, _ in self.imported]
        lines += [f"failed {_short(name)}: {n} problem(s), see failed/" for name, n in self.failed]
        lines += [f"left in the inbox {name}: {error}" for name, error in self.retry]
        lines += [
            f"waiting for {name} (still arriving: no {READY} file and changed in the last minutes)"
            for name in self.waiting
        ]
        lines += [f"ignored {name} (not an export folder or workbook)" for name in self.ignored]
        return "\n".join(lines) or "the inbox is empty"


@dataclass(frozen=True)
class Binding:
    """Which area the inbox's exports may change (see the module's docstring)."""

    by_area: bool = False
    area: str | None = None
    national: bool = False


def _is_export(entry: Path) -> bool:
    return entry.is_dir() or (entry.suffix.lower() == ".xlsx" and entry.is_file())


def _skipped(entry: Path) -> bool:
    return entry.name.startswith((".", "_", "~$")) or entry.name in SKIP_NAMES


def scan_inbox(inbox: Path) -> tuple[list[Path], list[str]]:
    """The exports waiting in a drop folder (name order) and the names it ignores."""
    if not inbox.is_dir():
        return [], []
    exports, ignored = [], []
    names = {p.name for p in inbox.iterdir()}
    for entry in sorted(inbox.iterdir(), key=lambda p: p.name):
        if _skipped(entry):
            continue
        if _is_export(entry):
            exports.append(entry)
        elif not (entry.name.endswith("." + READY) and entry.name[: -len(READY) - 1] in names):
            ignored.append(entry.name)
    return exports, ignored


def drop_folders(inbox: Path, binding: Binding) -> Iterator[tuple[Path, str | None, str | None]]:
    """Each drop folder: its path, the area its exports are bound to, and why its exports
    must fail (None when they may be imported)."""
    if not binding.by_area:
        refused = None if binding.area or binding.national else _NO_AREA
        yield inbox, binding.area or None, refused
        return
    yield inbox, None, "an export belongs in its area's folder (inbox/CODE/): put it in its area's folder"
    if inbox.is_dir():
        for entry in sorted(inbox.iterdir(), key=lambda p: p.name):
            if entry.is_dir() and not _skipped(entry):
                yield entry, entry.name, None


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
    name = _short(name)
    target, n = folder / f"{stamp}-{name}", 1
    while target.exists() or target.with_name(target.name + ".errors.txt").exists():
        n += 1
        target = folder / f"{stamp}-{name}-{n}"
    return target


def _short(name: str) -> str:
    """A name that leaves room in a file name (255 bytes) for the stamp and the report suffixes;
    a long one is cut and keeps its suffix and a hash of the whole."""
    if len(name.encode()) <= _NAME_BYTES:
        return name
    suffix = Path(name).suffix if len(Path(name).suffix) <= 8 else ""
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    head = name.encode()[: _NAME_BYTES - len(suffix.encode()) - 12].decode(errors="ignore")
    return f"{head}-{digest}{suffix}"


def signature(export: Path) -> dict[str, tuple[int, int]]:
    """Each file's size and modification time: read again before the import commits."""
    paths = [export] if not export.is_dir() else [Path(r) / f for r, _, fs in os.walk(export) for f in fs]
    out = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        out[str(path)] = (st.st_size, st.st_mtime_ns)
    return out


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
    binding: Binding = Binding(national=True),
    document_limits: Limits | None = None,
) -> InboxResult:
    """Import every complete export in the inbox, moving each to processed/ or failed/ of its
    drop folder. Stops early only when the store fails."""
    now = now or datetime.now(UTC)
    cycle = _Cycle(engine, list(duty_ids), now, as_of, trigger, document_limits)
    for folder, area, refused in drop_folders(inbox, binding):
        exports, ignored = scan_inbox(folder)
        cycle.result.ignored += [str((folder / n).relative_to(inbox)) for n in ignored]
        for export in exports:
            if not cycle.take(export, folder, area, refused, settle_seconds):
                return cycle.result  # the store failed: the rest waits for the next cycle
    return cycle.result


class _Cycle:
    """One pass over the inbox: each export imported, failed or left, on its own."""

    def __init__(
        self,
        engine: Engine,
        duty_ids: list[str],
        now: datetime,
        as_of: date | None,
        trigger: str,
        limits: Limits | None = None,
    ):
        self.engine, self.duty_ids, self.now, self.as_of, self.trigger = engine, duty_ids, now, as_of, trigger
        self.limits = limits  # how much of each document is read
        self.stamp = now.strftime("%Y%m%dT%H%M%S")
        self.result = InboxResult()

    def take(self, export: Path, folder: Path, area: str | None, refused: str | None, settle: float) -> bool:
        """Handle one export; False when the store failed (stop the step)."""
        if not is_complete(export, settle):
            self.result.waiting.append(export.name)
            log.info("export %s is still arriving: left for the next cycle", export.name)
            return True
        started = datetime.now(UTC)
        if refused is not None:
            self.fail(export, folder, [Problem(export.name, None, None, None, refused)], area, started)
            return True
        settled = signature(export)
        try:
            outcome = import_folder(
                self.engine,
                export,
                self.duty_ids,
                area=area,
                unchanged=lambda: signature(export) == settled,
                document_limits=self.limits,
            )
        except Exception as exc:
            why = store_failure(exc, self.engine.url)
            if why is not None:  # the store, not the export: keep it for the next cycle
                log.error("import of %s failed: %s", export.name, why)
                self.result.retry.append((export.name, why))
                return False
            log.error("import of %s failed: internal error (%s)", export.name, type(exc).__name__)
            log.debug("import of %s failed", export.name, exc_info=True)  # never the text: it can hold values
            why = f"could not be read (internal error {type(exc).__name__}): send it again, or ask the administrator"
            self.fail(export, folder, [Problem(export.name, None, None, None, why)], area, started)
            return True
        if outcome.stale:
            self.result.waiting.append(export.name)
            log.info("export %s changed while it was imported: left to settle", export.name)
            return True
        if not outcome.ok:
            self.fail(export, folder, outcome.problems, area or outcome.area, started)
            return True
        try:
            _move(export, _destination(folder / "processed", self.stamp, export.name))
        except OSError as exc:
            why = f"was imported (batch {outcome.batch_id}) but could not be moved to processed/ ({exc.strerror})"
            self.fail(export, folder, [Problem(export.name, None, None, None, why)], area or outcome.area, started)
            return True
        self.result.imported.append((export.name, outcome.batch_id, outcome.counts))
        log.info("imported %s as batch %s", export.name, outcome.batch_id)
        return True

    def fail(self, export: Path, folder: Path, problems: list[Problem], area: str | None, started: datetime) -> None:
        """Move the export to failed/ with its reports and record the failure for the alerts step."""
        target = _destination(folder / "failed", self.stamp, export.name)
        try:
            _move(export, target)
        except OSError as exc:
            log.error("export %s could not be moved to failed/ (%s)", export.name, exc.strerror)
        report = write_failure(target, export.name, self.now, problems)
        _record_failure(self.engine, export.name, len(problems), area, report, started, self.as_of, self.trigger)
        self.result.failed.append((export.name, len(problems)))
        log.warning("export %s has %d problem(s): moved to %s", export.name, len(problems), target)


def _record_failure(
    engine: Engine,
    name: str,
    problems: int,
    area: str | None,
    report: Path | None,
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
                counts={"problems": problems, "area": area, "report": str(report.resolve()) if report else None},
                detail=f"export {_short(name)}: {problems} problem(s); moved to failed/",
                host=socket.gethostname(),
                pid=os.getpid(),
            )
        )
