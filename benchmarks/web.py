"""The served dashboards under load: 20 signed-in users asking for pages at once.

    python -m benchmarks.web [--backend sqlite|postgresql|both] [--areas 150] [--users 20]

Builds (once per run) a national store: the generated records (benchmarks/run.py's folder),
imported and checked. Then, for each back end:

1. serves the app (`send-monitor serve`, uvicorn with its workers) and finds each user's
   pages by following links: every user has an area of their own and browses it, its page,
   a case, a finding's explanation, back to its page, the next case…; one user in four is
   national and opens the national page every tenth request;
2. restarts the app (empty caches) and runs the load with an import of the whole national
   folder running beside it, timing every request by page kind (p50, p95);
3. runs a next-day check and times the first request of the national page and of an area
   page after it;
4. reads each worker's peak resident memory (VmHWM);
5. serves the same pages as files with a plain file server (Python's http.server, the
   yardstick: the same bytes, no rendering) under the same load, and prints each p95 as a
   ratio of the yardstick's, so the comparison holds when the machine's speed drifts.

The load generator is an httpx asyncio client, one per user. Users are signed in by the
app's demo sign-in (`serve --demo national`), which costs what a session look-up costs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from statistics import quantiles

import httpx
from rich.console import Console
from rich.table import Table

from benchmarks.pgserver import create_database, free_port, temporary_server
from benchmarks.run import AS_OF, NEXT_DAY, REPO, SEND_MONITOR, run_step
from sample_data.generate import generate

TARGET_MS = {"national": 300, "area": 200, "case": 100, "explanation": 100}
FIRST_AFTER_CHECK_S = 2.0
WORKER_TARGET_MB = 300
ROUNDS_PER_USER = 40  # requests each user makes in the load
LINK = re.compile(r'href="([^"#?]+\.html)"')


def kind(path: str) -> str:
    """A page's kind from its site path."""
    if path in ("/", "/index.html"):
        return "national"
    if "/cases/" in path:
        return "case"
    if "/explain/" in path:
        return "explanation"
    if path.endswith("/report.html"):
        return "report"
    if path.endswith("/index.html"):
        return "area" if path.startswith("/areas/") else "commissioner"
    return "other"


def resolve(base: str, href: str) -> str:
    return str(httpx.URL(base).join(href).path)


