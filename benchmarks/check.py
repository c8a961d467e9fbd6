"""Check benchmark: the full national check against a plain single-pass evaluator.

    python -m benchmarks.check [--areas 150] [--years 4] [--scale 1.0] [--appeals 1.0,2.6]
                               [--backend sqlite|postgresql]

For each appeal volume (1.0: the generator's own, about 9,700 appeals a year nationally;
2.6: today's, about 25,000), generates (once, into build/) the national records folder,
imports it into an empty store, then runs, each as its own process on the same folder in
the same run: the full check (`send-monitor check --full`) and benchmarks/evaluator.py,
the plain evaluator written for speed (its findings are held equal to the check's by
tests/test_benchmarks_evaluator.py). Prints both wall times, their ratio (target: the
check within 2× the evaluator) and the check's peak memory (target: 300 MB).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.pgserver import create_database, temporary_server
from sample_data.generate import generate

REPO = Path(__file__).resolve().parent.parent
SEND_MONITOR = str(Path(sys.executable).with_name("send-monitor"))
AS_OF = "2021-06-30"
TARGET_RATIO, TARGET_MB = 2.0, 300


def timed(*command: str) -> tuple[float, float, float]:
    """Run a command (output discarded); its wall time (s), CPU time (s, user + system: steadier
    than wall time on a busy machine) and peak resident memory (MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(db: str, national: Path) -> dict[str, tuple[float, float, float]]:
    timed(SEND_MONITOR, "--db", db, "import", str(national))
    return {
        "full check": timed(SEND_MONITOR, "--db", db, "check", "--full", "--as-of", AS_OF),
        "plain evaluator": timed(sys.executable, "-m", "benchmarks.evaluator", str(national), AS_OF, "--count"),
    }


def one_volume(args, appeals: float) -> bool:
    """Measure the check at one appeal volume; print its table and whether it is within target."""
    national = REPO / "build" / f"national-{args.areas}x{args.years}-{args.scale}-{args.seed}-appeals{appeals:g}"
    if not (national / "decisions.csv").exists():
        generate(national, seed=args.seed, areas=args.areas, years=args.years, scale=args.scale, appeals=appeals)
    with open(national / "appeals.csv", "rb") as fh:
        n_appeals = sum(1 for _ in fh) - 1
    work = Path(tempfile.mkdtemp(prefix="send-monitor-check-bench-"))
    try:
        if args.backend == "sqlite":
            results = measure(f"sqlite:///{work / 'store.db'}", national)
        else:
            with temporary_server() as server:
                results = measure(create_database(server, "bench"), national)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (check, check_cpu, check_mb), (plain, plain_cpu, _) = results["full check"], results["plain evaluator"]
    ratio, cpu_ratio = check / plain, check_cpu / plain_cpu
    table = Table(
        "step",
        "wall time",
        "CPU time",
        "peak memory",
        title=f"full check vs plain evaluator ({args.backend}, {n_appeals:,} appeals, volume ×{appeals:g})",
    )
    for name, (wall, cpu, peak) in results.items():
        table.add_row(name, f"{wall:.1f} s", f"{cpu:.1f} s", f"{peak:,.0f} MB")
    Console().print(table)
    ok = ratio <= TARGET_RATIO and check_mb <= TARGET_MB
    print(
        f"check / evaluator = {ratio:.2f}× wall time, {cpu_ratio:.2f}× CPU time (target ≤ {TARGET_RATIO:g}×); "
        f"check peak {check_mb:,.0f} MB (target ≤ {TARGET_MB} MB): {'within target' if ok else 'NOT within target'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--appeals", default="1.0,2.6", help="appeal volumes, comma-separated (2.6: today's)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = [one_volume(args, float(v)) for v in args.appeals.split(",")]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
