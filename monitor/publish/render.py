"""Rendering: the Jinja2 environment over `dashboards/`, its filters and shared fragments, and
`render_page`, the one way a page becomes HTML."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from monitor.publish.charts import in_single_quotes
from monitor.publish.context import MIN_JUDGED, fmt_rate
from monitor.publish.labels import field_label, record_label
from monitor.publish.page import Page
from monitor.publish.words import day, field_value, money, value, when, written, written_parameter
from monitor.resources import dashboards_dir
from monitor.rules import Rule, next_step_in_words
from monitor.statuses import ACTION_STATUSES, RATE_STATUSES, STATUS_COLOURS, STATUS_LABELS

LONG_LISTING = 20  # a report lists more closed breaches of one duty by month, in full in an appendix
DASHBOARDS = dashboards_dir()


def css_string(text: str) -> Markup:
    """A quoted CSS string safe inside a <style> element: anything but letters, digits and
    spaces becomes a CSS escape."""
    return Markup(
        '"' + "".join(c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):x} " for c in str(text)) + '"'
    )


def month_summary(found: list) -> list[dict]:
    """Closed breaches (explanations) counted by the month they fell due, oldest first."""
    months: dict[str, dict] = {}
    for e in found:
        key = e.due_on.strftime("%Y-%m") if e.due_on else ""
        m = months.setdefault(
            key,
            {"label": e.due_on.strftime("%B %Y") if e.due_on else "no due date", "late": 0, "breached": 0, "most": 0},
        )
        m["late" if e.status == "late" else "breached"] += 1
        m["most"] = max(m["most"], e.days_late)
    return [months[k] for k in sorted(months)]


@functools.cache
def environment() -> Environment:
    """The template environment (one per process)."""
    tags = {
        s: Markup('<strong class="tag tag--{}">{}</strong>').format(STATUS_COLOURS[s], label)
        for s, label in STATUS_LABELS.items()
    }
    env = Environment(
        loader=FileSystemLoader(DASHBOARDS),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # a process renders thousands of pages: no look at the files for each
    )
    env.filters.update(
        d=day,
        when=when,
        rate=fmt_rate,
        value=value,
        money=money,
        written=written,
        css_string=css_string,
        in_single_quotes=in_single_quotes,
        parameter=lambda value, name: written_parameter(name, value),
        in_words=next_step_in_words,
        # filters, not functions, in the pages' loops: Jinja calls a filter directly
        tag=tags.__getitem__,
        record_label=record_label,
        field_label=field_label,
        field_value=lambda v, field: field_value(field, v),
    )
    env.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        STATUS_COLOURS=STATUS_COLOURS,
        RATE_STATUSES=RATE_STATUSES,
        ACTION_STATUSES=ACTION_STATUSES,
        month_summary=month_summary,
        LONG_LISTING=LONG_LISTING,
        MIN_JUDGED=MIN_JUDGED,
    )
    return env


def render_page(page: Page) -> str:
    """The page's HTML: its template rendered with its context, links relative to its path."""
    template = environment().get_template(page.template)
    return template.render(**page.context, root="../" * page.path.count("/"), here=page.path)


@functools.cache
def parts() -> Parts:
    """The shared fragments (one set per process)."""
    return Parts(environment())


class Parts:
    """Fragments shared by many pages, rendered once each (`dashboards/parts.html`)."""

    def __init__(self, env: Environment):
        self.module: Any = env.get_template("parts.html").module  # the template's macros
        self.cache: dict = {}

    def footer(self, as_of: date, check, last_import, generated) -> Markup:
        return Markup(self.module.footer(as_of, check, last_import, generated))

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