@contextmanager
def serving(db: str, port: int, workers: int):
    """`send-monitor serve` on 127.0.0.1:`port`, every visitor signed in as national."""
    proc = subprocess.Popen(
        [SEND_MONITOR, "--db", db, "serve", "--demo", "national", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_ready(port, proc)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def file_server(folder: Path, port: int, probe: str):
    """The yardstick: the same pages as files, served by Python's threading file server."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(folder), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_ready(port, proc, probe)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


def wait_ready(port: int, proc: subprocess.Popen, probe: str = "/assets/site.css", timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"the server stopped at start:\n{err}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not answer within {timeout:.0f} s")


def worker_peaks(proc: subprocess.Popen) -> list[float]:
    """Peak resident memory (MB) of each process under the server's (uvicorn's workers)."""
    peaks = []
    for pid in _descendants(proc.pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            peaks.append(int(found.group(1)) / 1024)
    return peaks


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


def plan_users(port: int, users: int) -> list[list[str]]:
    """Each user's pages, found by following the links: an area each, its cases and explanations."""
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=600) as client:
        national = client.get("/index.html")
        national.raise_for_status()
        linked = {resolve(base + "/index.html", h) for h in LINK.findall(national.text)}
        areas = sorted(p for p in linked if kind(p) == "area")[:users]
        plans = []
        for n, area in enumerate(areas):
            page = client.get(area)
            page.raise_for_status()
            links = [resolve(base + area, h) for h in LINK.findall(page.text)]
            cases = [p for p in dict.fromkeys(links) if kind(p) == "case"]
            explanations = [p for p in dict.fromkeys(links) if kind(p) == "explanation"]
            plan = [area]
            for i in range(ROUNDS_PER_USER - 1):  # as people browse: a case, a finding, back to the board
                step = i % 3
                if n % 4 == 0 and i % 10 == 9:
                    plan.append("/index.html")  # a national user looks at the overview now and then
                elif step == 0 and cases:
                    plan.append(cases[i // 3 % len(cases)])
                elif step == 1 and explanations:
                    plan.append(explanations[i // 3 % len(explanations)])
                else:
                    plan.append(area)
            plans.append(plan)
    if len(plans) < users:
        plans += [plans[i % len(plans)] for i in range(users - len(plans))]
    return plans


async def _user(base: str, plan: list[str], times: dict[str, list[float]]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for path in plan:
            start = time.perf_counter()
            got = await client.get(path)
            elapsed = time.perf_counter() - start
            if got.status_code != 200:
                raise SystemExit(f"{path}: HTTP {got.status_code}")
            times[kind(path)].append(elapsed * 1000)


def load(port: int, plans: list[list[str]]) -> dict[str, list[float]]:
    """Every user's plan at once; each request's time (ms) by page kind."""
    times: dict[str, list[float]] = defaultdict(list)

    async def main():
        await asyncio.gather(*(_user(f"http://127.0.0.1:{port}", plan, times) for plan in plans))

    asyncio.run(main())
    return times


def p95(values: list[float]) -> float:
    return quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def save_pages(port: int, plans: list[list[str]], folder: Path) -> None:
    """The pages of every plan as files, for the yardstick."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
        for path in {p for plan in plans for p in plan}:
            target = folder / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(client.get(path).content)


def bench(db: str, national: Path, work: Path, users: int, workers: int) -> dict:
    for args in (("import", str(national)), ("check", "--as-of", AS_OF)):
        wall, _ = run_step(db, *args)
        print(f"  {args[0]}: {wall:.1f} s", file=sys.stderr)
    port = free_port()
    with serving(db, port, workers):
        plans = plan_users(port, users)
        save_pages(port, plans, work / "static")
    result: dict = {}
    with serving(db, port, workers) as server:  # empty caches
        importer = subprocess.Popen([SEND_MONITOR, "--db", db, "import", str(national)], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        start = time.perf_counter()
        result["times"] = load(port, plans)
        result["load_s"] = time.perf_counter() - start
        result["import_running_at_end"] = importer.poll() is None
        importer.wait()
        print(f"  load: {result['load_s']:.1f} s ({sum(map(len, plans))} requests)", file=sys.stderr)
        run_step(db, "check", "--as-of", NEXT_DAY)
        first = {}
        for path in ("/index.html", plans[0][0]):
            start = time.perf_counter()
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=600).raise_for_status()
            first[kind(path)] = time.perf_counter() - start
        result["first"] = first
        result["peaks"] = worker_peaks(server)
    static_port = free_port()
    with file_server(work / "static", static_port, plans[0][0]):
        result["static"] = load(static_port, plans)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    national = REPO / "build" / f"national-{args.areas}x{args.years}-{args.scale}-{args.seed}"
    if not (national / "decisions.csv").exists():
        print(f"generating {national} ...", file=sys.stderr)
        generate(national, seed=args.seed, areas=args.areas, years=args.years, scale=args.scale)

    table = Table("backend", "measure", "served", "target", "plain file server", "ratio", "within target",
                  title=f"served dashboards: {args.users} users at once, {args.workers} workers, {args.areas} areas, "
                        "an import running beside (httpx asyncio client)")
    failures = 0
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        work = Path(tempfile.mkdtemp(prefix=f"send-monitor-web-bench-{backend}-"))
        print(f"{backend}:", file=sys.stderr)
        try:
            if backend == "sqlite":
                r = bench(f"sqlite:///{work / 'store.db'}", national, work, args.users, args.workers)
            else:
                with temporary_server() as server:
                    r = bench(create_database(server, "webbench"), national, work, args.users, args.workers)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        for name, values in sorted(r["times"].items()):
            served, static = p95(values), p95(r["static"].get(name) or [float("nan")])
            target = TARGET_MS.get(name)
            ok = target is None or served <= target
            failures += not ok
            table.add_row(backend, f"{name} page p95 ({len(values)} requests)", f"{served:.0f} ms",
                          f"≤ {target} ms" if target else "—", f"{static:.1f} ms", f"{served / static:.0f}×",
                          "yes" if ok else "NO")
        for name, seconds in r["first"].items():
            ok = seconds <= FIRST_AFTER_CHECK_S
            failures += not ok
            table.add_row(backend, f"first {name} page after a new check", f"{seconds:.2f} s",
                          f"≤ {FIRST_AFTER_CHECK_S:g} s", "—", "—", "yes" if ok else "NO")
        peak = max(r["peaks"], default=0.0)
        ok = peak <= WORKER_TARGET_MB
        failures += not ok
        table.add_row(backend, f"peak memory of a worker ({len(r['peaks'])} processes)", f"{peak:.0f} MB",
                      f"≤ {WORKER_TARGET_MB} MB", "—", "—", "yes" if ok else "NO")
        if not r["import_running_at_end"]:
            table.add_row(backend, "the import beside it", "ended before the load did", "—", "—", "—", "—")
    Console(width=180).print(table)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
