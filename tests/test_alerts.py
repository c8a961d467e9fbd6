"""Alerts end to end through the CLI, against a real SMTP server (aiosmtpd on 127.0.0.1).

import → check → alerts: right recipients and contents; a second run sends nothing new;
advancing the as-of date gives the due-soon, breach, reminder, escalation and resolution in
turn (and a breach returning after an exception expires); SMTP down → kept, sent exactly once
later; dry run sends and records nothing; a body without an address is reported, not dropped.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, func, select

from conftest import SAMPLE, Received, cli
from monitor.alerts import finding_events
from monitor.config import AlertConfig
from monitor.findings import explanation_path, query_findings
from monitor.models import AlertEvent, OutboxMessage, RunRecord
from monitor.store import open_store

SITE_URL = "https://monitor.example.org/"


def write_config(tmp_path: Path, db: str, smtp_port: int, smtp: dict | None = None, alerts: dict | None = None,
                 **tables) -> Path:
    """A config file like examples/send-monitor.toml, pointed at the test store and SMTP server
    (retries without back-off, so runs in a row retry at once); `smtp` and `alerts` add keys."""
    lines = [f'database_url = "{db}"', 'inbox = "inbox"', 'site_dir = "site"', f'site_url = "{SITE_URL}"']
    sections = {"smtp": {"host": "127.0.0.1", "port": smtp_port, "starttls": False, "username": "",
                         "from": "monitor@example.org", **(smtp or {})},
                "alerts": {"reminder_days": 7, "escalate_after_days": 14, "retry_backoff_minutes": 0,
                           **(alerts or {})},
                **tables}
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    path = tmp_path / "send-monitor.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ok(*args, config: Path, code: int = 0):
    result = cli(*args, config=config)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result


def by_recipient(messages: list[Received]) -> dict[str, Received]:
    found = {}
    for m in messages:
        assert m.rcpt_tos == [m.to], "one recipient per digest"
        assert m.to not in found, f"two digests for {m.to} in one run"
        found[m.to] = m
    return found


def case_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("* Case ")]


# --- the sample data end to end (SQLite and PostgreSQL) ---------------------------------------


def _read(name: str) -> list[dict]:
    with open(SAMPLE / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def expected_digests(findings: list[dict]) -> dict[str, list[dict]]:
    """address -> the sample's alertable findings for it (first check: no resolutions yet)."""
    address = {r["area_code"]: r["send_team_email"] for r in _read("areas.csv")}
    address |= {r["commissioner_code"]: r["contact_email"] for r in _read("commissioners.csv")}
    out: dict[str, list[dict]] = {}
    for f in findings:
        if f["status"] in ("due_soon", "overdue", "late", "breached"):
            assert address.get(f["owner"]), f"the demo has an address for every owner ({f['owner']})"
            out.setdefault(address[f["owner"]], []).append(f)
    return out


def test_sample_end_to_end_then_nothing_new(db_url, smtp, tmp_path):
    config = write_config(tmp_path, db_url, smtp.port)
    ok("import", SAMPLE, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    with open_store(db_url).connect() as conn:
        expected = expected_digests(query_findings(conn))

    result = ok("alerts", config=config)
    assert f"sent {len(expected)}, kept 0, failed 0" in result.stdout
    got = by_recipient(smtp.take())
    assert set(got) == set(expected)
    names = {r["name"] for r in _read("areas.csv")} | {r["name"] for r in _read("commissioners.csv")}
    for address, message in got.items():
        assert message.mail_from == "monitor@example.org"
        assert str(message.message["Subject"]).strip().startswith("SEND monitor, as of 2020-06-30: ")
        text, html = message.text, message.html
        assert len(case_lines(text)) == len(expected[address])
        for f in expected[address]:
            link = SITE_URL + explanation_path(f["area"], f["duty"], f["subject"])
            assert f"* Case {f['case_ref'] or '—'} - {f['duty']} ({f['subject']})" in text
            assert link in text and f'href="{link}"' in html
            assert f"Due: {f['due_on'] or 'not set'} | Days overdue: {f['days_late']}" in text
            if f["case_ref"]:
                assert f"<td style=\"border-bottom: 1px solid #b1b4b6; padding: 4px;\">{f['case_ref']}</td>" in html
        assert "granted by" not in text  # exception reasons may name a person: never sent
        assert any(n in text for n in names)  # body names are fine (no person's name in records)
    # the HTML part is autoescaped: an apostrophe in a body's name is an entity there
    social = got["social-care@area850.example.org"]
    assert "Area 850 Children's Social Care" in social.text
    assert "Area 850 Children&#39;s Social Care" in social.html

    # a second run: nothing new
    result = ok("alerts", config=config)
    assert "0 new event(s) in 0 digest(s); sent 0, kept 0, failed 0" in result.stdout
    assert smtp.take() == []
    status = ok("status", config=config).stdout
    assert f"outbox: 0 queued, {len(expected)} sent, 0 failed" in status
    assert "latest check: 1 as of 2020-06-30" in status


def test_dry_run_sends_and_records_nothing(sqlite_url, smtp, tmp_path):
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", SAMPLE, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    result = ok("alerts", "--dry-run", config=config)
    assert "To: send-team@area850.example.org" in result.stdout
    assert "Subject: SEND monitor, as of 2020-06-30: " in result.stdout
    assert "Nothing sent or recorded." in result.stdout
    assert smtp.take() == []
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        for table in (OutboxMessage, AlertEvent, RunRecord):
            assert conn.execute(select(func.count()).select_from(table.__table__)).scalar() == 0
    # and the real run afterwards sends everything the dry run showed
    shown = set(re.findall(r"^To: (\S+)$", result.stdout, re.M))
    ok("alerts", config=config)
    assert set(by_recipient(smtp.take())) == shown


def test_smtp_down_keeps_messages_and_sends_them_once(sqlite_url, smtp, tmp_path):
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", SAMPLE, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    smtp.stop()
    down = ok("alerts", config=config, code=2)
    assert "kept in the outbox for the next run" in down.stderr
    queued = int(re.search(r"sent 0, kept (\d+), failed 0", down.stdout).group(1))
    assert queued == 7
    again = ok("alerts", config=config, code=2)  # still down: nothing new queued, nothing lost
    assert "0 new event(s) in 0 digest(s); sent 0, kept 7" in again.stdout
    assert "outbox: 7 queued, 0 sent" in ok("status", config=config).stdout

    smtp.start()
    back = ok("alerts", config=config)
    assert "sent 7, kept 0, failed 0" in back.stdout
    assert len(by_recipient(smtp.take())) == 7
    ok("alerts", config=config)
    assert smtp.take() == []
    assert "outbox: 0 queued, 7 sent, 0 failed" in ok("status", config=config).stdout


# --- advancing the as-of date: each kind of event in turn -------------------------------------

TEAM, QRL = "send-team@area850.example.org", "send@qrl.example.org"


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text.strip() + "\n", encoding="utf-8")
    return folder


