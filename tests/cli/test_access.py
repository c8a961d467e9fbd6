"""`access grant|revoke|list|log`: roles managed from the command line, the access log exported."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from monitor.web.access_log import AccessLog
from monitor.web.webstore import open_web_database
from tests.conftest import cli
from tests.web.conftest import seed_codes


@pytest.fixture
def store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    seed_codes(url)
    return url


def test_grant_list_and_revoke(store):
    done = cli("access", "grant", "Lead@Example.org", "area:850", db=store)
    assert done.exit_code == 0 and done.stdout.strip() == "lead@example.org now has area 850 with no end date"
    until = (date.today() + timedelta(days=30)).isoformat()
    assert cli("access", "grant", "insp-sub", "inspector:851", "--until", until, db=store).exit_code == 0
    listed = cli("access", "list", db=store).stdout
    assert "lead@example.org" in listed and "area 850" in listed and "no end date" in listed
    assert "insp-sub" in listed and "inspection of area 851" in listed
    revoked = cli("access", "revoke", "lead@example.org", "area:850", db=store)
    assert revoked.exit_code == 0 and revoked.stdout.strip() == "lead@example.org no longer has area 850"
    assert "lead@example.org" not in cli("access", "list", db=store).stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("grant", "insp@example.org", "inspector:850"), "an inspection role needs an end date: add --until DATE"),
        (("grant", "x@example.org", "area:999"), "the store has no area 999"),
        (("grant", "x@example.org", "superuser"), "'superuser' is not a role"),
        (("grant", "x@example.org", "area:850", "--until", "2001-01-01"), "the end date 1 January 2001 has passed"),
        (("revoke", "nobody@example.org", "area:850"), "nobody@example.org has no grant of area 850"),
    ],
)
def test_a_grant_or_revocation_that_cannot_be_made_is_one_line(store, args, message):
    result = cli("access", *args, db=store)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: access {args[0]}: {message}") and result.stderr.count("\n") == 1


def test_a_date_that_is_no_date_is_refused(store):
    result = cli("access", "grant", "x@example.org", "area:850", "--until", "next week", db=store)
    assert result.exit_code == 2 and "next week" in result.stderr


def test_the_log_exports_as_csv_and_json_from_a_day_on(store):
    log = AccessLog(open_web_database(store), 400, clock=lambda: datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
    log.append(subject="s1", email="a@example.org", path="/case/R-1", area="850", case_refs=["R-1"], outcome=200)
    log.clock = lambda: datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    log.append(subject="s2", email=None, path="/area/851/", area="851", case_refs=[], outcome=404)
    as_csv = cli("access", "log", db=store)
    assert as_csv.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout.lstrip("\ufeff"))))
    assert [(r["subject"], r["path"], r["outcome"]) for r in rows] == [
        ("s1", "/case/R-1", "200"),
        ("s2", "/area/851/", "404"),
    ]
    as_json = cli("access", "log", "--since", "2026-12-07", "--format", "json", db=store)
    assert [r["subject"] for r in json.loads(as_json.stdout)["access_log"]] == ["s2"]


def test_the_log_of_a_store_never_served_is_empty_and_says_so(store):
    result = cli("access", "log", "--format", "json", db=store)
    assert result.exit_code == 0 and json.loads(result.stdout) == {"access_log": []}
    assert "there is no access log yet" in result.stderr


def test_the_export_prunes_rows_past_the_retention_first(store):
    old = datetime.now(UTC) - timedelta(days=401)
    log = AccessLog(open_web_database(store), 400, clock=lambda: old)
    log.append(subject="old", email=None, path="/case/R-1", area="850", case_refs=["R-1"], outcome=200)
    result = cli("access", "log", "--format", "json", db=store)
    assert json.loads(result.stdout) == {"access_log": []}
    assert "1 rows older than 400 days were pruned first" in result.stderr
