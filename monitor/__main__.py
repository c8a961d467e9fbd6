"""`python -m monitor` is `send-monitor`."""

from monitor.cli import app

app(prog_name="send-monitor")
