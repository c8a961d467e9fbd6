"""send-monitor: the compliance monitor for the SEND Tribunal's extended appeals."""

__version__ = "0.2.0"