APPEALS_HEADER = ("appeal_id,area_code,case_ref,decision_type,decision_date,registered_on,health_issue,"
                  "social_care_issue,la_response_due_on,la_response_sent_on,hearing_on,status,closed_on")


def timeline_exports(tmp_path: Path) -> tuple[Path, Path, Path]:
    first = write_folder(tmp_path / "first", {
        "areas.csv": "area_code,name,send_team_email,rights_published_on\n"
                     f"850,Area 850,{TEAM},2018-03-01",
        "commissioners.csv": "commissioner_code,name,kind,contact_email\n"
                             f"QRL,NHS Example ICB,health,{QRL}\n"
                             "QXX,NHS Silent ICB,health,",
        "appeals.csv": f"{APPEALS_HEADER}\nA1,850,C850-000001,plan_issued,2020-03-01,2020-05-01,true,false,"
                       "2020-07-10,,,open,",
        "evidence.csv": "appeal_id,commissioner_code,la_contacted_on,evidence_due_on,evidence_provided_on,"
                        "attendance_required,attended\n"
                        "A1,QRL,2020-06-01,2020-07-08,,false,\n"
                        "A1,QXX,2020-06-01,2020-07-08,,false,",
    })
    fixes = write_folder(tmp_path / "fixes", {
        "appeals.csv": f"{APPEALS_HEADER}\nA1,850,C850-000001,plan_issued,2020-03-01,2020-05-01,true,false,"
                       "2020-07-10,2020-07-09,,open,",
        "exceptions.csv": "exception_id,duty,subject_id,granted_by,justification,granted_on,expires_on\n"
                          "EX1,commissioner-evidence,A1:QRL,Jane Example,Agreed extension,2020-07-24,2020-08-05",
    })
    address = write_folder(tmp_path / "address", {
        "commissioners.csv": "commissioner_code,name,kind,contact_email\n"
                             "QXX,NHS Silent ICB,health,send@qxx.example.org",
    })
    return first, fixes, address


def items(message: Received) -> list[tuple[str, str]]:
    """(section, 'duty (subject)') for each item of a digest."""
    out, section = [], None
    for line in message.text.splitlines():
        m = re.match(r"^(New breaches|Escalations|Reminders|Due soon|Resolved)", line)
        if m:
            section = m.group(1)
        m = re.match(r"^\* Case C850-000001 - (.*)$", line)
        if m:
            out.append((section, m.group(1)))
    return out


def step(config, smtp, as_of: str, expect: dict[str, list[tuple[str, str]]]):
    ok("check", "--as-of", as_of, config=config)
    result = ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert {to: items(m) for to, m in got.items()} == expect, as_of
    for m in got.values():
        assert f"as of {as_of}" in m.message["Subject"]
        assert "Jane Example" not in m.text and "Jane Example" not in m.html
    ok("alerts", config=config)  # the same check again: nothing new
    assert smtp.take() == []
    return result


