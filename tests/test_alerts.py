"""Alerts end to end through the CLI, against a real SMTP server (aiosmtpd on 127.0.0.1).

import → check → alerts: right recipients and contents; a second run sends nothing new;
advancing the as-of date gives the due-soon, breach, reminder, escalation and resolution in
turn (and a breach returning after an exception expires); SMTP down → kept, sent exactly once
later; dry run sends and records nothing; a body without an address is reported, not dropped;
after mergers the body that acts now gets the open items, inherited breaches once, with a note;
failed exports and quiet areas are mailed once. (Delivery faults: test_outbox.py; what a digest
says: test_digest.py.)
"""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from conftest import REPO, SAMPLE, Received, cli, write_records
from sqlalchemy import create_engine, func, select, update

from monitor.alerts import finding_events
from monitor.alerts.recipients import titled
from monitor.alerts.render import uk_date
from monitor.config import AlertConfig
from monitor.findings import query_findings
from monitor.models import AlertEvent, ImportBatch, OutboxMessage, RunRecord
from monitor.paths import explanation_path
from monitor.rules import load_rules, next_step_in_words
from monitor.store import open_store

SITE_URL = "https://monitor.example.org/"


def write_config(
    tmp_path: Path, db: str, smtp_port: int, smtp: dict | None = None, alerts: dict | None = None, **tables
) -> Path:
    """A config file like examples/send-monitor.toml, pointed at the test store and SMTP server
    (retries without back-off, so runs in a row retry at once); `smtp` and `alerts` add keys."""
    lines = [
        f'database_url = "{db}"',
        'inbox = "inbox"',
        "inbox_national = true",
        'site_dir = "site"',
        f'site_url = "{SITE_URL}"',
    ]
    sections = {
        "smtp": {
            "host": "127.0.0.1",
            "port": smtp_port,
            "starttls": False,
            "username": "",
            "from": "monitor@example.org",
            **(smtp or {}),
        },
        "alerts": {"reminder_days": 7, "escalate_after_days": 14, "retry_backoff_minutes": 0, **(alerts or {})},
        **tables,
    }
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


def plain(message: Received) -> str:
    return message.text.replace("\r\n", "\n")


# --- the sample data end to end (SQLite and PostgreSQL) ---------------------------------------


