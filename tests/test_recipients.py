"""Who gets what, for every recipient of the demo data: each item in the section its owner and
`acts_now` put it in (Act now: open and the recipient acts for it; Escalated to you: open and
another body acts; For the record: closed), and the subject's counts are the sections' counts."""

from __future__ import annotations

import re

from conftest import SAMPLE
from test_alerts import _addresses, by_recipient, expected_digests, ok, plain, write_config

from monitor.alerts.kinds import SECTIONS
from monitor.findings import query_findings
from monitor.paths import explanation_path
from monitor.store import open_store

TITLES = {title.upper(): key for key, title in SECTIONS}


def by_section(text: str) -> tuple[dict[str, int], dict[str, str]]:
    """The count under each section heading, and the section each explanation link is listed in."""
    counts, where, section = {}, {}, None
    for line in text.splitlines():
        m = re.match(r"^([A-Z][A-Z ]+) \((\d+)\)$", line)
        if m and m.group(1) in TITLES:
            section = TITLES[m.group(1)]
            counts[section] = int(m.group(2))
        m = re.match(r"^\s+Why: (\S+)$", line)
        if m:
            where[m.group(1)] = section
    return counts, where


def test_every_demo_item_is_in_the_section_its_owner_and_acts_now_give(sqlite_url, smtp, tmp_path):
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", SAMPLE, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    with open_store(sqlite_url).connect() as conn:
        expected = expected_digests(query_findings(conn))
    address = _addresses()
    ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert set(got) == set(expected) and len(got) > 3
    escalated_somewhere = 0
    for to, message in got.items():
        text = plain(message)
        counts, where = by_section(text)
        want: dict[str, int] = {}
        for f in expected[to]:
            if f["status"] in ("overdue", "due_soon"):
                mine = address[f["acts_now"]] == to
                section = "act_now" if mine else "escalated"
                escalated_somewhere += not mine
            else:
                section = "record"
            want[section] = want.get(section, 0) + 1
            link = "https://monitor.example.org/" + explanation_path(f["area"], f["duty"], f["subject"])
            if section != "record" or link in where:  # large groups of closed items are counted, not listed
                assert where[link] == section, (to, f["duty"], f["subject"], f["owner"], f["acts_now"])
        assert counts == want, to
        # the subject's counts are the sections' counts, in the sections' words
        subject = str(message.message["Subject"])
        said = dict(re.findall(r"(Act now|Escalated to you|For the record|Resolved): (\d+)", subject))
        assert {TITLES[k.upper()]: int(n) for k, n in said.items()} == counts, subject
    assert escalated_somewhere  # the demo has breaches copied to a SEND lead
