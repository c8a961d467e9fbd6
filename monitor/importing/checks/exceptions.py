"""Recorded exceptions: the duty is one the rules define."""

from __future__ import annotations

from monitor.importing.checks.registry import Part, check
from monitor.importing.session import Session


@check("exceptions")
def known_duty(session: Session, part: Part) -> None:
    if "duty" not in part.index:
        return
    i = part.index["duty"]
    for rownum, values in part.chunk:
        if values[i] is not None and values[i] not in session.duty_ids:
            session.problem(
                part.label,
                rownum,
                part.source("duty"),
                values[i],
                "unknown duty id: expected one of " + ", ".join(sorted(session.duty_ids)),
            )
