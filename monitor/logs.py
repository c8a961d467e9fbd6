"""Logging: one handler on stderr, set up once per command by the CLI.

Format: `2026-12-01T06:00:02+0000 INFO send_monitor.scheduler: message` (ISO time with
the offset, level, logger, message). Messages never hold record values.
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# send-monitor's own loggers and those of the libraries whose messages matter to its operators.
LOGGERS = ("send_monitor", "apscheduler", "alembic")


class _Handler(logging.StreamHandler):
    """Ours, so that configuring again replaces it (and leaves other handlers alone).

    It writes to whatever `sys.stderr` is when a record is emitted, so a record logged
    after the stream it was configured with is gone (a test runner's capture) still lands."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def configure(level: str = "INFO") -> None:
    """Log at `level` and above to the current stderr; Alembic's chatter only at DEBUG."""
    handler = _Handler()
    handler.setFormatter(logging.Formatter(FORMAT, DATE_FORMAT))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, _Handler)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
