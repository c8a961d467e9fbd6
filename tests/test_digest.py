"""What a digest says, through the CLI against a real SMTP server: the subject names the body and
what needs action now; sections Act now, Escalated, For the record, Resolved in that order; the
sort order inside Act now; next steps; an old breach escalated on the first run; UK dates in both
parts; area-level items; no column repeating the recipient; --preview writes files and nothing else.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

from conftest import SAMPLE, write_records
from sqlalchemy import func, select
from test_alerts import by_recipient, ok, write_config

from monitor.alerts.render import uk_date
from monitor.models import AlertEvent, OutboxMessage, RunRecord
from monitor.store import open_store

TEAM, QRL = "team@area852.example.org", "send@qrl.example.org"
SUBJECT = "Area 852 — Act now: 6 · Escalated to you: 1 · For the record: 7 (SEND extended appeals)"


def _appeal(appeal_id, case_ref, decided, registered, due, sent=""):
    return {
        "appeal_id": appeal_id,
        "area_code": "852",
        "case_ref": case_ref,
        "decision_type": "plan_issued",
        "decision_date": decided,
        "registered_on": registered,
        "health_issue": "true",
        "social_care_issue": "false",
        "la_response_due_on": due,
        "la_response_sent_on": sent,
        "hearing_on": "",
        "status": "open",
        "closed_on": "",
    }


def _evidence(appeal_id, contacted, due):
    return {
        "appeal_id": appeal_id,
        "commissioner_code": "QRL",
        "la_contacted_on": contacted,
        "evidence_due_on": due,
        "evidence_provided_on": "",
        "attendance_required": "false",
        "attended": "",
    }


def area_852(folder: Path) -> Path:
    """As of 30 Jun 2020: two LA responses 10 and 3 days overdue, two due in 2 and 5 days, one
    323 days overdue and one commissioner evidence 346 days overdue (both escalated on the first
    run), the Local Offer never published (an area-level item), one late response and five
    decision letters without the rights notice (for the record)."""
    return write_records(
        folder,
        areas=[{"area_code": "852", "name": "Area 852", "send_team_email": TEAM, "rights_published_on": ""}],
        commissioners=[{"commissioner_code": "QRL", "name": "NHS Example ICB", "kind": "health", "contact_email": QRL}],
        appeals=[
            _appeal("A1", "C852-1", "2020-01-10", "2020-03-01", "2020-06-20"),
            _appeal("A2", "C852-2", "2020-01-10", "2020-03-01", "2020-06-27"),
            _appeal("A3", "C852-3", "2020-01-10", "2020-03-01", "2020-07-05"),
            _appeal("A4", "C852-4", "2020-01-10", "2020-03-01", "2020-07-02"),
            _appeal("A5", "C852-5", "2019-05-10", "2019-06-01", "2019-08-12"),
            _appeal("A6", "C852-6", "2019-12-10", "2020-01-01", "2020-03-01", sent="2020-03-05"),
        ],
        evidence=[_evidence(a, "2020-03-05", "2020-12-01") for a in ("A1", "A2", "A3", "A4", "A6")]
        + [_evidence("A5", "2019-06-05", "2019-07-20")],
        decisions=[
            {
                "decision_id": f"D{n}",
                "area_code": "852",
                "case_ref": f"C852-1{n}",
                "decision_type": "plan_issued",
                "decision_date": f"2019-0{n}-05",
                "rights_notice": "false",
            }
            for n in range(1, 6)
        ],
    )


def plain(message) -> str:
    return message.text.replace("\r\n", "\n")


def sections(text: str) -> list[str]:
    return re.findall(r"^([A-Z][A-Z ]+) \(\d+\)$", text, re.M)


def entries(text: str, section: str) -> list[str]:
    """The '* heading: title' lines of one section of the text part."""
    body = text.split(f"\n{section} (", 1)[1]
    body = re.split(r"\n[A-Z][A-Z ]+ \(\d+\)\n", body)[0]
    return re.findall(r"^\* (.*)$", body, re.M)


def test_digest_subject_sections_order_next_steps_dates(sqlite_url, smtp, tmp_path):
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", area_852(tmp_path / "records"), config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert set(got) == {TEAM, QRL}
    team = got[TEAM]
    assert str(team.message["Subject"]) == SUBJECT
    text, html = plain(team), team.html
    assert sections(text) == ["ACT NOW", "ESCALATED TO YOU", "FOR THE RECORD"]
    # the area's own open items, most overdue first, then the soonest due; an old breach
    # escalated on the first run stays with its owner
    assert entries(text, "ACT NOW") == [
        "Area 852 (whole area): Local Offer explains the extended rights",
        *(f"Case C852-{n}: LA response and evidence to the Tribunal" for n in (5, 1, 2, 4, 3)),
    ]
    assert re.search(
        r"Case C852-1: .*\n  Due 20 June 2020 \| 10 days overdue\n  Next step: Send the LA's response to the "
        r"Tribunal, with the commissioners' evidence, then record the date in your case-management system and "
        r"re-export\.\n  In the export: la_response_sent_on\n",
        text,
    )
    assert "Due 2 July 2020 | 2 days left" in text and "Due 5 July 2020 | 5 days left" in text
    assert "Due 3 April 2018 | 819 days overdue" in text and "Case —" not in text
    # another body's breach copied to the SEND lead: who must act, on every row
    assert entries(text, "ESCALATED TO YOU") == ["Case C852-5: Commissioner evidence to the Tribunal"]
    assert "Must act: NHS Example ICB (QRL)" in text and "About: Health · NHS Example ICB (QRL)" in text
    # for the record: five letters counted, not listed; the late items listed, each naming its kind
    assert "- Rights notice in decision letters: 5 breached" in text and "C852-11" not in text
    assert "- Health lead contacted: 1 late\n  * Case C852-6: Health lead contacted\n" in text
    assert "    Due 1 March 2020 | done 5 March 2020, 4 days late\n" in text
    # one date style in both parts, never ISO; the recipient is not repeated
    for part in (text, html):
        assert not re.search(r"\d{4}-\d{2}-\d{2}(?![^<\s]*\.html)", re.sub(r"https?://\S+", "", part))
        assert "30 June 2020" in part and TEAM not in part
        assert "Must act: Area 852" not in part  # the recipient's own items say no one else must act
    assert ">Area 852 (whole area): Local Offer explains the extended rights<" in html
    assert "Next step: Publish a Local Offer page" in html and "In the export: rights_published_on" in html
    # the commissioner's digest: its own breach, under Act now, with the area, and nothing of the LA's
    qrl = got[QRL]
    assert str(qrl.message["Subject"]) == "NHS Example ICB — Act now: 1 (SEND extended appeals)"
    assert sections(plain(qrl)) == ["ACT NOW"]
    assert entries(plain(qrl), "ACT NOW") == ["Case C852-5: Commissioner evidence to the Tribunal"]
    assert "Area: Area 852" in plain(qrl) and "Must act" not in qrl.text


def test_resolved_section_and_nothing_twice(sqlite_url, smtp, tmp_path):
    config = write_config(tmp_path, sqlite_url, smtp.port)
    records = area_852(tmp_path / "records")
    ok("import", records, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    ok("alerts", config=config)
    smtp.take()
    fixed = write_records(
        tmp_path / "fixed",
        exceptions=[
            {
                "exception_id": "EX1",
                "duty": "la-evidence",
                "subject_id": "A2",
                "granted_by": "Jane Example",
                "justification": "Agreed with the family",
                "granted_on": "2020-07-01",
                "expires_on": "2020-12-31",
            }
        ],
    )
    ok("import", fixed, config=config)
    ok("check", "--as-of", "2020-07-01", config=config)
    ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert list(got) == [TEAM]
    text = plain(got[TEAM])
    assert str(got[TEAM].message["Subject"]) == "Area 852 — Resolved: 1 (SEND extended appeals)"
    assert sections(text) == ["RESOLVED"]
    assert entries(text, "RESOLVED") == ["Case C852-2: LA response and evidence to the Tribunal"]
    assert "now covered by an exception (was overdue)" in text
    assert "Jane Example" not in text and "Agreed with the family" not in got[TEAM].html


def test_preview_writes_eml_and_html_and_records_nothing(sqlite_url, smtp, tmp_path):
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", area_852(tmp_path / "records"), config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    out = tmp_path / "preview"
    result = ok("alerts", "--preview", out, config=config)
    assert "2 message(s) written" in result.stdout and "Nothing sent or recorded." in result.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "01-digest-send@qrl.example.org.eml",
        "01-digest-send@qrl.example.org.html",
        "02-digest-team@area852.example.org.eml",
        "02-digest-team@area852.example.org.html",
    ]
    message = email.message_from_bytes((out / names[2]).read_bytes(), policy=email.policy.default)
    assert str(message["Subject"]) == SUBJECT and str(message["To"]) == TEAM
    assert message.get_body(("html",)).get_content() == (out / names[3]).read_text(encoding="utf-8")
    assert smtp.take() == []
    with open_store(sqlite_url).connect() as conn:
        for table in (OutboxMessage, AlertEvent, RunRecord):
            assert conn.execute(select(func.count()).select_from(table.__table__)).scalar() == 0
    ok("alerts", config=config)  # the real run sends what the preview showed
    assert str(by_recipient(smtp.take())[TEAM].message["Subject"]) == SUBJECT


def test_uk_dates():
    from datetime import date

    assert uk_date(date(2020, 6, 30)) == "30 June 2020" and uk_date(date(2026, 4, 1)) == "1 April 2026"


def test_every_demo_digest_reads_on_a_390_px_phone_and_the_text_says_the_same(sqlite_url, smtp, tmp_path, chromium):
    """Rendered in Chromium at 390 px wide: no sideways scrolling; every item of the HTML part
    (its heading and its explanation link) is in the plain-text part too."""
    from playwright.sync_api import sync_playwright

    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", SAMPLE, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    out = tmp_path / "preview"
    ok("alerts", "--preview", out, config=config)
    pages = sorted(out.glob("*-digest-*.html"))
    assert len(pages) > 3
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            for html in pages:
                page.goto(html.as_uri())
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= 390, (html.name, wide)
                blocks = page.locator("div > div > p:first-child").all_inner_texts()
                links = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
                message = email.message_from_bytes(html.with_suffix(".eml").read_bytes(), policy=email.policy.default)
                text = message.get_body(("plain",)).get_content()
                for heading in blocks:
                    assert f"* {heading}" in text, (html.name, heading)
                for link in links:
                    assert link in text, (html.name, link)
        finally:
            browser.close()


def test_a_closed_appeals_breach_is_for_the_record_and_asks_no_one_to_act(sqlite_url, smtp, tmp_path):
    """An appeal withdrawn after its LA response fell due: the breach is closed, so the digest
    files it for the record, with no next step, and nothing of it is under Act now."""
    withdrawn = {**_appeal("A7", "C852-7", "2020-01-10", "2020-03-01", "2020-06-20"), "status": "withdrawn"}
    withdrawn["closed_on"] = "2020-06-25"
    records = write_records(
        tmp_path / "records",
        areas=[{"area_code": "852", "name": "Area 852", "send_team_email": TEAM, "rights_published_on": "2018-03-01"}],
        commissioners=[{"commissioner_code": "QRL", "name": "NHS Example ICB", "kind": "health", "contact_email": QRL}],
        appeals=[withdrawn],
        evidence=[_evidence("A7", "2020-03-05", "2020-06-10")],
    )
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", records, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    ok("alerts", config=config)
    for message in by_recipient(smtp.take()).values():
        text = plain(message)
        assert "ACT NOW" not in sections(text) and "Next step" not in text and "Next step" not in message.html
        assert "C852-7" in text and sections(text) == ["FOR THE RECORD"]
        assert "Act now" not in str(message.message["Subject"])
