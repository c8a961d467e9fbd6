"""Gathering the site's data from the store, for the whole site or for one page.

`open_site` reads what every page shares: the as-of date, the latest check and import, the
areas and commissioners with their names and successors, the exceptions in force. The
national figures come from one grouped count of the findings (`national_counts`, kept per
process for the check it counts). An area's, a commissioner's, a case's and a finding's data
come from queries of their own (`area_data`, `commissioner_data`, ...), so one page can be
gathered on request without the rest of the site.

After a merger each finding is counted once, under the body acting for it now: an LA's duty
under the current area that acts on it, a commissioner's duty under its case's area (which a
merger does not change).
"""

from __future__ import annotations

import functools
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.engine import Connection

from monitor.check import active_exceptions
from monitor.explanations import explain_stored
from monitor.findings import (
    action_histories,
    area_batches,
    area_record_counts,
    areas_and_commissioners,
    check_times,
    funding_claimed,
    held_as_of,
    latest_check,
    latest_import,
    query_findings,
    recommendation_answers,
    status_counts,
)
from monitor.letters import LettersSection, letters_section
from monitor.publish.context import FUNDING_DUTY, RESPONSE_DUTY, Benchmarks, Tally
from monitor.publish.render import parts
from monitor.rules import Rule
from monitor.statuses import ACTION_STATUSES
from monitor.successors import Successors


@dataclass
class Site:
    """What every page shares, read once from the store."""

    rules: dict[str, Rule]
    as_of: date
    check: object
    last_import: object
    generated: datetime
    site_url: str
    stale: bool
    areas: list[dict]
    commissioners: list[dict]
    names: dict[str, str]
    successors: Successors
    exceptions: dict  # recorded exceptions in force on the as-of date, by (duty, subject)
    weeks: int  # the response deadline, in weeks
    warning_days: int = 7  # the one due-soon window (a rule parameter)
    pdf: bool = False  # the inspector reports are printed to PDF beside their pages
    accessibility_contact: str = ""  # where people report an accessibility problem (an e-mail address)
    check_finished: dict = field(default_factory=dict)  # when each check finished, by its id

    @functools.cached_property
    def common(self) -> dict:
        """The template context every page shares."""
        return {
            "as_of": self.as_of,
            "check": self.check,
            "last_import": self.last_import,
            "generated": self.generated,
            "site_url": self.site_url.rstrip("/"),
            "stale": self.stale,
            "pdf": self.pdf,
            "accessibility_contact": self.accessibility_contact,
            "rules": self.rules,
            "names": self.names,
            "footer_html": parts().footer(self.as_of, self.check, self.last_import, self.generated),
        }

    @functools.cached_property
    def area_by_code(self) -> dict[str, dict]:
        return {a["area_code"]: a for a in self.areas}

    @functools.cached_property
    def commissioner_by_code(self) -> dict[str, dict]:
        return {c["commissioner_code"]: c for c in self.commissioners}

    @functools.cached_property
    def taken_over(self) -> dict[str, list[str]]:
        """A current area: the areas whose LA duties it acts on now."""
        found: dict[str, list[str]] = defaultdict(list)
        for code in self.area_by_code:
            if self.successors.superseded(code, self.as_of, area=True) is not None:
                found[self.successors.acts_now(code, code, self.as_of)].append(code)
        return found

    def acting_owners(self, code: str) -> list[str]:
        """The commissioners whose duties `code` acts on now: itself and those it took over."""
        return sorted(c for c in self.commissioner_by_code if self.successors.acts_now(c, None, self.as_of) == code)

    def funding(self, conn: Connection, areas: list[str] | None = None) -> dict[str, object]:
        """Trial funding claimed per area (of `areas`, when given)."""
        if FUNDING_DUTY not in self.rules:
            return {}
        params = self.rules[FUNDING_DUTY].parameters
        return funding_claimed(conn, self.as_of, params["scope_start"], params["trial_end"], FUNDING_DUTY, areas)

    def answers(self, conn: Connection, area: str | None = None, owners: list[str] | None = None) -> list[dict]:
        if RESPONSE_DUTY not in self.rules:
            return []
        return recommendation_answers(conn, self.as_of, RESPONSE_DUTY, area=area, owners=owners)


