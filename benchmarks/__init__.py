"""Benchmarks of the daily cycle at national scale: `make bench` (python -m benchmarks.run)."""
