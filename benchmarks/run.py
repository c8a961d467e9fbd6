"""National-scale benchmark: wall time and peak memory of each step of the daily cycle.

    python -m benchmarks.run [--backend sqlite|postgresql|both] [--areas 150] [--years 4]
                             [--appeals 1.0,2.6]

For each appeal volume (1.0: the generator's own, about 9,700 appeals a year nationally;
2.6: today's, about 25,000), generates (once, into build/) a national records folder with
sample_data/generate.py, then runs each step as its own `send-monitor` process against an
empty store and prints its wall time and peak resident memory beside the target. The
import and its plain-Python floor run alternately, three times each, and their mean times
are compared: on a shared machine one run of either can take half as long again as the
next. The next day's steps follow a day's export (1,000 changed records).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from statistics import mean

from rich.console import Console
from rich.table import Table

from benchmarks.pgserver import create_database, temporary_server
from sample_data.generate import generate

REPO = Path(__file__).resolve().parent.parent
SEND_MONITOR = str(Path(sys.executable).with_name("send-monitor"))
TARGET_SECONDS = {"import": 60, "full check": 60, "next-day check": 1, "check after a day's export": 1,
                  "full publish": 60, "next-day publish": 10}
TARGET_MB = 300             # every step's peak memory
IMPORT_TARGET_RATIO = 1.5   # the import's time against the plain-Python floor (benchmarks/import_floor.py)
ROUNDS = 3  # the import and its floor run alternately this often: their mean times are compared
AS_OF, NEXT_DAY = "2021-06-30", "2021-07-01"


def run_step(db: str, *args: str) -> tuple[float, float]:
    """Run one `send-monitor` command; its wall time (s) and peak resident memory (MB)."""
    wall, peak, _said = run_saying(db, *args)
    return wall, peak


def run_saying(db: str, *args: str) -> tuple[float, float, str]:
    """Run one `send-monitor` command; its wall time (s), peak resident memory (MB) and stderr."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as said:  # read once it has ended: a pipe could fill and block it
        proc = subprocess.Popen([SEND_MONITOR, "--db", db, *args], stdout=subprocess.DEVNULL, stderr=said)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        said.seek(0)
        text = said.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"send-monitor {' '.join(args)} failed:\n{text}")
    return wall, usage.ru_maxrss / 1024, text


