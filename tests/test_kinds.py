"""The alert kinds table: every kind's message has both templates, priorities are distinct,
and a digest files an item under its leading event (a closed breach for the record)."""

from __future__ import annotations

import pytest

from monitor.alerts.kinds import KINDS, SECTIONS, leading, section_of
from monitor.alerts.render import TEMPLATES


def test_every_kind_has_its_templates_and_a_distinct_priority():
    for kind in KINDS.values():
        assert (TEMPLATES / f"{kind.template}.txt").is_file(), kind
        assert (TEMPLATES / f"{kind.template}.html").is_file(), kind
        assert kind.section in {key for key, _ in SECTIONS} | {None}
    assert len({k.priority for k in KINDS.values()}) == len(KINDS)


@pytest.mark.parametrize(
    "kinds, status, section",
    [
        ({"breach", "reminder", "escalation"}, "overdue", "act_now"),
        ({"breach", "inherited"}, "overdue", "act_now"),
        ({"reminder"}, "overdue", "act_now"),
        ({"due_soon"}, "due_soon", "act_now"),
        ({"breach"}, "late", "record"),
        ({"breach"}, "breached", "record"),
        ({"resolution"}, "met", "resolved"),
    ],
)
def test_an_item_is_filed_under_its_leading_event(kinds, status, section):
    assert section_of(kinds, status) == section


def test_the_leading_event_is_the_most_important():
    assert leading({"reminder", "breach", "inherited"}).name == "inherited"
    assert leading({"due_soon"}).name == "due_soon"