def open_site(
    conn: Connection,
    rules: dict[str, Rule],
    as_of: date | None = None,
    site_url: str = "",
    generated=None,
    pdf: bool = False,
    accessibility_contact: str = "",
) -> Site:
    """What every page shares; `as_of` other than the stored findings' date is a `FindingsError`."""
    held = held_as_of(conn, as_of)
    check = latest_check(conn)
    last_import = latest_import(conn)
    areas, commissioners = areas_and_commissioners(conn)
    names = {a["area_code"]: a["name"] for a in areas}
    names.update({c["commissioner_code"]: c["name"] for c in commissioners})
    stale = bool(last_import and check and last_import.id is not None and last_import.id > check.last_batch)
    weeks = int(rules[RESPONSE_DUTY].parameters.get("response_weeks", 5)) if RESPONSE_DUTY in rules else 5
    warning = next((int(r.parameters["warning_days"]) for r in rules.values() if "warning_days" in r.parameters), 7)
    return Site(
        rules=rules,
        as_of=held,
        check=check,
        last_import=last_import,
        generated=generated or datetime.now(UTC).replace(microsecond=0),
        site_url=site_url,
        stale=stale,
        areas=areas,
        commissioners=commissioners,
        names=names,
        successors=Successors.load(conn),
        exceptions=active_exceptions(conn, held),
        weeks=weeks,
        warning_days=warning,
        pdf=pdf,
        accessibility_contact=accessibility_contact,
        check_finished=check_times(conn),
    )


@dataclass
class Counts:
    """Every finding counted by status: as stored, by (area, owner, duty); and for the
    benchmarks, by who acts now."""

    stored: dict[tuple[str, str, str], dict[str, int]]
    bench: Benchmarks


_COUNTS: dict = {}  # the latest counts per store, for the check and import they count
_COUNTS_LOCK = threading.Lock()


def national_counts(conn: Connection, site: Site) -> Counts:
    """The findings counted (one grouped query), kept per process until another check or import."""
    key = (
        conn.engine.url.render_as_string(),
        getattr(site.check, "id", None),
        getattr(site.check, "finished_at", None),
        getattr(site.last_import, "id", None),
        site.as_of,
    )
    with _COUNTS_LOCK:
        found = _COUNTS.get(key[0])
        if found and found[0] == key:
            return found[1]
    stored = status_counts(conn)
    counted: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for (area_code, owner, duty), statuses in stored.items():
        where = site.successors.acts_now(owner, area_code, site.as_of) if owner == area_code else area_code
        counted[(where, duty)].update(statuses)
    counts = Counts(stored, Benchmarks.from_counts(counted, {a["area_code"]: a.get("region") for a in site.areas}))
    with _COUNTS_LOCK:
        _COUNTS[key[0]] = (key, counts)
    return counts


@dataclass
class AreaData:
    """One area's findings (its own and the LA duties it took over) and what its pages show."""

    area: dict
    rows: list[dict]
    predecessors: list[str]
    tally: Tally = field(default_factory=Tally)

    def __post_init__(self):
        for r in self.rows:
            self.tally.add(r)

    @property
    def code(self) -> str:
        return self.area["area_code"]

    @functools.cached_property
    def actions(self) -> list[dict]:
        return [r for r in self.rows if r["status"] in ACTION_STATUSES]

    def own_exceptions(self, site: Site) -> dict:
        """The recorded exceptions of its findings in force, by (duty, subject)."""
        return {k: x for r in self.actions if (x := site.exceptions.get(k := (r["duty"], r["subject"])))}


def area_data(conn: Connection, site: Site, code: str) -> AreaData | None:
    """An area's findings, with those of the areas it took over; None for an unknown area."""
    area = site.area_by_code.get(code)
    if area is None:
        return None
    taken = site.taken_over.get(code, [])
    own = query_findings(conn, area=code)
    inherited = [r for p in taken for r in query_findings(conn, area=p, owner=p)]
    rows = sorted(own + inherited, key=lambda r: (r["duty"], r["subject"])) if inherited else own  # own: sorted
    return AreaData(area, rows, taken)


@dataclass
class AreaExtras:
    """What an area's pages show beside its findings; the report's part (record counts, import
    batches, the findings' histories) is None when only the dashboard was asked for."""

    answers: list[dict]  # its recommendations judged by the response duty
    funding: object  # trial funding claimed for it and the areas it took over (None: none)
    record_counts: dict | None = None
    batches: list[dict] | None = None
    histories: dict | None = None
    letters: LettersSection | None = None  # its letter templates and Local Offer (None: no documents)