def _read(name: str) -> list[dict]:
    with open(SAMPLE / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _addresses() -> dict[str, str]:
    address = {r["area_code"]: r["send_team_email"] for r in _read("areas.csv")}
    return address | {r["commissioner_code"]: r["contact_email"] for r in _read("commissioners.csv")}


def expected_digests(findings: list[dict]) -> dict[str, list[dict]]:
    """address -> the sample's alertable findings for it (first check: no resolutions yet), with
    breaches 14 days past their due date copied to the area's SEND team."""
    address = _addresses()
    out: dict[str, list[dict]] = {}
    for f in findings:
        if f["status"] in ("due_soon", "overdue", "late", "breached"):
            assert address.get(f["acts_now"]), f"the demo has an address for every owner ({f['acts_now']})"
            out.setdefault(address[f["acts_now"]], []).append(f)
            if f["status"] == "overdue" and f["days_late"] >= 14 and f["acts_now"] != f["area"]:
                out.setdefault(address[f["area"]], []).append(f)
    return out


def test_sample_end_to_end_then_nothing_new(db_url, smtp, tmp_path):
    config = write_config(tmp_path, db_url, smtp.port)
    ok("import", SAMPLE, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    with open_store(db_url).connect() as conn:
        expected = expected_digests(query_findings(conn))
    rules = load_rules(REPO / "rules")

    result = ok("alerts", config=config)
    assert f"sent {len(expected)}, kept 0, failed 0" in result.stdout
    got = by_recipient(smtp.take())
    assert set(got) == set(expected)
    names = {r["send_team_email"]: r["name"] for r in _read("areas.csv")}
    names |= {r["contact_email"]: r["name"] for r in _read("commissioners.csv")}
    for address, message in got.items():
        assert message.mail_from == "monitor@example.org"
        subject = str(message.message["Subject"])
        assert subject.endswith(" (SEND extended appeals)") and " — " in subject
        text, html = plain(message), message.html
        assert "Findings as of 30 June 2020." in text and "2020-06-30" not in text
        for f in expected[address]:
            link = SITE_URL + explanation_path(f["area"], f["duty"], f["subject"])
            kind = f["subject"].rpartition(":")[2]
            title = titled(rules[f["duty"]].short_title, kind)
            if f["status"] in ("due_soon", "overdue"):
                assert link in text and f'href="{link}"' in html
                assert f"* Case {f['case_ref']}: {title}" in text or f"(whole area): {title}" in text
                assert f"Due {uk_date(f['due_on'])} | " in text
                assert f"Next step: {next_step_in_words(rules[f['duty']].next_step)[0]}" in text
            else:  # for the record: listed, or counted under its duty
                assert link in text or re.search(rf"^- {re.escape(title)}: .*{f['status']}", text, re.M)
        assert "granted by" not in text  # exception reasons may name a person: never sent
        assert subject.startswith(f"{names[address]} — ")
    # the HTML part is autoescaped: an apostrophe in a body's name is an entity there
    social = got["social-care@area850.example.org"]
    assert "Area 850 Children's Social Care" in str(social.message["Subject"])
    assert "Area 850 Children&#39;s Social Care" in social.html

    # a second run: nothing new
    result = ok("alerts", config=config)
    assert "0 new event(s) in 0 digest(s) and 0 notice(s); sent 0, kept 0, failed 0" in result.stdout
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
    assert "Subject: Area 850 — " in result.stdout
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
    assert "7 message(s) kept in the outbox" in down.stderr and "--retry-now" in down.stderr
    assert "sent 0, kept 7, failed 0" in down.stdout
    again = ok("alerts", config=config, code=2)  # still down: nothing new queued, nothing lost
    assert "0 new event(s) in 0 digest(s) and 0 notice(s); sent 0, kept 7" in again.stdout
    assert "outbox: 0 queued, 0 sent, 0 failed, 7 retrying" in ok("status", config=config).stdout

    smtp.start()
    back = ok("alerts", config=config)
    assert "sent 7, kept 0, failed 0" in back.stdout
    assert len(by_recipient(smtp.take())) == 7
    ok("alerts", config=config)
    assert smtp.take() == []
    assert "outbox: 0 queued, 7 sent, 0 failed" in ok("status", config=config).stdout


# --- advancing the as-of date: each kind of event in turn -------------------------------------

TEAM, QRL = "send-team@area850.example.org", "send@qrl.example.org"
EV, LA = "Commissioner evidence to the Tribunal", "LA response and evidence to the Tribunal"


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text.strip() + "\n", encoding="utf-8")
    return folder


APPEALS_HEADER = (
    "appeal_id,area_code,case_ref,decision_type,decision_date,registered_on,health_issue,"
    "social_care_issue,la_response_due_on,la_response_sent_on,hearing_on,status,closed_on"
)


def timeline_exports(tmp_path: Path) -> tuple[Path, Path, Path]:
    first = write_folder(
        tmp_path / "first",
        {
            "areas.csv": f"area_code,name,send_team_email,rights_published_on\n850,Area 850,{TEAM},2018-03-01",
            "commissioners.csv": "commissioner_code,name,kind,contact_email\n"
            f"QRL,NHS Example ICB,health,{QRL}\n"
            "QXX,NHS Silent ICB,health,",
            "appeals.csv": f"{APPEALS_HEADER}\nA1,850,C850-000001,plan_issued,2020-03-01,2020-05-01,true,false,"
            "2020-07-10,,,open,",
            "evidence.csv": "appeal_id,commissioner_code,la_contacted_on,evidence_due_on,evidence_provided_on,"
            "attendance_required,attended\n"
            "A1,QRL,2020-06-01,2020-07-08,,false,\n"
            "A1,QXX,2020-06-01,2020-07-08,,false,",
        },
    )
    fixes = write_folder(
        tmp_path / "fixes",
        {
            "appeals.csv": f"{APPEALS_HEADER}\nA1,850,C850-000001,plan_issued,2020-03-01,2020-05-01,true,false,"
            "2020-07-10,2020-07-09,,open,",
            "exceptions.csv": "exception_id,duty,subject_id,granted_by,justification,granted_on,expires_on\n"
            "EX1,commissioner-evidence,A1:QRL,Jane Example,Agreed extension,2020-07-24,2020-08-05",
        },
    )
    address = write_folder(
        tmp_path / "address",
        {
            "commissioners.csv": "commissioner_code,name,kind,contact_email\n"
            "QXX,NHS Silent ICB,health,send@qxx.example.org",
        },
    )
    return first, fixes, address


def items(message: Received) -> list[tuple]:
    """(section, duty title[, who acts when not the recipient]) for each item of a digest."""
    out, section = [], None
    for line in plain(message).splitlines():
        m = re.match(r"^(ACT NOW|ESCALATED TO YOU|FOR THE RECORD|RESOLVED) \(\d+\)$", line)
        if m:
            section = m.group(1)
        m = re.match(r"^\* Case C850-000001: (.*)$", line)
        if m:
            out.append((section, m.group(1)))
        m = re.match(r"^  Must act: (.*)$", line)
        if m:
            out[-1] = (*out[-1], m.group(1))
    return out


def step(config, smtp, as_of: str, expect: dict[str, list[tuple]]):
    ok("check", "--as-of", as_of, config=config)
    result = ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert {to: items(m) for to, m in got.items()} == expect, as_of
    for m in got.values():
        assert f"Findings as of {uk_date(date.fromisoformat(as_of))}." in plain(m)
        assert "Jane Example" not in m.text and "Jane Example" not in m.html
    ok("alerts", config=config)  # the same check again: nothing new
    assert smtp.take() == []
    return result


def test_timeline_due_soon_breach_reminder_escalation_resolution(db_url, smtp, tmp_path):
    first, fixes, _ = timeline_exports(tmp_path)
    config = write_config(tmp_path, db_url, smtp.port)
    ok("import", first, config=config)
    qrl, qxx = "NHS Example ICB (QRL)", "NHS Silent ICB (QXX)"

    step(config, smtp, "2020-06-30", {})  # everything pending
    r = step(config, smtp, "2020-07-03", {TEAM: [("ACT NOW", LA)], QRL: [("ACT NOW", EV)]})
    assert "commissioner QXX (NHS Silent ICB) has no contact_email: 1 item(s) kept until it is set" in r.stderr
    step(config, smtp, "2020-07-09", {QRL: [("ACT NOW", EV)]})  # the breach
    step(config, smtp, "2020-07-16", {TEAM: [("ACT NOW", LA)], QRL: [("ACT NOW", EV)]})  # LA breach; reminder
    step(config, smtp, "2020-07-20", {})  # next reminder not yet due
    # 15 days past the due date: escalated to the owner and copied to the area's SEND lead (also
    # for QXX, whose own address is missing); the LA's own breach (13 days) gets its reminder
    r = step(
        config,
        smtp,
        "2020-07-23",
        {
            TEAM: [("ACT NOW", LA), ("ESCALATED TO YOU", EV, qrl), ("ESCALATED TO YOU", EV, qxx)],
            QRL: [("ACT NOW", EV)],
        },
    )
    assert "commissioner QXX (NHS Silent ICB) has no contact_email: 1 item(s) not copied to it" in r.stderr
    ok("import", fixes, config=config)  # the LA response was sent on time after all; QRL gets an exception
    step(config, smtp, "2020-07-24", {TEAM: [("RESOLVED", LA)], QRL: [("RESOLVED", EV)]})
    # QXX's 21-day reminder goes to its owner only, who has no address: reported, kept
    r = step(config, smtp, "2020-07-30", {})
    assert "commissioner QXX (NHS Silent ICB) has no contact_email: 1 item(s) kept until it is set" in r.stderr
    # the exception expired on 2020-08-05: the breach returns, a new event, already 29 days past due
    step(config, smtp, "2020-08-06", {TEAM: [("ESCALATED TO YOU", EV, qrl)], QRL: [("ACT NOW", EV)]})


def test_unaddressed_body_is_reported_and_recorded_then_sent_once_address_is_set(sqlite_url, smtp, tmp_path):
    first, _, address = timeline_exports(tmp_path)
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", first, config=config)
    ok("check", "--as-of", "2020-07-03", config=config)
    result = ok("alerts", config=config)
    assert "warning: commissioner QXX (NHS Silent ICB) has no contact_email" in result.stderr
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
    assert items(got["send@qxx.example.org"]) == [("ACT NOW", EV)]
    ok("alerts", config=config)
    assert smtp.take() == []


# --- successors: alerts go to who acts now ------------------------------------------------------

QNEW, QC = "send@qnew.example.org", "send@qc.example.org"


def merger_exports(tmp_path: Path, *, chain: bool = False) -> tuple[Path, Path]:
    """QRL's duties pass to QNEW on 1 July 2020 (and, with `chain`, QNEW's to QC on 5 July 2020).
    A1's evidence (QRL) is due 20 Jun 2020 and A2's 2 Jul 2020; both were open before the merger."""
    commissioners = (
        "commissioner_code,name,kind,contact_email,successor_code,successor_from\n"
        f"QRL,NHS Example ICB,health,{QRL},QNEW,2020-07-01\n"
        f"QNEW,NHS New ICB,health,{QNEW},{'QC,2020-07-05' if chain else ','}\n"
        + (f"QC,NHS Cluster ICB,health,{QC},," if chain else "")
    )
    first = write_folder(
        tmp_path / "merger",
        {
            "areas.csv": f"area_code,name,send_team_email,rights_published_on\n850,Area 850,{TEAM},2018-03-01",
            "commissioners.csv": commissioners,
            "appeals.csv": f"{APPEALS_HEADER}\n"
            "A1,850,C850-000001,plan_issued,2020-03-01,2020-05-01,true,false,2020-09-10,,,open,\n"
            "A2,850,C850-000002,plan_issued,2020-03-01,2020-05-01,true,false,2020-09-10,,,open,",
            "evidence.csv": "appeal_id,commissioner_code,la_contacted_on,evidence_due_on,evidence_provided_on,"
            "attendance_required,attended\n"
            "A1,QRL,2020-06-01,2020-06-20,,false,\n"
            "A2,QRL,2020-06-01,2020-07-02,,false,",
        },
    )
    return first, tmp_path / "merger"


def digest_items(message: Received) -> list[tuple[str, str, str]]:
    """(section, case ref, inherited note or '') per item."""
    out, section = [], None
    for line in plain(message).splitlines():
        m = re.match(r"^(ACT NOW|ESCALATED TO YOU|FOR THE RECORD|RESOLVED) \(\d+\)$", line)
        if m:
            section = m.group(1)
        m = re.match(r"^\* Case (\S+): ", line)
        if m:
            out.append((section, m.group(1), ""))
        m = re.match(r"^  \((inherited from .*)\)$", line)
        if m:
            out[-1] = (*out[-1][:2], m.group(1))
    return out


def test_merger_after_alerts_were_sent_open_breach_inherited_once_with_a_note(db_url, smtp, tmp_path):
    records, _ = merger_exports(tmp_path)
    config = write_config(tmp_path, db_url, smtp.port)
    ok("import", records, config=config)
    ok("check", "--as-of", "2020-06-26", config=config)  # before the merger: QRL acts
    ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert list(got) == [QRL]
    assert digest_items(got[QRL]) == [("ACT NOW", "C850-000001", ""), ("ACT NOW", "C850-000002", "")]

    ok("check", "--as-of", "2020-07-01", config=config)  # the merger's first day
    ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert list(got) == [QNEW]  # never the old body again
    text = plain(got[QNEW])
    assert "NHS New ICB (QNEW) now holds the duties of NHS Example ICB (QRL), inherited on 1 July 2020" in text
    # the open breach, once, as inherited; the due-soon item already sent to QRL is not repeated
    assert digest_items(got[QNEW]) == [
        ("ACT NOW", "C850-000001", "inherited from NHS Example ICB (QRL) on 1 July 2020")
    ]
    assert str(got[QNEW].message["Subject"]) == "NHS New ICB — Act now: 1 (SEND extended appeals)"
    ok("alerts", config=config)
    assert smtp.take() == []

    ok("check", "--as-of", "2020-07-03", config=config)  # A2 falls overdue; A1's 7-day reminder
    ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert list(got) == [QNEW]
    assert "now holds the duties" not in plain(got[QNEW])  # said once
    assert digest_items(got[QNEW]) == [
        ("ACT NOW", c, "inherited from NHS Example ICB (QRL) on 1 July 2020") for c in ("C850-000001", "C850-000002")
    ]


def test_merger_before_the_first_check_and_a_chain_of_two(sqlite_url, smtp, tmp_path):
    records, _ = merger_exports(tmp_path, chain=True)
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", records, config=config)
    ok("check", "--as-of", "2020-07-03", config=config)  # QRL → QNEW already in force
    ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert list(got) == [QNEW]
    assert [i[1] for i in digest_items(got[QNEW])] == ["C850-000001", "C850-000002"]
    assert "now holds the duties of NHS Example ICB (QRL), inherited on 1 July 2020" in plain(got[QNEW])

    ok("check", "--as-of", "2020-07-06", config=config)  # QNEW → QC on 5 Jul: both breaches move on, once
    ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert set(got) == {QC, TEAM}  # A1 is now 16 days past due: escalated, and copied to the SEND lead
    text = plain(got[QC])
    assert "NHS Cluster ICB (QC) now holds the duties of NHS Example ICB (QRL), inherited on 5 July 2020" in text
    assert "NHS Cluster ICB (QC) now holds the duties of NHS New ICB (QNEW), inherited on 5 July 2020" in text
    note = "inherited from NHS Example ICB (QRL) on 5 July 2020"
    assert digest_items(got[QC]) == [("ACT NOW", "C850-000001", note), ("ACT NOW", "C850-000002", note)]
    assert digest_items(got[TEAM]) == [("ESCALATED TO YOU", "C850-000001", note)]
    assert "Must act: NHS Cluster ICB (QC)" in plain(got[TEAM])
    ok("alerts", config=config)
    assert smtp.take() == []


def test_area_merger_moves_the_las_alerts_and_escalation_copies(sqlite_url, smtp, tmp_path):
    new_team = "send-team@area860.example.org"
    folder = write_folder(
        tmp_path / "areas",
        {
            "areas.csv": "area_code,name,send_team_email,rights_published_on,successor_code,successor_from\n"
            f"850,Area 850,{TEAM},2018-03-01,860,2020-07-01\n"
            f"860,Area 860,{new_team},2018-03-01,,",
            "commissioners.csv": f"commissioner_code,name,kind,contact_email\nQRL,NHS Example ICB,health,{QRL}",
            "appeals.csv": f"{APPEALS_HEADER}\n"
            "A1,850,C850-000001,plan_issued,2020-03-01,2020-05-01,true,false,2020-06-10,,,open,",
            "evidence.csv": "appeal_id,commissioner_code,la_contacted_on,evidence_due_on,evidence_provided_on,"
            "attendance_required,attended\nA1,QRL,2020-06-01,2020-06-10,,false,",
        },
    )
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", folder, config=config)
    ok("check", "--as-of", "2020-07-03", config=config)
    ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert set(got) == {new_team, QRL}  # nothing to the old area's mailbox
    text = plain(got[new_team])
    assert "Area 860 now holds the duties of Area 850, inherited on 1 July 2020" in text
    assert digest_items(got[new_team]) == [
        ("ACT NOW", "C850-000001", "inherited from Area 850 on 1 July 2020"),  # the LA's own, inherited
        ("ESCALATED TO YOU", "C850-000001", ""),  # QRL's breach, 23 days past due: copied to the SEND lead now acting
    ]
    assert "Area: Area 850" in text


# --- notices: failed exports and areas gone quiet ------------------------------------------------


def _failed_export(engine, area: str | None, report: Path | None, problems: int = 3) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            RunRecord.__table__.insert().values(
                step="import",
                trigger="schedule",
                started_at=now,
                finished_at=now,
                outcome="failed",
                counts={"problems": problems, "area": area, "report": str(report) if report else None},
            )
        )