def run_floor(national: Path, store: str) -> tuple[float, float]:
    """The plain-Python floor of the import (csv, dates, the backend's plainest bulk write into a bare table)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.import_floor", str(national), store],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the import floor failed:\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def write_changes(national: Path, out: Path, n: int = 1000) -> Path:
    """A folder of `n` changed records: decision letters, appeals and responses, as a daily export would hold."""
    out.mkdir(parents=True, exist_ok=True)
    plan = {"decisions": (int(n * 0.7), "rights_notice", "false"),
            "appeals": (int(n * 0.2), "la_response_sent_on", NEXT_DAY),
            "responses": (n - int(n * 0.7) - int(n * 0.2), "sent_to_evaluators_on", NEXT_DAY)}
    for name, (count, column, value) in plan.items():
        with open(national / f"{name}.csv", newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows = list(itertools.islice(reader, count))
            fields = reader.fieldnames
        for row in rows:
            row[column] = value if row[column] != value else ""
        with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    return out


def bench(db: str, national: Path, work: Path, scratch: Callable[[str], str]) -> list[tuple[str, float, float]]:
    """Each step's (name, wall time, peak memory). The import runs ROUNDS times into empty stores
    (the first is the store the later steps use; `scratch(name)` gives a new empty one), alternating
    with its floor (into empty stores of the same backend), so that both meet the same moments of a
    shared machine."""
    steps = [
        ("import", ("import", str(national))),
        ("full check", ("check", "--full", "--as-of", AS_OF)),
        ("full publish", ("publish", str(work / "site"), "--as-of", AS_OF)),
        ("next-day check", ("check", "--as-of", NEXT_DAY)),
        ("import a day's export", ("import", str(write_changes(national, work / "changes")))),
        ("check after a day's export", ("check", "--as-of", NEXT_DAY)),
        ("next-day publish", ("publish", str(work / "site"), "--as-of", NEXT_DAY)),
    ]
    results = []
    for name, args in steps:
        wall, peak, said = run_saying(db, *args)
        print(f"  {name}: {wall:.1f} s, {peak:.0f} MB", file=sys.stderr)
        if name.endswith("publish"):  # how many pages it rewrote and reused
            print(f"    {said.strip().splitlines()[-1]}", file=sys.stderr)
        reused = re.search(r"reused ([\d,]+)", said)
        if name == "next-day publish" and not (reused and int(reused[1].replace(",", ""))):
            raise SystemExit(f"the next-day publish reused no page of the last version:\n{said}")
        if name != "import":
            results.append((name, wall, peak))
            continue
        imports, floors = [(wall, peak)], []
        for n in range(ROUNDS):
            floors.append(run_floor(national, scratch(f"floor{n}")))
            print(f"  import floor: {floors[-1][0]:.1f} s, {floors[-1][1]:.0f} MB", file=sys.stderr)
            if n < ROUNDS - 1:
                imports.append(run_step(scratch(f"again{n}"), *args))
                print(f"  import again: {imports[-1][0]:.1f} s, {imports[-1][1]:.0f} MB", file=sys.stderr)
        results.append((name, mean(w for w, _ in imports), max(p for _, p in imports)))
        results.append(("import floor (plain Python)", mean(w for w, _ in floors), max(p for _, p in floors)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--appeals", default="1.0,2.6", help="appeal volumes, comma-separated (2.6: today's)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    failures = sum(one_volume(args, float(v)) for v in args.appeals.split(","))
    sys.exit(1 if failures else 0)


def one_volume(args: argparse.Namespace, appeals: float) -> int:
    """Run every step at one appeal volume and print its table; the number of figures off target."""
    national = REPO / "build" / f"national-{args.areas}x{args.years}-{args.scale}-{args.seed}-appeals{appeals:g}"
    if not (national / "decisions.csv").exists():
        print(f"generating {national} ...", file=sys.stderr)
        generate(national, seed=args.seed, areas=args.areas, years=args.years, scale=args.scale, appeals=appeals)
    counts = {}
    for name in ("decisions", "appeals"):
        with open(national / f"{name}.csv", "rb") as fh:
            counts[name] = sum(1 for _ in fh) - 1

    table = Table("backend", "step", "wall time", "target", "peak memory", "within target",
                  title=f"send-monitor at national scale: {args.areas} areas, {counts['decisions']:,} decision "
                        f"letters, {counts['appeals']:,} appeals (volume ×{appeals:g})")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    failures = 0
    # each backend's work folder is removed only after the last: on ext4, a folder of 130,000
    # pages deleted just before a publish makes that publish's new files several times
    # slower to create (the file system passes over recently deleted inodes)
    works: list[Path] = []
    try:
        for backend in backends:
            works.append(work := Path(tempfile.mkdtemp(prefix=f"send-monitor-bench-{backend}-")))
            print(f"{backend}:", file=sys.stderr)
            if backend == "sqlite":
                results = bench(f"sqlite:///{work / 'store.db'}", national, work, lambda n, work=work: f"sqlite:///{work / n}.db")
            else:
                with temporary_server() as server:
                    results = bench(create_database(server, "bench"), national, work,
                                    lambda n: create_database(server, n))
            failures += _tabulate(table, backend, results)
    finally:
        for work in works:
            shutil.rmtree(work, ignore_errors=True)
    Console().print(table)
    return failures


def _tabulate(table: Table, backend: str, results: list[tuple[str, float, float]]) -> int:
    """Add a backend's rows to the table; return how many missed their target."""
    failures = 0
    walls = {name: wall for name, wall, _ in results}
    for name, wall, peak in results:
        target = TARGET_SECONDS.get(name)
        ok = (target is None or wall <= target) and (peak <= TARGET_MB or name.startswith("import floor"))
        failures += not ok
        table.add_row(backend, name, f"{wall:.1f} s", f"≤ {target} s" if target else "—",
                      f"{peak:,.0f} MB (≤ {TARGET_MB} MB)", "yes" if ok else "NO")
        if name == "import floor (plain Python)":
            ratio = walls["import"] / wall
            ok = ratio <= IMPORT_TARGET_RATIO
            failures += not ok
            table.add_row(backend, f"import ÷ floor (means of {ROUNDS} alternating runs)", f"{ratio:.2f}×", f"≤ {IMPORT_TARGET_RATIO:g}×", "—",
                          "yes" if ok else "NO")
    return failures


if __name__ == "__main__":
    main()
