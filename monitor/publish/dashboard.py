"""What area and commissioner dashboards share: the numbers behind their tables and charts,
the action listings, and the findings exports beside the page."""

from __future__ import annotations

from monitor.publish.context import Tally, _exception_info, _listing, month_rows, outcome_table, rate, response_bins
from monitor.publish.write import _Writer


def dashboard(
    writer: _Writer,
    folder: str,
    here: str,
    rows: list[dict],
    tally: Tally,
    duties: list[dict],
    answers: list[dict],
    weeks: int,
    exceptions: dict,
    workbook: str | None = None,
) -> dict:
    """The board of the body `here` (its page in `folder`), and findings.csv / findings.json
    (and findings.xlsx when `workbook` names it) beside the page."""
    as_of = writer.common["as_of"]
    lists = _listing(rows, folder, writer.common["names"], as_of, here)
    _exception_info(exceptions, lists["exceptions"])
    total = tally.total()
    writer.exports(folder, as_of, rows, workbook)
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
