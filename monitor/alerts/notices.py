"""The notices: messages that are not about a finding. A failed inbox export goes to the
area's SEND team (else the administrator), once; an area gone quiet gets one reminder per
quiet spell, and the administrator a daily summary of the quiet areas."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from monitor.addresses import valid_address
from monitor.alerts.events import ExportFailure, QuietArea
from monitor.alerts.recipients import Body, Digest, Directory
from monitor.alerts.render import PRODUCT, plural, uk_date, write
from monitor.config import Config


def export_failure_notice(
    failure: ExportFailure, directory: Directory, config: Config
) -> tuple[Digest | None, Body | None]:
    """The e-mail about a failed export: to the area's SEND team, else to the administrator.

    Returns (message, None), or (None, the area without a usable address) when neither can be reached."""
    area = directory.areas.get(failure.area) if failure.area else None
    if area is not None and area.usable:
        address, bodies = area.usable, [area]
    elif valid_address(config.alerts.admin_email):
        address, bodies = config.alerts.admin_email, []
    else:
        return None, area or Body(failure.area or "?", failure.area or "an unknown area", "area", None)
    attachments, missing = [], False
    if failure.report:
        try:
            content = Path(failure.report).read_text(encoding="utf-8")
            attachments.append({"filename": Path(failure.report).name, "content_type": "text/csv", "content": content})
        except (OSError, UnicodeDecodeError):
            missing = True
    who = area.name if area else (f"Area {failure.area}" if failure.area else "An export of unknown area")
    context = {
        "who": who,
        "at": uk_date(failure.at.date()),
        "time": failure.at.strftime("%H:%M UTC"),
        "problems": failure.problems,
        "attached": bool(attachments),
        "missing": missing,
        "to_admin": not bodies,
        "area": failure.area,
    }
    digest = Digest(
        address,
        bodies,
        kind="export_failed",
        subject=f"{who} — export not imported: {plural(failure.problems, 'problem')} to fix ({PRODUCT})",
        attachments=attachments,
        notice_keys=[("export_failed", failure.key)],
    )
    return write(digest, context), None


def quiet_notices(
    quiet: list[QuietArea], announced: set[str], directory: Directory, config: Config, now_day: date
) -> tuple[list[Digest], list[Body]]:
    """One reminder per quiet area (once per quiet spell) and the administrator's daily summary."""
    days = config.alerts.quiet_after_days
    out, unreachable = [], []
    for q in quiet:
        if q.key() in announced:
            continue
        area = directory.area(q.code)
        if not area.usable:
            unreachable.append(area)
            continue
        context = {
            "who": area.name,
            "last": uk_date(q.last_import.date()),
            "days": days,
            "since": (now_day - q.last_import.date()).days,
        }
        digest = Digest(
            area.usable,
            [area],
            kind="quiet_area",
            subject=f"{area.name} — no records received for {context['since']} days ({PRODUCT})",
            notice_keys=[("quiet_area", q.key())],
        )
        out.append(write(digest, context))
    summary_key = f"quiet-summary:{now_day.isoformat()}"
    if quiet and valid_address(config.alerts.admin_email) and summary_key not in announced:
        rows: list[dict[str, Any]] = [
            {
                "area": directory.area(q.code).label,
                "last": uk_date(q.last_import.date()),
                "since": (now_day - q.last_import.date()).days,
            }
            for q in quiet
        ]
        rows.sort(key=lambda r: -r["since"])
        context = {"rows": rows, "days": days, "today": uk_date(now_day)}
        digest = Digest(
            config.alerts.admin_email,
            [],
            kind="quiet_summary",
            subject=f"{plural(len(rows), 'area')} gone quiet ({PRODUCT}, {uk_date(now_day)})",
            notice_keys=[("quiet_summary", summary_key)],
        )
        out.append(write(digest, context))
    return out, unreachable
