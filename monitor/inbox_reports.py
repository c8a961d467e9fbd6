"""The reports left beside a failed inbox export: `.errors.txt` for people (problems grouped by
cause, then the first 1,000) and `.problems.csv` with every problem; when that is over 1 MB,
`.problems-first-1000.csv` too, the one an e-mail attaches."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from monitor.importing.problems import Problem, write_report
from monitor.importing.summary import SHOWN_PROBLEMS, summary_lines

log = logging.getLogger("send_monitor.inbox")

ATTACHMENT_BYTES = 1 << 20  # the most an e-mail attaches


def write_failure(target: Path, name: str, when: datetime, problems: list[Problem]) -> Path | None:
    """Write the reports beside `target` (the failed export's new place); the report to attach,
    or None when none could be written (the failure is still recorded)."""
    try:
        text = target.with_name(target.name + ".errors.txt")
        text.write_text(
            f"send-monitor could not import {name[:200]} ({when:%Y-%m-%d %H:%M:%S %Z}).\n"
            f"{len(problems)} problem(s); nothing from this export was imported.\n"
            f"Fix the files and put the export back in the inbox.\n\n" + "\n".join(summary_lines(problems)) + "\n",
            encoding="utf-8",
        )
        report = target.with_name(target.name + ".problems.csv")
        write_report(report, problems)
        if report.stat().st_size <= ATTACHMENT_BYTES:
            return report
        first = target.with_name(target.name + f".problems-first-{SHOWN_PROBLEMS}.csv")
        write_report(first, problems[:SHOWN_PROBLEMS])
        return first
    except OSError as exc:
        log.error("the reports of export %s could not be written (%s)", name[:200], exc.strerror)
        return None