def area_extras(conn: Connection, site: Site, data: AreaData, *, report: bool = False) -> AreaExtras:
    """An area's extras read by its own queries (on request); the report's part when `report`."""
    codes = [data.code, *data.predecessors]
    extras = AreaExtras(site.answers(conn, area=data.code), _claimed(site.funding(conn, codes), codes))
    extras.letters = letters_section(conn, data.code, site.as_of)
    if report:
        extras.record_counts = area_record_counts(conn, data.code).get(data.code, {})
        extras.batches = area_batches(conn, data.code).get(data.code, [])
        extras.histories = action_histories(conn, codes)
    return extras


def _claimed(funding: dict, codes: list[str]):
    claimed = [funding[c] for c in codes if c in funding]
    return sum(claimed) if claimed else None


@dataclass
class Bulk:
    """Every area's extras read at once for a whole publish (a query per area would cost more
    than the one for all). The findings' histories are read per area (`area.family`), and the
    commissioners' findings when first asked for (after the area workers forked), so the
    workers do not inherit them."""

    answers: list[dict]
    funding: dict
    record_counts: dict
    batches: dict
    _owned: dict[str, list[dict]] | None = None

    @functools.cached_property
    def answers_by_area(self) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = defaultdict(list)
        for a in self.answers:
            found[a["area"]].append(a)
        return found

    def extras(self, data: AreaData) -> AreaExtras:
        codes = [data.code, *data.predecessors]
        return AreaExtras(
            self.answers_by_area.get(data.code, []),
            _claimed(self.funding, codes),
            self.record_counts.get(data.code, {}),
            self.batches.get(data.code, []),
        )

    def commissioner_rows(self, conn: Connection, site: Site) -> dict[str, list[dict]]:
        """Every commissioner's findings by the owner in the records (one query, kept)."""
        if self._owned is None:
            self._owned = defaultdict(list)
            for r in query_findings(conn, owners=sorted(site.commissioner_by_code)):
                self._owned[r["owner"]].append(r)
        return self._owned


def bulk(conn: Connection, site: Site) -> Bulk:
    return Bulk(site.answers(conn), site.funding(conn), area_record_counts(conn), area_batches(conn))


def area_explanations(conn: Connection, site: Site, data: AreaData, histories: dict | None) -> dict:
    """The explanation of each of the area's findings needing action, by (duty, subject), each
    as of the check that last changed it."""
    return explain_stored(conn, site.rules, data.actions, None, histories)


@dataclass
class CommissionerData:
    commissioner: dict
    rows: list[dict]
    answers: list[dict]


def commissioner_data(conn: Connection, site: Site, code: str, bulk: Bulk | None = None) -> CommissionerData | None:
    """A commissioner's findings and recommendations: a current one's own and those it took
    over; a superseded one's own (its history). None for an unknown commissioner."""
    commissioner = site.commissioner_by_code.get(code)
    if commissioner is None:
        return None
    superseded = site.successors.superseded(code, site.as_of, area=False) is not None
    owners = [code] if superseded else site.acting_owners(code)
    known = site.area_by_code
    if bulk is None:
        rows = [r for o in owners for r in query_findings(conn, owner=o)]
        answers = site.answers(conn, owners=owners)
    else:
        owned = bulk.commissioner_rows(conn, site)
        rows = [r for o in owners for r in owned.get(o, [])]
        answers = [a for a in bulk.answers if a["owner"] in owners]
    rows = [r for r in rows if r["area"] in known]
    if not superseded:
        rows = [r for r in rows if r["acts_now"] == code]
        answers = [a for a in answers if _acts(site, a) == code]
    return CommissionerData(commissioner, sorted(rows, key=lambda r: (r["duty"], r["subject"])), answers)


def _acts(site: Site, answer: dict) -> str:
    return site.successors.acts_now(answer["owner"], answer["area"], site.as_of)


def finding(conn: Connection, duty: str, subject: str) -> dict | None:
    """One stored finding needing action (it has an explanation page), or None."""
    found = query_findings(conn, duty=duty, subject=subject)
    return found[0] if found and found[0]["status"] in ACTION_STATUSES else None


def explanation(conn: Connection, site: Site, row: dict) -> object:
    """The explanation of one stored finding, as of the check that last changed it."""
    return explain_stored(conn, site.rules, [row], None)[(row["duty"], row["subject"])]