def test_timeline_due_soon_breach_reminder_escalation_resolution(db_url, smtp, tmp_path):
    first, fixes, _ = timeline_exports(tmp_path)
    config = write_config(tmp_path, db_url, smtp.port)
    ok("import", first, config=config)
    ev_qrl, ev_qxx, la = ("commissioner-evidence (A1:QRL)", "commissioner-evidence (A1:QXX)", "la-evidence (A1)")

    step(config, smtp, "2020-06-30", {})  # everything pending
    r = step(config, smtp, "2020-07-03", {TEAM: [("Due soon", la)], QRL: [("Due soon", ev_qrl)]})
    assert "commissioner QXX (NHS Silent ICB) has no contact_email: 1 item(s) kept until it is set" in r.stderr
    step(config, smtp, "2020-07-09", {QRL: [("New breaches", ev_qrl)]})
    step(config, smtp, "2020-07-16", {TEAM: [("New breaches", la)], QRL: [("Reminders", ev_qrl)]})
    step(config, smtp, "2020-07-20", {})  # next reminder not yet due
    # 14 days open: escalated to the owner and copied to the area's SEND lead (also for QXX,
    # whose own address is missing); the LA's own breach gets its 7-day reminder
    r = step(config, smtp, "2020-07-23", {
        TEAM: [("Escalations", ev_qrl), ("Escalations", ev_qxx), ("Reminders", la)],
        QRL: [("Escalations", ev_qrl)],
    })
    assert "commissioner QXX (NHS Silent ICB) has no contact_email: 1 item(s) not copied to it" in r.stderr
    ok("import", fixes, config=config)  # the LA response was sent on time after all; QRL gets an exception
    step(config, smtp, "2020-07-24", {TEAM: [("Resolved", la)], QRL: [("Resolved", ev_qrl)]})
    # QXX's 21-day reminder goes to its owner only, who has no address: reported, kept
    r = step(config, smtp, "2020-07-30", {})
    assert "commissioner QXX (NHS Silent ICB) has no contact_email: 1 item(s) kept until it is set" in r.stderr
    # the exception expired on 2020-08-05: the breach returns, a new event
    step(config, smtp, "2020-08-06", {QRL: [("New breaches", ev_qrl)]})


def test_unaddressed_body_is_reported_and_recorded_then_sent_once_address_is_set(sqlite_url, smtp, tmp_path):
    first, _, address = timeline_exports(tmp_path)
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", first, config=config)
    ok("check", "--as-of", "2020-07-03", config=config)
    result = ok("alerts", config=config)
    assert "no address: commissioner QXX (NHS Silent ICB) has no contact_email" in result.stderr
    assert set(by_recipient(smtp.take())) == {TEAM, QRL}
    engine = open_store(sqlite_url)
    with engine.connect() as conn:
        t = RunRecord.__table__
        detail = conn.execute(select(t.c.detail).where(t.c.step == "alerts")).scalar()
    assert "commissioner QXX (NHS Silent ICB) has no contact_email" in detail
    ok("import", address, config=config)
    ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert list(got) == ["send@qxx.example.org"]
    assert items(got["send@qxx.example.org"]) == [("Due soon", "commissioner-evidence (A1:QXX)")]
    ok("alerts", config=config)
    assert smtp.take() == []


# --- event keys (unit) ------------------------------------------------------------------------


def _finding(status: str, since: date, old: str | None = None) -> dict:
    return {"duty": "la-evidence", "subject": "A1", "status": status, "status_since": since, "old_status": old}


def test_event_keys_and_clocks_count_in_as_of_days():
    cfg = AlertConfig(reminder_days=7, escalate_after_days=14)
    since = date(2020, 7, 1)
    kinds = lambda f, d: [(e.kind, e.event_on) for e in finding_events(f, d, cfg)]  # noqa: E731
    assert kinds(_finding("due_soon", since), date(2020, 7, 3)) == [("due_soon", since)]
    assert kinds(_finding("overdue", since), date(2020, 7, 7)) == [("breach", since)]
    assert kinds(_finding("overdue", since), date(2020, 7, 8)) == [("breach", since), ("reminder", date(2020, 7, 8))]
    assert kinds(_finding("overdue", since), date(2020, 7, 14)) == [("breach", since), ("reminder", date(2020, 7, 8))]
    assert kinds(_finding("overdue", since), date(2020, 7, 26)) == [
        ("breach", since), ("reminder", date(2020, 7, 22)), ("escalation", since)]
    assert kinds(_finding("late", since), date(2020, 9, 1)) == [("breach", since)]  # closed: no reminders
    assert kinds(_finding("met", since, "overdue"), date(2020, 7, 3)) == [("resolution", since)]
    assert kinds(_finding("exception", since, "breached"), date(2020, 7, 3)) == [("resolution", since)]
    assert kinds(_finding("met", since, "due_soon"), date(2020, 7, 3)) == []
    assert kinds(_finding("pending", since), date(2020, 7, 3)) == []
