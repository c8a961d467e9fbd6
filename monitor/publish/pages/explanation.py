"""A finding's explanation page: what happened, who acts now, the next step, and the evidence."""

from __future__ import annotations

from datetime import date

from monitor.paths import area_path, case_path, explanation_path
from monitor.publish.context import appeal_closure, rel
from monitor.publish.page import Page
from monitor.publish.render import parts
from monitor.publish.site import Site
from monitor.publish.stamp import stamp
from monitor.publish.words import day


def page(site: Site, e) -> Page:
    """The page of one explanation (a findings.Explanation, as of the check that last changed
    its finding) in its area's folder."""
    path = explanation_path(e.area, e.duty.id, e.subject)
    here = path.rsplit("/", 1)[0] + "/"
    acts = who_acts(site.successors, site.names, e.owner, e.area, site.as_of)  # a handover since: a full publish
    shared = parts()
    context = {
        **site.common,
        **stamp(site, e.as_of, e.stored["check_id"]),
        "title": f"{e.duty.short_title} · {e.subject}",
        "e": e,
        "area": site.area_by_code.get(e.area) or {"area_code": e.area, "name": ""},
        "charts": {},
        "acts": acts,
        "plain": plain_words(e, acts),
        # a closed breach's plain sentence opens with the closure; any other finding says it first here
        "closure": appeal_closure(e.records, e.as_of) if e.duty.next_step_at(e.row_number) else None,
        "case_href": rel(here, case_path(e.area, e.case_ref)) if e.case_ref else None,
        "back": rel(here, area_path(e.area) + "index.html"),
        "decision_table": shared.decision_table,
        "rule_source": shared.rule_source,
    }
    commissioner = e.owner if e.owner in site.commissioner_by_code else None
    return Page("explain.html", path, context, area=e.area, commissioner=commissioner, case_refs=_refs(e.case_ref))


def _refs(ref: str | None) -> tuple[str, ...]:
    return (ref,) if ref else ()


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def plain_words(e, acts: dict) -> dict:
    """The sentences an explanation page opens with: what happened, who acts now, the next step.

    `e` is a findings.Explanation; `acts` says who acts now ({"code", "name", "hops": [{"from",
    "from_name", "to", "to_name", "on"}], "owner_name"})."""
    due, done = day(e.due_on), day(e.done_on)
    closed = not e.duty.next_step_at(e.row_number)  # nothing can be done any more (the appeal closed)
    what = {
        "overdue": f"This was due on {due} and has not been done: it is {_days(e.days_late)} overdue.",
        "late": f"This was due on {due} and was done {_days(e.days_late)} late, on {done}.",
        "breached": f"{e.reason[:1].upper()}{e.reason[1:]}: this duty was not met."
        if closed and e.reason
        else "This duty was not met" + (f": {e.reason}." if e.reason else "."),
        "due_soon": f"This is due on {due} and has not been done yet.",
        "pending": f"This is due on {due} and has not been done yet." if e.due_on else "This is not due yet.",
        "exception": "This would be a breach, but an exception is in force" + (f": {e.reason}." if e.reason else "."),
        "data_gap": "This cannot be judged because the records are incomplete"
        + (f": {e.reason}." if e.reason else "."),
        "met": f"This was done on time, on {done}.",
    }.get(e.status, "")
    who = f"{acts['name'] or acts['code']} ({acts['code']}) must act."
    if closed:
        who = f"{acts['name'] or acts['code']} ({acts['code']}) was responsible; nothing is asked of anyone now."
    elif acts["hops"]:
        last = acts["hops"][-1]
        who = (
            f"{acts['name'] or acts['code']} ({acts['code']}) acts now: it took over the duties of "
            f"{last['from_name'] or last['from']} ({last['from']}) on {day(last['on'])}."
        )
    if e.status == "exception":
        expires = (e.exception or {}).get("expires_on")
        step = "Nothing is needed while the exception is in force" + (f" (until {day(expires)})." if expires else ".")
    elif e.status == "data_gap":
        step = (
            "Fill in the missing field in the case-management system and send the next export; "
            "the next check judges it."
        )
    elif e.status == "late":
        step = "Nothing more is due on this duty; it stays on record as done late."
    elif closed:
        step = "Nothing can be done on this duty any more; it stays on record as not done."
    else:
        step = e.duty.next_step or "See the duty's legal source below."
    return {"what": what, "who": who, "next": step}


def who_acts(successors, names: dict[str, str], owner: str, area: str, on: date) -> dict:
    """Who is responsible on `on` for a duty the records give to `owner`, and by which handovers."""
    hops = successors.chain(owner, area, on)
    code = hops[-1].to_body.code if hops else owner
    return {
        "code": code,
        "name": names.get(code, ""),
        "owner": owner,
        "owner_name": names.get(owner, ""),
        "hops": [
            {
                "from": h.from_body.code,
                "from_name": h.from_body.name,
                "to": h.to_body.code,
                "to_name": h.to_body.name,
                "on": h.on,
            }
            for h in hops
        ],
    }
