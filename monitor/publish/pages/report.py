"""An area's inspector report, to be cited: numbered sections (3 = a section, 3.2 = a duty in
it), the same for the same rules; a first page of key findings; a contents list (its page
numbers filled in when printed: `contents`); the duties in the order of the process, each
measure in one plain sentence, the decision tables in an annex; and the breaches with their
evidence, exceptions, data gaps and the data's provenance."""

from __future__ import annotations

from collections import defaultdict

from monitor.paths import area_path, explanation_path
from monitor.publish.context import MIN_JUDGED, rel
from monitor.publish.page import Page
from monitor.publish.render import LONG_LISTING
from monitor.publish.site import AreaData, AreaExtras, Site

# The duties in the order of the process: the letter and the Local Offer, the contact, the
# evidence, the hearing, the response, its content, its return to the evaluators, the funding.
PROCESS = (
    "rights-notice",
    "letter-wording",
    "local-offer",
    "local-offer-wording",
    "commissioner-contacted",
    "la-evidence",
    "commissioner-evidence",
    "hearing-attendance",
    "response-5-weeks",
    "response-content",
    "evaluator-return",
    "funding-cap",
)
# Each duty's measure in one plain sentence (parameter names are written out as their values).
MEASURES = {
    "rights-notice": "The share of decision letters that told the family of the right to ask the Tribunal "
    "for health and social care recommendations.",
    "local-offer": "Whether the area's Local Offer explained the extended rights by local_offer_due.",
    "commissioner-contacted": "The share of the health and social care issues raised in appeals on which the LA "
    "contacted the commissioner by the Tribunal's deadline for the LA's response.",
    "la-evidence": "The share of appeals in which the LA sent the Tribunal its response, with the "
    "commissioners' evidence, by the Tribunal's deadline.",
    "commissioner-evidence": "The share of the Tribunal's requests for information that the commissioner "
    "answered by the date the Tribunal set.",
    "hearing-attendance": "The share of hearings needing a commissioner's witness at which one attended.",
    "response-5-weeks": "The share of recommendations answered (to the family and, for health, to the LA) "
    "within response_weeks weeks, the day the recommendation was made counting as day 1.",
    "response-content": "The share of responses that stated the steps decided on and, where the recommendation "
    "was not followed, the reasons.",
    "evaluator-return": "The share of responses the LA sent to the evaluators within return_weeks weeks of "
    "receiving them.",
    "funding-cap": "The share of appeals whose trial funding claims stayed within funding_cap_gbp per case "
    "and left out legal costs.",
}
KEY = 3  # duties furthest above and below England's rate on the first page
LONG_OVERDUE = 30  # days: open breaches this long overdue are counted on the first page


def in_process_order(duties: list[str]) -> list[str]:
    """The duties in the order of the process; any other duty after them, by id."""
    known = [d for d in PROCESS if d in duties]
    return known + sorted(d for d in duties if d not in PROCESS)


def key_findings(duties: list[dict], open_breaches: list[dict]) -> dict:
    """The first page: the duties furthest above and below England's rate (fewer than
    MIN_JUDGED judged left out) and the open breaches more than LONG_OVERDUE days overdue."""
    compared = [d for d in duties if d["n"] >= MIN_JUDGED and d["rate"] is not None and d["england_rate"] is not None]
    by_gap = sorted(compared, key=lambda d: (d["rate"] - d["england_rate"], d["duty"]))
    long_overdue = [r for r in open_breaches if r["days_late"] > LONG_OVERDUE]
    per_duty: dict[str, int] = defaultdict(int)
    for r in long_overdue:
        per_duty[r["duty"]] += 1
    return {
        "above": [d for d in reversed(by_gap) if d["rate"] > d["england_rate"]][:KEY],
        "below": [d for d in by_gap if d["rate"] < d["england_rate"]][:KEY],
        "few": [d for d in duties if 0 < d["n"] < MIN_JUDGED],
        "long_overdue": len(long_overdue),
        "long_overdue_by_duty": [(d, per_duty[d]) for d in in_process_order(list(per_duty))],
        "days": LONG_OVERDUE,
        "min_judged": MIN_JUDGED,
    }


def sections(rules: dict, duties: list[str], long_closed: list[str]) -> list[dict]:
    """The numbered sections and their parts, as the contents list shows them."""

    def part(number: str, section_id: str, title: str, parts: list | None = None) -> dict:
        return {"number": number, "id": section_id, "title": title, "parts": parts or []}

    found = [
        part("1", "key-findings", "Key findings"),
        part("2", "summary", "Summary by duty"),
        part(
            "3",
            "duties",
            "The duties, in the order of the process",
            [part(f"3.{i}", f"duty-{d}", rules[d].short_title) for i, d in enumerate(duties, start=1)],
        ),
        part("4", "about", "Where the figures come from"),
        part(
            "Annex A",
            "annex-a",
            "Decision tables",
            [part(f"A.{i}", f"table-{d}", rules[d].short_title) for i, d in enumerate(duties, start=1)],
        ),
    ]
    if long_closed:
        found.append(
            part(
                "Annex B",
                "annex-b",
                "Every closed breach",
                [part(f"B.{i}", f"appendix-{d}", rules[d].short_title) for i, d in enumerate(long_closed, start=1)],
            )
        )
    return found


def page(site: Site, data: AreaData, numbers: dict, explanations: dict, extras: AreaExtras) -> Page:
    """The report of the area of `data`, from its dashboard's `numbers` and its explanations."""
    code, area, rules = data.code, data.area, site.rules
    folder = area_path(code)
    by_duty: dict[str, dict[str, list]] = {d: defaultdict(list) for d in rules}
    for (duty, _subject), e in sorted(explanations.items()):
        by_duty[duty][e.status].append(e)
    order = in_process_order(list(rules))
    rows = {d["duty"]: d for d in numbers["duties"]}
    duties = [rows[d] for d in order if d in rows]
    long_closed = [d for d in order if len(by_duty[d]["late"]) + len(by_duty[d]["breached"]) > LONG_LISTING]
    numbered = sections(rules, order, long_closed)
    context = {
        **site.common,
        "title": f"Inspector report: {code} {area['name']}",
        "area": area,
        "duties": duties,
        "by_duty": by_duty,
        "total": numbers["total"],
        "overall": numbers["overall"],
        "key": key_findings(duties, numbers["lists"]["open_breaches"]),
        "sections": numbered,
        "number_of": {p["id"]: p["number"] for s in numbered for p in (s, *s["parts"])},
        "measures": MEASURES,
        "long_closed": long_closed,
        "record_counts": extras.record_counts,
        "batches": extras.batches,
        "charts": {},
        "bins": numbers["bins"],
        "outcomes": numbers["outcomes"],
        "funding": extras.funding,
        "letters": extras.letters,
        "letters_href": lambda duty, subject: rel(folder, explanation_path(code, duty, subject)),
        "href_of": lambda e: rel(folder, explanation_path(e.area, e.duty.id, e.subject)),
    }
    refs = tuple(sorted({e.case_ref for e in explanations.values() if e.case_ref}))
    return Page("report.html", folder + "report.html", context, area=code, case_refs=refs)