def test_failed_export_is_mailed_once_to_the_area_or_the_administrator(sqlite_url, smtp, tmp_path):
    config = write_config(tmp_path, sqlite_url, smtp.port, alerts={"admin_email": "admin@example.org"})
    ok("import", SAMPLE, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    ok("alerts", config=config)
    smtp.take()
    report = tmp_path / "problems.csv"
    report.write_text(
        "file,row,column,value,problem\nappeals.csv,3,registered_on,2020-13-01,not a date\n", encoding="utf-8"
    )
    engine = open_store(sqlite_url)
    _failed_export(engine, "851", report)
    _failed_export(engine, None, None, problems=1)
    result = ok("alerts", config=config)
    assert "1 notice(s)" not in result.stdout and "2 notice(s)" in result.stdout
    got = by_recipient(smtp.take())
    assert set(got) == {"send-team@area851.example.org", "admin@example.org"}
    area = got["send-team@area851.example.org"]
    assert str(area.message["Subject"]) == "Area 851 — export not imported: 3 problems to fix (SEND extended appeals)"
    attachment = next(area.message.iter_attachments())
    assert attachment.get_filename() == "problems.csv"
    assert attachment.get_content().replace("\r\n", "\n") == report.read_text(encoding="utf-8")
    assert "send the whole export again" in plain(area)
    admin = plain(got["admin@example.org"])
    assert "the export's area could not be told from it" in admin
    ok("alerts", config=config)
    assert smtp.take() == []  # once each


def test_quiet_area_gets_one_reminder_and_the_administrator_a_daily_summary(sqlite_url, smtp, tmp_path):
    config = write_config(
        tmp_path, sqlite_url, smtp.port, alerts={"admin_email": "admin@example.org", "quiet_after_days": 10}
    )
    ok("import", SAMPLE, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    ok("alerts", config=config)
    assert "admin@example.org" not in by_recipient(smtp.take())  # nobody is quiet yet
    engine = open_store(sqlite_url)
    long_ago = datetime.now(UTC) - timedelta(days=20)
    with engine.begin() as conn:  # every import 20 days old, then a fresh one for area 850 only
        conn.execute(update(ImportBatch.__table__).values(started_at=long_ago, finished_at=long_ago))
    write_records(
        tmp_path / "fresh",
        areas=[
            {
                "area_code": "850",
                "name": "Area 850",
                "send_team_email": TEAM,
                "region": "South East",
                "rights_published_on": "2018-03-21",
            }
        ],
    )
    ok("import", tmp_path / "fresh", config=config)
    ok("alerts", config=config)
    got = by_recipient(smtp.take())
    assert set(got) == {"send-team@area851.example.org", "send-team@area852.example.org", "admin@example.org"}
    assert (
        str(got["send-team@area852.example.org"].message["Subject"])
        == "Area 852 — no records received for 20 days (SEND extended appeals)"
    )
    summary = plain(got["admin@example.org"])
    assert "* Area 851: last import" in summary and "* Area 852: last import" in summary and "Area 850" not in summary
    ok("alerts", config=config)
    assert smtp.take() == []  # one reminder per quiet spell, one summary a day


# --- event keys (unit) ------------------------------------------------------------------------


def _finding(status: str, since: date, old: str | None = None, due: date | None = None) -> dict:
    days_late = (date(2020, 7, 26) - due).days if due else 0
    return {
        "duty": "la-evidence",
        "subject": "A1",
        "status": status,
        "status_since": since,
        "old_status": old,
        "due_on": due,
        "days_late": days_late,
    }


def test_event_keys_and_clocks_count_in_as_of_days():
    cfg = AlertConfig(reminder_days=7, escalate_after_days=14)
    since = date(2020, 7, 1)
    kinds = lambda f, d, h=None: [(e.kind, e.event_on) for e in finding_events(f, d, cfg, h)]  # noqa: E731
    assert kinds(_finding("due_soon", since), date(2020, 7, 3)) == [("due_soon", since)]
    assert kinds(_finding("overdue", since), date(2020, 7, 7)) == [("breach", since)]
    assert kinds(_finding("overdue", since), date(2020, 7, 8)) == [("breach", since), ("reminder", date(2020, 7, 8))]
    assert kinds(_finding("overdue", since), date(2020, 7, 14)) == [("breach", since), ("reminder", date(2020, 7, 8))]
    # escalation counts days past the due date, not days since the breach was first seen
    assert kinds(_finding("overdue", since, due=date(2020, 7, 13)), date(2020, 7, 26)) == [
        ("breach", since),
        ("reminder", date(2020, 7, 22)),
    ]
    assert kinds(_finding("overdue", since, due=date(2019, 9, 1)), date(2020, 7, 1)) == [
        ("breach", since),
        ("escalation", since),
    ]
    assert kinds(_finding("overdue", since), date(2020, 7, 2), date(2020, 7, 2)) == [
        ("breach", since),
        ("inherited", date(2020, 7, 2)),
    ]
    assert kinds(_finding("late", since), date(2020, 9, 1)) == [("breach", since)]  # closed: no reminders
    assert kinds(_finding("met", since, "overdue"), date(2020, 7, 3)) == [("resolution", since)]
    assert kinds(_finding("exception", since, "breached"), date(2020, 7, 3)) == [("resolution", since)]
    assert kinds(_finding("met", since, "due_soon"), date(2020, 7, 3)) == []
    assert kinds(_finding("pending", since), date(2020, 7, 3)) == []
