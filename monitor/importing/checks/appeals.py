"""Appeals: `closed_on` is required when status is not `open` and refused when it is (the
stored value counts when the file has no closed_on column)."""

from __future__ import annotations

from itertools import repeat
from operator import eq, is_

from monitor.importing.checks.registry import Part, check
from monitor.importing.session import Session


@check("appeals", stored=("closed_on",))
def closed_on(session: Session, part: Part) -> None:
    index = part.index
    if "status" not in index:
        return
    si, ci = index["status"], index.get("closed_on")
    if ci is not None and _all_agree(part.chunk.columns[si], part.chunk.columns[ci]):
        return
    for rownum, values in part.chunk:
        status = values[si]
        if status is None:
            continue
        if ci is not None:
            closed = values[ci]
        else:
            closed = part.stored.get((values[index["appeal_id"]],), {}).get("closed_on")
        column = part.source("closed_on")
        shown = closed.isoformat() if closed else ""
        if status == "open" and closed is not None:
            session.problem(part.label, rownum, column, shown, "must be blank when status is open")
        elif status != "open" and closed is None:
            session.problem(part.label, rownum, column, shown, f"required when status is {status}")


def _all_agree(statuses, closed) -> bool:
    """Column by column: every row has a status, and a closing date exactly when it is not open."""
    return None not in statuses and list(map(eq, statuses, repeat("open"))) == list(map(is_, closed, repeat(None)))
