"""Rendering: the Jinja2 environment over `dashboards/`, its filters and shared fragments."""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from monitor.findings import ACTION_STATUSES, RATE_STATUSES
from monitor.publish.context import STATUS_COLOURS, STATUS_LABELS, fmt_rate
from monitor.resources import dashboards_dir
from monitor.rules import Rule

DASHBOARDS = dashboards_dir()


@functools.lru_cache(maxsize=None)
def _fmt_date(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{value.day} {value.strftime('%b %Y')}"


def _fmt_value(value) -> str:
    if value is None:
        return "blank"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt_value(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _money(value) -> str:
    return f"£{Decimal(value or 0):,.2f}"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(DASHBOARDS), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(d=_fmt_date, rate=fmt_rate, value=_fmt_value, money=_money)
    tags = {s: Markup('<strong class="tag tag--{}">{}</strong>').format(STATUS_COLOURS[s], label)
            for s, label in STATUS_LABELS.items()}
    env.globals.update(STATUS_LABELS=STATUS_LABELS, STATUS_COLOURS=STATUS_COLOURS,
                       RATE_STATUSES=RATE_STATUSES, ACTION_STATUSES=ACTION_STATUSES, tag=tags.__getitem__)
    return env


class _Parts:
    """Fragments shared by many explanation pages, rendered once each (`dashboards/parts.html`)."""

    def __init__(self, env: Environment):
        self.module = env.get_template("parts.html").module
        self.cache: dict = {}

    def decision_table(self, rule: Rule, matched: int) -> Markup:
        key = ("table", rule.id, matched)
        if key not in self.cache:
            self.cache[key] = Markup(self.module.decision_table(rule, matched))
        return self.cache[key]

    def rule_source(self, rule: Rule, stored_version: str) -> Markup:
        key = ("source", rule.id, stored_version)
        if key not in self.cache:
            self.cache[key] = Markup(self.module.rule_source(rule, stored_version))
        return self.cache[key]

