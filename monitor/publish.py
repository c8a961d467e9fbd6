"""Publish the findings as a static site: national, area and commissioner dashboards,
explanation pages and inspector reports (Jinja2 templates in `dashboards/`, charts with
plotly.js written once into `assets/`).

A face: it reads the store only through `monitor.findings`. The public entry point is
`publish(engine, rules, out_dir, as_of=None, pdf=False, site_url="")`.

Layout of the site (all links relative, so it works from file:// and any web server):

    index.html                         national view (areas x duties)
    assets/                            plotly.min.js, site.css, site.js (no data)
    areas/<code>/index.html            area dashboard
    areas/<code>/report.html (.pdf)    inspector report
    areas/<code>/findings.csv, .json   the area's findings, in the CLI export shape
    areas/<code>/explain/<duty>/<subject>.html   one page per finding needing action
    commissioners/<code>/index.html    commissioner dashboard (across its areas)
    commissioners/<code>/findings.csv, .json

An area's folder holds only that area's findings and case references, so it can be
published to that area alone (with `assets/`).
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from plotly.io.json import to_json_plotly
from sqlalchemy.engine import Engine

from monitor.findings import (
    ACTION_STATUSES,
    EXPORT_FIELDS,
    RATE_STATUSES,
    action_histories,
    area_path,
    area_record_counts,
    areas_and_commissioners,
    commissioner_path,
    explain_stored,
    explanation_path,
    export_rows,
    funding_claimed,
    held_as_of,
    import_batches,
    latest_check,
    latest_import,
    latest_runs,
    query_findings,
    recommendation_answers,
)
from monitor.resources import dashboards_dir
from monitor.rules import Rule

DASHBOARDS = dashboards_dir()
MARKER = ".send-monitor-site"
CHROMIUM_ENV = "SEND_MONITOR_CHROMIUM"
NEXT_DAYS = 14
RESPONSE_DUTY = "response-5-weeks"
FUNDING_DUTY = "funding-cap"

STATUS_LABELS = {
    "met": "Met", "late": "Late", "overdue": "Overdue", "breached": "Breached",
    "due_soon": "Due soon", "pending": "Pending", "exception": "Exception",
    "data_gap": "Data gap", "not_applicable": "Not applicable",
}
STATUS_COLOURS = {
    "met": "green", "late": "orange", "overdue": "red", "breached": "red", "due_soon": "yellow",
    "pending": "grey", "exception": "purple", "data_gap": "blue", "not_applicable": "grey",
}
OUTCOMES = (("accepted", "Accepted"), ("partly_accepted", "Partly accepted"),
            ("declined", "Declined"), (None, "Outcome not recorded"))
KINDS = (("health", "Health"), ("social_care", "Social care"))


class PublishError(Exception):
    """The site cannot be published where asked."""


# --- numbers -----------------------------------------------------------------------

def rate(counts: Counter) -> float | None:
    """met / (met + late + overdue + breached), or None when nothing was judged."""
    n = sum(counts[s] for s in RATE_STATUSES)
    return counts["met"] / n if n else None


def fmt_rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@dataclass
class Tally:
    """Status counts per duty and per month (of the due date), for one area or commissioner."""

    duties: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    months: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, row: dict) -> None:
        self.duties[row["duty"]][row["status"]] += 1
        if row["status"] in RATE_STATUSES and row["due_on"] is not None:
            self.months[row["due_on"].strftime("%Y-%m")][row["status"]] += 1

    def total(self) -> Counter:
        out: Counter = Counter()
        for c in self.duties.values():
            out.update(c)
        return out


def duty_rows(tally: Tally, rules: dict[str, Rule], duties: list[str] | None = None) -> list[dict]:
    rows = []
    for duty in duties if duties is not None else list(rules):
        c = tally.duties.get(duty, Counter())
        rows.append({"duty": duty, "title": rules[duty].title, "rate": rate(c),
                     "n": sum(c[s] for s in RATE_STATUSES), **{s: c[s] for s in STATUS_LABELS}})
    return rows


def month_rows(tally: Tally) -> list[dict]:
    rows = []
    for month in sorted(tally.months):
        c = tally.months[month]
        rows.append({"month": month, "label": datetime.strptime(month, "%Y-%m").strftime("%b %Y"),
                     "rate": rate(c), "n": sum(c[s] for s in RATE_STATUSES),
                     **{s: c[s] for s in RATE_STATUSES}})
    return rows


def response_bins(answers: list[dict], weeks: int) -> dict:
    """Days taken to respond (the day made is day 1), in weekly bins, with the deadline week."""
    days = [(a["done_on"] - a["made_on"]).days + 1 for a in answers if a["done_on"] is not None]
    limit = 7 * weeks
    top = max([limit + 14, *days]) if days else limit + 14
    bins = []
    for start in range(1, top + 1, 7):
        end = start + 6
        bins.append({"label": f"{start}–{end}", "start": start, "end": end,
                     "n": sum(1 for d in days if start <= d <= end), "late": start > limit})
    waiting = [a for a in answers if a["done_on"] is None]
    return {"bins": bins, "answered": len(days), "within": sum(1 for d in days if d <= limit),
            "limit": limit, "weeks": weeks, "waiting": len(waiting),
            "waiting_overdue": sum(1 for a in waiting if a["status"] in ("overdue", "exception")),
            "median": f"{statistics.median(days):g}" if days else None}


def outcome_table(answers: list[dict]) -> dict:
    table = {k: Counter() for k, _ in KINDS}
    for a in answers:
        if a["answered"]:
            table.setdefault(a["kind"], Counter())[a["outcome"]] += 1
    rows = [{"outcome": label, "key": key, **{k: table[k][key] for k, _ in KINDS}} for key, label in OUTCOMES]
    totals = {k: sum(table[k].values()) for k, _ in KINDS}
    return {"rows": rows, "totals": totals, "declined": sum(table[k]["declined"] for k, _ in KINDS),
            "answered": sum(totals.values()), "unanswered": sum(1 for a in answers if not a["answered"])}


# --- charts ------------------------------------------------------------------------

def _label(text) -> str:
    """Plotly renders a subset of HTML in labels: escape so values show as text."""
    return html.escape(str(text), quote=True)


_FONT = {"family": "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
         "color": "#0b0c0c", "size": 14}


def chart(chart_id: str, data: list, layout: dict) -> dict:
    layout = {"font": _FONT, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
              "margin": {"l": 60, "r": 20, "t": 20, "b": 60}, **layout}
    config = {"displayModeBar": False, "responsive": True}
    return {"id": chart_id,
            "script": Markup(f"Plotly.newPlot({to_json_plotly(chart_id)},{to_json_plotly(data)},"
                             f"{to_json_plotly(layout)},{to_json_plotly(config)});")}


def _count_ticks(top: int) -> dict:
    """Whole-number ticks for counts (small counts would otherwise repeat rounded ticks)."""
    return {"tick0": 0, "dtick": 1} if top <= 10 else {}


def rates_chart(chart_id: str, rows: list[dict]) -> dict:
    shown = [r for r in rows if r["rate"] is not None]
    data = [{"type": "bar", "orientation": "h", "y": [_label(r["duty"]) for r in shown],
             "x": [round(r["rate"] * 100, 1) for r in shown],
             "text": [f"{fmt_rate(r['rate'])} of {r['n']}" for r in shown], "textposition": "auto",
             "marker": {"color": "#1d70b8"}, "hovertemplate": "%{y}: %{x:.0f}%<extra></extra>"}]
    layout = {"xaxis": {"range": [0, 100], "title": {"text": "Compliance rate (%)"}, "ticksuffix": "%"},
              "yaxis": {"autorange": "reversed", "automargin": True},
              "height": 80 + 32 * max(len(shown), 1), "margin": {"l": 10, "r": 20, "t": 10, "b": 50}}
    return chart(chart_id, data, layout)


def trend_chart(chart_id: str, months: list[dict]) -> dict:
    data = [{"type": "scatter", "mode": "lines+markers", "name": "All duties",
             "x": [m["month"] + "-01" for m in months],
             "y": [None if m["rate"] is None else round(m["rate"] * 100, 1) for m in months],
             "customdata": [m["n"] for m in months], "line": {"color": "#1d70b8", "width": 3},
             "marker": {"symbol": "circle", "size": 7},
             "hovertemplate": "%{x|%b %Y}: %{y:.0f}% of %{customdata}<extra></extra>"}]
    layout = {"xaxis": {"type": "date", "title": {"text": "Month the duty fell due"}, "tickformat": "%b %Y"},
              "yaxis": {"range": [0, 105], "title": {"text": "Compliance rate (%)"}, "ticksuffix": "%"},
              "height": 340}
    return chart(chart_id, data, layout)


def response_chart(chart_id: str, bins: dict) -> dict:
    on_time = [b for b in bins["bins"] if not b["late"]]
    late = [b for b in bins["bins"] if b["late"]]
    data = [
        {"type": "bar", "name": f"Within {bins['weeks']} weeks", "x": [b["label"] for b in on_time],
         "y": [b["n"] for b in on_time], "marker": {"color": "#1d70b8"},
         "hovertemplate": "days %{x}: %{y}<extra></extra>"},
        {"type": "bar", "name": f"After {bins['weeks']} weeks", "x": [b["label"] for b in late],
         "y": [b["n"] for b in late],
         "marker": {"color": "#d4351c", "pattern": {"shape": "/", "fgcolor": "#ffffff", "fillmode": "overlay"}},
         "hovertemplate": "days %{x}: %{y}<extra></extra>"},
    ]
    boundary = len(on_time) - 0.5
    layout = {
        "barmode": "overlay", "bargap": 0.1, "height": 340, "legend": {"orientation": "h", "y": -0.3},
        "xaxis": {"type": "category", "categoryorder": "array",
                  "categoryarray": [b["label"] for b in bins["bins"]],
                  "title": {"text": "Days taken to respond (the day the recommendation was made is day 1)"}},
        "yaxis": {"title": {"text": "Recommendations"}, "rangemode": "tozero", "tickformat": "d",
                  **_count_ticks(max([b["n"] for b in bins["bins"]], default=0))},
        "margin": {"l": 60, "r": 20, "t": 30, "b": 110},
        "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": boundary, "x1": boundary,
                    "y0": 0, "y1": 1, "line": {"color": "#0b0c0c", "width": 2, "dash": "dash"}}],
        "annotations": [{"xref": "x", "yref": "paper", "x": boundary, "y": 1.06, "showarrow": False,
                         "xanchor": "left", "text": f"{bins['weeks']}-week deadline (day {bins['limit']})"}],
    }
    return chart(chart_id, data, layout)


def outcome_chart(chart_id: str, outcomes: dict) -> dict:
    styles = {"health": {"color": "#1d70b8"},
              "social_care": {"color": "#f47738",
                              "pattern": {"shape": "x", "fgcolor": "#0b0c0c", "fillmode": "overlay"}}}
    data = [{"type": "bar", "name": label, "x": [r["outcome"] for r in outcomes["rows"]],
             "y": [r[key] for r in outcomes["rows"]], "marker": styles[key],
             "text": [str(r[key]) for r in outcomes["rows"]], "textposition": "outside",
             "hovertemplate": f"{label}: %{{x}} %{{y}}<extra></extra>"} for key, label in KINDS]
    layout = {"barmode": "group", "height": 340, "legend": {"orientation": "h", "y": -0.2},
              "yaxis": {"title": {"text": "Responses"}, "rangemode": "tozero", "tickformat": "d",
                        **_count_ticks(max([r[k] for r in outcomes["rows"] for k, _ in KINDS], default=0))},
              "margin": {"l": 60, "r": 20, "t": 20, "b": 90}}
    return chart(chart_id, data, layout)


def heatmap_chart(chart_id: str, areas: list[dict], duties: list[str]) -> dict:
    z, text = [], []
    for a in areas:
        z.append([None if a["rates"][d] is None else round(a["rates"][d] * 100, 1) for d in duties])
        text.append([fmt_rate(a["rates"][d]) for d in duties])
    data = [{"type": "heatmap", "x": [_label(d) for d in duties],
             "y": [_label(f"{a['area_code']} {a['name']}") for a in areas], "z": z, "text": text,
             "texttemplate": "%{text}", "zmin": 0, "zmax": 100, "xgap": 2, "ygap": 2,
             "colorscale": [[0, "#d4351c"], [0.5, "#f9d8cf"], [0.75, "#e8f1f8"], [1, "#1d70b8"]],
             "colorbar": {"title": {"text": "Rate %"}, "ticksuffix": "%", "lenmode": "pixels",
                          "len": min(300, 60 + 26 * max(len(areas), 1)), "yanchor": "top", "y": 1},
             "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>", "hoverongaps": False}]
    layout = {"height": 160 + 26 * max(len(areas), 1),
              "xaxis": {"side": "top", "tickangle": -35, "automargin": True},
              "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
              "margin": {"l": 10, "r": 10, "t": 10, "b": 10}}
    return chart(chart_id, data, layout)


# --- rendering ---------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _fmt_date(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{value.day} {value.strftime('%b %Y')}"


def _fmt_value(value) -> str:
    if value is None:
        return "blank"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt_value(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _money(value) -> str:
    return f"£{Decimal(value or 0):,.2f}"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(DASHBOARDS), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(d=_fmt_date, rate=fmt_rate, value=_fmt_value, money=_money)
    tags = {s: Markup('<strong class="tag tag--{}">{}</strong>').format(STATUS_COLOURS[s], label)
            for s, label in STATUS_LABELS.items()}
    env.globals.update(STATUS_LABELS=STATUS_LABELS, STATUS_COLOURS=STATUS_COLOURS,
                       RATE_STATUSES=RATE_STATUSES, ACTION_STATUSES=ACTION_STATUSES, tag=tags.__getitem__)
    return env


class _Parts:
    """Fragments shared by many explanation pages, rendered once each (`dashboards/parts.html`)."""

    def __init__(self, env: Environment):
        self.module = env.get_template("parts.html").module
        self.cache: dict = {}

    def decision_table(self, rule: Rule, matched: int) -> Markup:
        key = ("table", rule.id, matched)
        if key not in self.cache:
            self.cache[key] = Markup(self.module.decision_table(rule, matched))
        return self.cache[key]

    def rule_source(self, rule: Rule, stored_version: str) -> Markup:
        key = ("source", rule.id, stored_version)
        if key not in self.cache:
            self.cache[key] = Markup(self.module.rule_source(rule, stored_version))
        return self.cache[key]


class _Writer:
    def __init__(self, root: Path, env: Environment, common: dict):
        self.root = root.resolve()
        self.env = env
        self.common = common
        self.templates: dict[str, object] = {}
        self.folders: set[str] = set()
        self.pages = 0

    def path(self, rel: str) -> str:
        parts = rel.split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise PublishError(f"refusing to write {rel!r}: not a plain path inside the site folder")
        folder = "/".join(parts[:-1])
        if folder not in self.folders:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        return os.path.join(self.root, rel)

    def text(self, rel: str, content: str) -> Path:
        target = self.path(rel)
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(content)
        return Path(target)

    def page(self, template: str, rel: str, **context) -> Path:
        if template not in self.templates:
            self.templates[template] = self.env.get_template(template)
        root = "../" * rel.count("/")
        self.pages += 1
        return self.text(rel, self.templates[template].render(**self.common, root=root, here=rel, **context))

    def exports(self, folder: str, as_of: date, rows: list[dict]) -> None:
        shaped = export_rows(rows)
        self.text(folder + "findings.json", json.dumps({"as_of": as_of.isoformat(), "findings": shaped}) + "\n")
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_FIELDS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(shaped)
        self.text(folder + "findings.csv", buffer.getvalue())


def _rel(from_folder: str, target: str) -> str:
    """A link from a page in `from_folder` (site-relative, ending in '/') to a site-relative target."""
    if target.startswith(from_folder):
        return target[len(from_folder):]
    return "../" * from_folder.count("/") + target


def _listing(rows: list[dict], folder: str, names: dict[str, str], as_of: date) -> dict:
    """The tables of a dashboard: open breaches, next 14 days, data gaps, exceptions in force."""
    def item(r: dict) -> dict:
        linked = r["status"] in ACTION_STATUSES
        return {**r, "owner_name": names.get(r["owner"], ""),
                "href": _rel(folder, explanation_path(r["area"], r["duty"], r["subject"])) if linked else None}

    horizon = as_of + timedelta(days=NEXT_DAYS)
    open_breaches = sorted((item(r) for r in rows if r["status"] == "overdue"),
                           key=lambda r: (-r["days_late"], r["duty"], r["subject"]))
    upcoming = sorted((item(r) for r in rows if r["status"] in ("due_soon", "pending")
                       and r["due_on"] is not None and as_of <= r["due_on"] <= horizon),
                      key=lambda r: (r["due_on"], r["duty"], r["subject"]))
    gaps = [item(r) for r in rows if r["status"] == "data_gap"]
    exceptions = [item(r) for r in rows if r["status"] == "exception"]
    closed = [item(r) for r in rows if r["status"] in ("late", "breached")]
    return {"open_breaches": open_breaches, "upcoming": upcoming, "gaps": gaps,
            "exceptions": exceptions, "closed_breaches": closed, "horizon": horizon}


def _exception_info(exceptions: dict, rows: list[dict]) -> None:
    """Attach who granted each exception and why (recorded exceptions) or its legal basis (Covid-19)."""
    for r in rows:
        x = exceptions.get((r["duty"], r["subject"]))
        r["granted_by"] = x["granted_by"] if x else "Regulations"
        r["justification"] = x["justification"] if x else (r["reason"] or "")
        r["granted_on"] = x["granted_on"] if x else None
        r["expires_on"] = x["expires_on"] if x else None
        r["exception_id"] = x["exception_id"] if x else None


# --- publish -----------------------------------------------------------------------

def publish(engine: Engine, rules: dict[str, Rule], out_dir: Path, as_of: date | None = None,
            pdf: bool = False, site_url: str = "", workers: int | None = None) -> Path:
    """Write the static site for the latest check into `out_dir`; return the index page's path.

    `as_of` None means the latest check's date; any other date than the one the store
    holds is an error (`FindingsError`). The site is built beside `out_dir` and swapped
    in when complete; an existing `out_dir` must be empty or an earlier site. Areas are
    written by `workers` forked processes (default: one per CPU, up to 8, from 20 areas up;
    `workers=1` writes everything in the calling process).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise PublishError(f"{out_dir} is not empty and is not a site written by send-monitor: "
                           "choose an empty or new folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        _build(engine, rules, build, as_of, site_url, workers)
        if pdf:
            render_pdfs(sorted(build.glob("areas/*/report.html")))
        (build / MARKER).write_text("written by send-monitor publish\n", encoding="utf-8")
        os.chmod(build, 0o755)
        _swap(build, out_dir)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return out_dir / "index.html"


def _swap(build: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        build.rename(out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    build.rename(out_dir)
    # removing tens of thousands of old pages takes a while: do it after returning (the
    # thread is not a daemon, so a command-line run still finishes it before exiting)
    threading.Thread(target=shutil.rmtree, args=(old,), kwargs={"ignore_errors": True},
                     name="send-monitor-remove-old-site").start()


def _write_assets(site: Path) -> None:
    import plotly.offline

    assets = site / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "plotly.min.js").write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
    for path in (DASHBOARDS / "static").iterdir():
        if path.is_file():
            shutil.copyfile(path, assets / path.name)


def _build(engine: Engine, rules: dict[str, Rule], site: Path, as_of: date | None, site_url: str,
           workers: int | None = None) -> None:
    generated = datetime.now(timezone.utc).replace(microsecond=0)
    with engine.connect() as conn:
        held = held_as_of(conn, as_of)
        check = latest_check(conn)
        last_import = latest_import(conn)
        batches = import_batches(conn)
        runs = latest_runs(conn)
        areas, commissioners = areas_and_commissioners(conn)
        record_counts = area_record_counts(conn)
        histories = action_histories(conn)
        answers = recommendation_answers(conn, held, RESPONSE_DUTY) if RESPONSE_DUTY in rules else []
        funding: dict = {}
        if FUNDING_DUTY in rules:
            params = rules[FUNDING_DUTY].parameters
            funding = funding_claimed(conn, held, params["scope_start"], params["trial_end"], FUNDING_DUTY)

        names = {a["area_code"]: a["name"] for a in areas}
        names.update({c["commissioner_code"]: c["name"] for c in commissioners})
        stale = bool(last_import and check and last_import.id > check.last_batch)
        common = {"as_of": held, "check": check, "last_import": last_import, "generated": generated,
                  "site_url": site_url.rstrip("/"), "stale": stale, "rules": rules, "names": names}
        writer = _Writer(site, _environment(), common)
        writer.parts = _Parts(writer.env)
        common["footer_html"] = Markup(writer.parts.module.footer(held, check, last_import, generated))
        _write_assets(site)
        weeks = int(rules[RESPONSE_DUTY].parameters.get("response_weeks", 5)) if RESPONSE_DUTY in rules else 5

        answers_by_area: dict[str, list] = defaultdict(list)
        answers_by_owner: dict[str, list] = defaultdict(list)
        for a in answers:
            answers_by_area[a["area"]].append(a)
            answers_by_owner[a["owner"]].append(a)

        commissioner_codes = {c["commissioner_code"] for c in commissioners}
        histories_by_area: dict[str, dict] = defaultdict(dict)
        for key, changes in histories.items():
            histories_by_area[changes[-1]["area"]][key] = changes
        jobs = [_AreaJob(area, histories_by_area.get(area["area_code"], {}),
                         answers_by_area.get(area["area_code"], []), funding.get(area["area_code"]),
                         record_counts.get(area["area_code"], {})) for area in areas]
        shared = _Shared(engine.url, rules, common, weeks, batches, commissioner_codes, site)
        if workers is None:
            workers = min(os.cpu_count() or 1, 8) if len(jobs) >= 20 else 1
        # worker processes are forked (spawning would re-import the caller's main module); they
        # open their own database connections and only read and write files
        can_fork = "fork" in multiprocessing.get_all_start_methods()
        if workers > 1 and len(jobs) > 1 and can_fork:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                                     initializer=_init_worker, initargs=(shared,)) as pool:
                results = list(pool.map(_run_area_job, jobs, chunksize=1))
        else:
            _WORKER["shared"], _WORKER["writer"], _WORKER["engine"] = shared, writer, engine
            try:
                results = [_area_job(conn, writer, shared, job) for job in jobs]
            finally:
                _WORKER.clear()
        owned: dict[str, list[dict]] = defaultdict(list)
        owned_exceptions: dict = {}
        national = []
        for summary, mine, exceptions in results:
            national.append(summary)
            for r in mine:
                owned[r["owner"]].append(r)
            owned_exceptions.update(exceptions)

        commissioner_summaries = []
        for c in commissioners:
            code = c["commissioner_code"]
            commissioner_summaries.append(
                _commissioner_page(writer, rules, c, owned.get(code, []), owned_exceptions,
                                   answers_by_owner.get(code, []), weeks))

    duties = list(rules)
    heat = heatmap_chart("chart-heatmap", national, duties) if national else None
    writer.page("national.html", "index.html", title="National overview", areas=national,
                commissioners=commissioner_summaries, duties=duties, heat=heat,
                charts=[heat] if heat else [], batches=batches, runs=runs)


@dataclass
class _AreaJob:
    area: dict
    histories: dict
    answers: list
    funding: object
    record_counts: dict


@dataclass
class _Shared:
    url: object
    rules: dict
    common: dict
    weeks: int
    batches: list
    commissioner_codes: set
    site: Path


_WORKER: dict = {}


def _init_worker(shared: _Shared) -> None:
    """In a worker process: its own engine and template environment."""
    from sqlalchemy import create_engine

    writer = _Writer(shared.site, _environment(), shared.common)
    writer.parts = _Parts(writer.env)
    _WORKER.update(shared=shared, writer=writer, engine=create_engine(shared.url))


def _run_area_job(job: _AreaJob):
    with _WORKER["engine"].connect() as conn:
        return _area_job(conn, _WORKER["writer"], _WORKER["shared"], job)


def _area_job(conn, writer: _Writer, shared: _Shared, job: _AreaJob):
    """Everything under areas/<code>/; returns the national summary, the findings owned by
    commissioners (for their pages) and the exceptions among them."""
    code = job.area["area_code"]
    rows = query_findings(conn, area=code)
    tally = Tally()
    mine = []
    for r in rows:
        tally.add(r)
        if r["owner"] in shared.commissioner_codes:
            mine.append(r)
    actions = [r for r in rows if r["status"] in ACTION_STATUSES]
    explanations = explain_stored(conn, shared.rules, actions, shared.common["as_of"], job.histories)
    exceptions = {key: e.exception for key, e in explanations.items()
                  if e.status == "exception" and e.owner in shared.commissioner_codes}
    summary = _area_pages(writer, shared.rules, job.area, rows, tally, explanations, job.answers,
                          job.funding, shared.weeks, job.record_counts, shared.batches)
    return summary, mine, exceptions


def _dashboard(writer: _Writer, folder: str, rows: list[dict], tally: Tally, duties: list[dict],
               answers: list[dict], weeks: int, exceptions: dict) -> dict:
    """What area and commissioner dashboards share: the numbers behind their tables and
    charts, the action listings, and the findings.csv / findings.json beside the page."""
    as_of = writer.common["as_of"]
    lists = _listing(rows, folder, writer.common["names"], as_of)
    _exception_info(exceptions, lists["exceptions"])
    total = tally.total()
    writer.exports(folder, as_of, rows)
    return {"duties": duties, "months": month_rows(tally), "bins": response_bins(answers, weeks),
            "outcomes": outcome_table(answers), "lists": lists, "total": total, "overall": rate(total),
            "folder": folder}


def _area_pages(writer: _Writer, rules: dict[str, Rule], area: dict, rows: list[dict], tally: Tally,
                explanations: dict, answers: list[dict], funding, weeks: int,
                record_counts: dict, batches: list[dict]) -> dict:
    code = area["area_code"]
    folder = area_path(code)
    board = _dashboard(writer, folder, rows, tally, duty_rows(tally, rules), answers, weeks,
                       {k: e.exception for k, e in explanations.items()})
    duties, bins, outcomes, total = board["duties"], board["bins"], board["outcomes"], board["total"]
    charts = {
        "rates": rates_chart("chart-rates", duties),
        "trend": trend_chart("chart-trend", board["months"]),
        "response": response_chart("chart-response", bins),
        "outcomes": outcome_chart("chart-outcomes", outcomes),
    }
    writer.page("area.html", folder + "index.html", title=f"{code} {area['name']}", area=area, funding=funding,
                chart=charts, charts=list(charts.values()), **board)

    parts = writer.parts
    for (duty, subject), e in explanations.items():
        rel = explanation_path(e.area, duty, subject)
        writer.page("explain.html", rel, title=f"{duty} · {subject}", e=e, area=area, charts=[],
                    back=_rel(rel.rsplit("/", 1)[0] + "/", folder + "index.html"),
                    decision_table=parts.decision_table, rule_source=parts.rule_source)

    # the inspector report: per duty, the breaches with their evidence, exceptions and data gaps
    by_duty: dict[str, dict[str, list]] = {d: defaultdict(list) for d in rules}
    for (duty, subject), e in sorted(explanations.items()):
        by_duty[duty][e.status].append(e)
    writer.page("report.html", folder + "report.html", title=f"Inspector report: {code} {area['name']}",
                area=area, duties=duties, by_duty=by_duty, total=total, overall=board["overall"],
                record_counts=record_counts, batches=batches, charts=[], bins=bins, outcomes=outcomes,
                funding=funding, href_of=lambda e: _rel(folder, explanation_path(e.area, e.duty.id, e.subject)))

    return {"area_code": code, "name": area["name"], "region": area.get("region"),
            "href": folder + "index.html", "report": folder + "report.html",
            "rates": {d["duty"]: d["rate"] for d in duties}, "overall": board["overall"],
            "n": sum(total[s] for s in RATE_STATUSES), "open_breaches": total["overdue"],
            "closed_breaches": total["late"] + total["breached"], "data_gaps": total["data_gap"],
            "exceptions": total["exception"], "due_soon": total["due_soon"],
            "declined": outcomes["declined"], "funding": funding or Decimal(0)}


def _commissioner_page(writer: _Writer, rules: dict[str, Rule], commissioner: dict, rows: list[dict],
                       exceptions: dict, answers: list[dict], weeks: int) -> dict:
    code = commissioner["commissioner_code"]
    folder = commissioner_path(code)
    rows = sorted(rows, key=lambda r: (r["duty"], r["subject"]))
    tally = Tally()
    per_area: dict[str, Tally] = defaultdict(Tally)
    for r in rows:
        tally.add(r)
        per_area[r["area"]].add(r)
    duties_owned = [d for d in rules if tally.duties.get(d)]
    area_rows = []
    for area_code in sorted(per_area):
        t = per_area[area_code]
        tot = t.total()
        area_rows.append({"area_code": area_code, "name": writer.common["names"].get(area_code, ""),
                          "href": _rel(folder, area_path(area_code) + "index.html"),
                          "rates": {d: rate(t.duties.get(d, Counter())) for d in duties_owned},
                          "overall": rate(tot), "open_breaches": tot["overdue"], "data_gaps": tot["data_gap"],
                          "exceptions": tot["exception"]})
    board = _dashboard(writer, folder, rows, tally, duty_rows(tally, rules, duties_owned), answers, weeks,
                       exceptions)
    total, outcomes = board["total"], board["outcomes"]
    charts = {}
    if board["duties"]:
        charts["rates"] = rates_chart("chart-rates", board["duties"])
        charts["trend"] = trend_chart("chart-trend", board["months"])
    if answers:
        charts["response"] = response_chart("chart-response", board["bins"])
        charts["outcomes"] = outcome_chart("chart-outcomes", outcomes)
    writer.page("commissioner.html", folder + "index.html", title=f"{code} {commissioner['name']}",
                commissioner=commissioner, duties_owned=duties_owned, area_rows=area_rows,
                chart=charts, charts=list(charts.values()), has_answers=bool(answers), **board)
    return {"code": code, "name": commissioner["name"], "kind": commissioner["kind"],
            "href": folder + "index.html", "areas": [a["area_code"] for a in area_rows],
            "overall": board["overall"], "n": sum(total[s] for s in RATE_STATUSES),
            "open_breaches": total["overdue"], "data_gaps": total["data_gap"],
            "exceptions": total["exception"], "declined": outcomes["declined"]}


# --- PDF ---------------------------------------------------------------------------

def chromium_path() -> str:
    found = os.environ.get(CHROMIUM_ENV) or next(
        (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
    if not found:
        raise PublishError(f"--pdf needs Chromium: install it or set {CHROMIUM_ENV}")
    return found


def render_pdf(html_path: Path, pdf_path: Path | None = None, timeout: int = 120) -> Path:
    """Print one page to PDF with headless Chromium (its print stylesheet applies)."""
    pdf_path = pdf_path or html_path.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="send-monitor-chromium-") as profile:
        cmd = [chromium_path(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", f"--user-data-dir={profile}", "--no-pdf-header-footer",
               "--print-to-pdf-no-header", f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise PublishError(f"Chromium did not write {pdf_path} (exit {result.returncode}): "
                           f"{result.stderr.strip()[-500:]}")
    return pdf_path


def render_pdfs(pages: list[Path]) -> list[Path]:
    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(render_pdf, pages))
