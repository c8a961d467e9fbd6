"""View models: the numbers, listings and labels behind the pages, built from findings rows."""

from __future__ import annotations

import posixpath
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from monitor.paths import case_path, explanation_path
from monitor.rules import Rule
from monitor.statuses import ACTION_STATUSES, RATE_STATUSES, STATUS_LABELS

RESPONSE_DUTY = "response-5-weeks"
FUNDING_DUTY = "funding-cap"

OUTCOMES = (
    ("accepted", "Accepted"),
    ("partly_accepted", "Partly accepted"),
    ("declined", "Declined"),
    (None, "Outcome not recorded"),
)
KINDS = (("health", "Health"), ("social_care", "Social care"))


def rate(counts: Counter) -> float | None:
    """met / (met + late + overdue + breached), or None when nothing was judged."""
    n = sum(counts[s] for s in RATE_STATUSES)
    return counts["met"] / n if n else None


def fmt_rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


_MONTHS: dict[date, str] = {}  # a due date's month, "2020-03" (a national publish tallies millions)


@dataclass
class Tally:
    """Status counts per duty and per month (of the due date), for one area or commissioner."""

    duties: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    months: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, row: dict) -> None:
        status, due = row["status"], row["due_on"]
        self.duties[row["duty"]][status] += 1
        if status in RATE_STATUSES and due is not None:
            month = _MONTHS.get(due)
            if month is None:
                month = _MONTHS[due] = due.strftime("%Y-%m")
            self.months[month][status] += 1

    def total(self) -> Counter:
        out: Counter = Counter()
        for c in self.duties.values():
            out.update(c)
        return out


MIN_JUDGED = 5  # a rate on fewer judged findings is flagged as such


@dataclass
class Benchmarks:
    """Status counts per duty for England and for each region, to set an area's rates beside."""

    england: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    regions: dict[str, dict[str, Counter]] = field(default_factory=dict)

    @classmethod
    def from_counts(cls, counts: Mapping[tuple[str, str], Mapping[str, int]], region_of: dict[str, str | None]):
        bench = cls()
        for (area, duty), statuses in counts.items():
            bench.england[duty].update(statuses)
            region = region_of.get(area)
            if region:
                bench.regions.setdefault(region, defaultdict(Counter))[duty].update(statuses)
        return bench

    def region(self, name: str | None) -> dict[str, Counter] | None:
        return self.regions.get(name) if name else None


def judged(counts: Counter) -> int:
    return sum(counts[s] for s in RATE_STATUSES)


def duty_rows(
    tally: Tally,
    rules: dict[str, Rule],
    duties: list[str] | None = None,
    bench: Benchmarks | None = None,
    region: str | None = None,
) -> list[dict]:
    """Per duty: its title, rate and n, every status count, and beside it England's and the
    region's rate with their n; `few` when fewer than MIN_JUDGED findings were judged (such a
    rate is compared with nothing), `below` when the rate is under England's."""
    rows = []
    regional = bench.region(region) if bench else None
    for duty in duties if duties is not None else list(rules):
        c = tally.duties.get(duty, Counter())
        row: dict[str, Any] = {
            "duty": duty,
            "title": rules[duty].title,
            "short_title": rules[duty].short_title,
            "rate": rate(c),
            "n": judged(c),
            **{s: c[s] for s in STATUS_LABELS},
        }
        row["few"] = 0 < row["n"] < MIN_JUDGED
        england = bench.england.get(duty, Counter()) if bench else Counter()
        row["england_rate"], row["england_n"] = rate(england), judged(england)
        own = regional.get(duty, Counter()) if regional else Counter()
        row["region_rate"], row["region_n"] = (rate(own), judged(own)) if regional else (None, 0)
        row["below"] = (
            not row["few"]
            and row["rate"] is not None
            and row["england_rate"] is not None
            and row["rate"] < row["england_rate"]
        )
        rows.append(row)
    return rows


def region_rows(areas: list[dict], bench: Benchmarks, duties: list[str]) -> list[dict]:
    """The national page's per-region summary: the current areas, open breaches, data gaps and
    each duty's rate with its n, each finding counted once as `bench` counts it (areas without a
    region are left out)."""
    rows = []
    for name in sorted(bench.regions):
        members = [a for a in areas if a.get("region") == name]
        counts = bench.regions[name]
        rows.append(
            {
                "name": name,
                "areas": len(members),
                "open_breaches": sum(c["overdue"] for c in counts.values()),
                "data_gaps": sum(c["data_gap"] for c in counts.values()),
                "rates": {d: (rate(counts.get(d, Counter())), judged(counts.get(d, Counter()))) for d in duties},
            }
        )
    return rows


