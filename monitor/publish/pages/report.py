"""An area's inspector report: per duty its rate, how it is measured and its legal source,
the breaches with their evidence, exceptions and data gaps, and the data's provenance."""

from __future__ import annotations

from collections import defaultdict

from monitor.paths import area_path, explanation_path
from monitor.publish.context import rel
from monitor.publish.page import Page
from monitor.publish.render import LONG_LISTING
from monitor.publish.site import AreaData, AreaExtras, Site


def page(
    site: Site,
    data: AreaData,
    numbers: dict,
    explanations: dict,
    extras: AreaExtras,
) -> Page:
    """The report of the area of `data`, from its dashboard's `numbers` and its explanations."""
    code, area, rules = data.code, data.area, site.rules
    folder = area_path(code)
    by_duty: dict[str, dict[str, list]] = {d: defaultdict(list) for d in rules}
    for (duty, _subject), e in sorted(explanations.items()):
        by_duty[duty][e.status].append(e)
    context = {
        **site.common,
        "title": f"Inspector report: {code} {area['name']}",
        "area": area,
        "duties": numbers["duties"],
        "by_duty": by_duty,
        "total": numbers["total"],
        "overall": numbers["overall"],
        "long_closed": [d for d in rules if len(by_duty[d]["late"]) + len(by_duty[d]["breached"]) > LONG_LISTING],
        "record_counts": extras.record_counts,
        "batches": extras.batches,
        "charts": {},
        "bins": numbers["bins"],
        "outcomes": numbers["outcomes"],
        "funding": extras.funding,
        "href_of": lambda e: rel(folder, explanation_path(e.area, e.duty.id, e.subject)),
    }
    refs = tuple(sorted({e.case_ref for e in explanations.values() if e.case_ref}))
    return Page("report.html", folder + "report.html", context, area=code, case_refs=refs)
