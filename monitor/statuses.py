"""A finding's statuses: their names, labels for people, colours, and the groups they fall in.

Every face reads statuses from here: the rules validate a table's statuses against
`STATUSES`, the site colours and labels them, the compliance rate counts `RATE_STATUSES`,
the alerts tell of `BREACH_STATUSES`.
"""

from __future__ import annotations

STATUSES = (
    "met",
    "late",
    "overdue",
    "breached",
    "due_soon",
    "pending",
    "exception",
    "data_gap",
    "not_applicable",
)
STATUS_LABELS = {
    "met": "Met",
    "late": "Late",
    "overdue": "Overdue",
    "breached": "Breached",
    "due_soon": "Due soon",
    "pending": "Pending",
    "exception": "Exception",
    "data_gap": "Data gap",
    "not_applicable": "Not applicable",
}
STATUS_COLOURS = {
    "met": "green",
    "late": "orange",
    "overdue": "red",
    "breached": "red",
    "due_soon": "yellow",
    "pending": "grey",
    "exception": "purple",
    "data_gap": "blue",
    "not_applicable": "grey",
}
OPEN_STATUSES = ("pending", "due_soon", "overdue")  # not done yet: they move with the as-of date alone
RATE_STATUSES = ("met", "late", "overdue", "breached")  # counted in the compliance rate
ACTION_STATUSES = ("overdue", "late", "breached", "exception", "data_gap", "due_soon")  # listed for action
BREACH_STATUSES = ("overdue", "late", "breached")  # a duty not done in time
RESOLVED_STATUSES = ("met", "exception")  # a breach that ends in these is resolved