def england_rows(areas: list[dict], bench: Benchmarks, rules: dict[str, Rule]) -> list[dict]:
    """Per duty: England's rate and n, and the areas with the lowest and highest rate (of those
    with at least MIN_JUDGED judged findings: a rate on fewer is ranked with nothing)."""
    rows = []
    for duty, rule in rules.items():
        c = bench.england.get(duty, Counter())
        rated = sorted(
            (a for a in areas if a["rates"].get(duty) is not None and a["ns"].get(duty, 0) >= MIN_JUDGED),
            key=lambda a: a["rates"][duty],
        )
        rows.append(
            {
                "duty": duty,
                "short_title": rule.short_title,
                "rate": rate(c),
                "n": judged(c),
                "lowest": rated[0] if rated else None,
                "highest": rated[-1] if rated else None,
            }
        )
    return rows


def month_rows(tally: Tally) -> list[dict]:
    rows = []
    for month in sorted(tally.months):
        c = tally.months[month]
        rows.append(
            {
                "month": month,
                "label": datetime.strptime(month, "%Y-%m").strftime("%B %Y"),
                "rate": rate(c),
                "n": sum(c[s] for s in RATE_STATUSES),
                **{s: c[s] for s in RATE_STATUSES},
            }
        )
    return rows


def response_bins(answers: list[dict], weeks: int) -> dict:
    """Days taken to respond (the day made is day 1), in weekly bins, with the deadline week."""
    days = [(a["done_on"] - a["made_on"]).days + 1 for a in answers if a["done_on"] is not None]
    limit = 7 * weeks
    top = max([limit + 14, *days]) if days else limit + 14
    bins = []
    for start in range(1, top + 1, 7):
        end = start + 6
        bins.append(
            {
                "label": f"{start}–{end}",
                "start": start,
                "end": end,
                "n": sum(1 for d in days if start <= d <= end),
                "late": start > limit,
            }
        )
    waiting = [a for a in answers if a["done_on"] is None]
    return {
        "bins": bins,
        "answered": len(days),
        "within": sum(1 for d in days if d <= limit),
        "limit": limit,
        "weeks": weeks,
        "waiting": len(waiting),
        "waiting_overdue": sum(1 for a in waiting if a["status"] in ("overdue", "exception")),
        "median": f"{statistics.median(days):g}" if days else None,
    }


def outcome_table(answers: list[dict]) -> dict:
    table: dict[str, Counter] = {k: Counter() for k, _ in KINDS}
    for a in answers:
        if a["answered"]:
            table.setdefault(a["kind"], Counter())[a["outcome"]] += 1
    rows = [{"outcome": label, "key": key, **{k: table[k][key] for k, _ in KINDS}} for key, label in OUTCOMES]
    totals = {k: sum(table[k].values()) for k, _ in KINDS}
    return {
        "rows": rows,
        "totals": totals,
        "declined": sum(table[k]["declined"] for k, _ in KINDS),
        "answered": sum(totals.values()),
        "unanswered": sum(1 for a in answers if not a["answered"]),
    }


def rel(from_folder: str, target: str) -> str:
    """A link from a page in `from_folder` (site-relative, ending in '/') to a site-relative target."""
    if from_folder.endswith("/") and target.startswith(from_folder) and not target.endswith("/"):
        return target[len(from_folder) :] or "."
    start, path = [p for p in from_folder.split("/") if p], [p for p in target.split("/") if p]
    if "." in start or ".." in start or "." in path or ".." in path:
        return posixpath.relpath(target, from_folder or ".")
    common = 0
    for a, b in zip(start, path, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + path[common:]) or "."


