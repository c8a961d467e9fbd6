"""Tests of the served dashboards (monitor/web/)."""