def listing(rows: list[dict], folder: str, names: dict[str, str], as_of: date, here: str, warning_days: int) -> dict:
    """The tables of a dashboard: open breaches, due soon (within `warning_days`, the window the
    checks and e-mails use), data gaps, exceptions in force.
    A row is `inherited` when `here` (the page's body) acts now for another body's duty."""

    def item(r: dict) -> dict:
        linked = r["status"] in ACTION_STATUSES
        return {
            **r,
            "owner_name": names.get(r["owner"], ""),
            "inherited": r["acts_now"] == here != r["owner"],
            "href": rel(folder, explanation_path(r["area"], r["duty"], r["subject"])) if linked else None,
            "case_href": rel(folder, case_path(r["area"], r["case_ref"])) if linked and r["case_ref"] else None,
        }

    horizon = as_of + timedelta(days=warning_days)
    open_breaches = sorted(
        (item(r) for r in rows if r["status"] == "overdue"), key=lambda r: (-r["days_late"], r["duty"], r["subject"])
    )
    upcoming = sorted(
        (item(r) for r in rows if r["status"] == "due_soon"),
        key=lambda r: (r["due_on"], r["duty"], r["subject"]),
    )
    gaps = [item(r) for r in rows if r["status"] == "data_gap"]
    exceptions = [item(r) for r in rows if r["status"] == "exception"]
    closed = [item(r) for r in rows if r["status"] in ("late", "breached")]
    return {
        "open_breaches": open_breaches,
        "upcoming": upcoming,
        "gaps": gaps,
        "exceptions": exceptions,
        "closed_breaches": closed,
        "horizon": horizon,
    }


def split_rows(rows: list[dict], here: str, key: str, names: dict[str, str], folder: str, page_of) -> list[dict]:
    """A current body's findings by the body named in the records (`key`: "owner" on a
    commissioner's page, "area" on an area's): its own first, then each body it took over;
    empty when it took over none. `page_of(code)` is that body's folder."""
    if all(r[key] == here for r in rows):  # took over none: nothing to split (most bodies)
        return []
    by_body: dict[str, Tally] = defaultdict(Tally)
    for r in rows:
        by_body[r[key]].add(r)
    split = []
    for code in sorted(by_body, key=lambda c: (c != here, c)):
        tot = by_body[code].total()
        split.append(
            {
                "code": code,
                "name": names.get(code, ""),
                "own": code == here,
                "href": rel(folder, page_of(code) + "index.html"),
                "n": judged(tot),
                "rate": rate(tot),
                "open_breaches": tot["overdue"],
                "findings": sum(tot.values()),
            }
        )
    return split if any(not x["own"] for x in split) else []


def successor_info(successors, code: str, on: date, folder: str, page_of, *, area: bool) -> dict | None:
    """The body that took over `code`'s duties by `on` (one hop) and from when, with links to
    its page from `folder` and from the site root; None while `code` is current."""
    successor = successors.superseded(code, on, area=area)
    if successor is None:
        return None
    table = successors.areas if area else successors.commissioners
    return {
        "code": successor.code,
        "name": successor.name,
        "href": rel(folder, page_of(successor.code) + "index.html"),
        "site_href": page_of(successor.code) + "index.html",
        "from": table[code].successor_from,
    }


def exception_info(exceptions: dict, rows: list[dict]) -> None:
    """Attach who granted each exception and why (recorded exceptions) or its legal basis (Covid-19)."""
    for r in rows:
        x = exceptions.get((r["duty"], r["subject"]))
        r["granted_by"] = x["granted_by"] if x else "Regulations"
        r["justification"] = x["justification"] if x else (r["reason"] or "")
        r["granted_on"] = x["granted_on"] if x else None
        r["expires_on"] = x["expires_on"] if x else None
        r["exception_id"] = x["exception_id"] if x else None


def board(
    rows: list[dict],
    tally: Tally,
    duties: list[dict],
    answers: list[dict],
    weeks: int,
    exceptions: dict,
    *,
    folder: str,
    here: str,
    names: dict[str, str],
    as_of: date,
    warning_days: int,
) -> dict:
    """The numbers and listings of the dashboard of the body `here` (its page in `folder`)."""
    lists = listing(rows, folder, names, as_of, here, warning_days)
    exception_info(exceptions, lists["exceptions"])
    total = tally.total()
    return {
        "duties": duties,
        "months": month_rows(tally),
        "bins": response_bins(answers, weeks),
        "outcomes": outcome_table(answers),
        "lists": lists,
        "total": total,
        "overall": rate(total),
        "folder": folder,
    }


def appeal_closure(records: list[tuple[str, str, dict]], as_of: date) -> dict | None:
    """How and when the appeal among `records` closed by `as_of` ({"how": "withdrawn" or
    "conceded", "on": date}); None while it is open, was decided, or closes later."""
    for kind, _rid, fields in records:
        how, on = fields.get("status"), fields.get("closed_on")
        if kind != "appeal" or how not in ("withdrawn", "conceded") or not on:
            continue
        on = date.fromisoformat(on) if isinstance(on, str) else on
        if on <= as_of:
            return {"how": how, "on": on}
    return None
