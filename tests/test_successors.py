"""Mergers: findings keep their owner and gain `acts_now`, the body responsible on the as-of date."""

from __future__ import annotations

import json

from tests.conftest import cli, findings_of, write_records

AREAS = [
    {"area_code": "850", "name": "Area 850", "successor_code": "", "successor_from": ""},
    {"area_code": "999", "name": "Area 999", "successor_code": "", "successor_from": ""},
]
COMMISSIONERS = [
    {
        "commissioner_code": "QRL",
        "name": "NHS Example ICB",
        "kind": "health",
        "successor_code": "QNX",
        "successor_from": "2022-07-01",
    },
    {
        "commissioner_code": "QNX",
        "name": "NHS Merged ICB",
        "kind": "health",
        "successor_code": "QZZ",
        "successor_from": "2026-04-01",
    },
    {
        "commissioner_code": "QZZ",
        "name": "NHS Cluster ICB",
        "kind": "health",
        "successor_code": "",
        "successor_from": "",
    },
]
APPEALS = [
    {
        "appeal_id": "A1",
        "area_code": "850",
        "case_ref": "C-1",
        "decision_type": "plan_issued",
        "decision_date": "2019-01-10",
        "registered_on": "2019-02-01",
        "health_issue": "yes",
        "social_care_issue": "no",
        "la_response_due_on": "2019-03-01",
        "la_response_sent_on": "",
        "hearing_on": "",
        "status": "open",
        "closed_on": "",
    }
]
EVIDENCE = [
    {
        "appeal_id": "A1",
        "commissioner_code": "QRL",
        "la_contacted_on": "2019-02-10",
        "evidence_due_on": "2019-03-01",
        "evidence_provided_on": "",
    }
]


def _load(tmp_path, db, areas=AREAS):
    folder = write_records(
        tmp_path / "records", areas=areas, commissioners=COMMISSIONERS, appeals=APPEALS, evidence=EVIDENCE
    )
    result = cli("import", folder, db=db)
    assert result.exit_code == 0, result.output


def test_a_chain_of_mergers_is_followed_on_its_dates(tmp_path, db_url):
    _load(tmp_path, db_url)
    for as_of, expected in (("2022-06-30", "QRL"), ("2022-07-01", "QNX"), ("2026-03-31", "QNX"), ("2026-04-01", "QZZ")):
        f = findings_of(db_url, as_of)[("commissioner-evidence", "A1:QRL")]
        assert (f["owner"], f["acts_now"], f["case_ref"]) == ("QRL", expected, "C-1"), as_of


def test_an_area_merger_moves_the_las_duties_not_the_commissioners(tmp_path, db_url):
    merged = [{**AREAS[0], "successor_code": "999", "successor_from": "2020-04-01"}, AREAS[1]]
    _load(tmp_path, db_url, merged)
    f = findings_of(db_url, "2020-04-01")
    assert (f[("la-evidence", "A1")]["owner"], f[("la-evidence", "A1")]["acts_now"]) == ("850", "999")
    assert f[("local-offer", "850")]["acts_now"] == "999"
    assert f[("local-offer", "999")]["acts_now"] == "999"
    assert f[("commissioner-evidence", "A1:QRL")]["acts_now"] == "QRL"  # QRL's merger is later
    assert f[("la-evidence", "A1")]["area"] == "850"  # the records are not rewritten


def test_a_successor_added_later_applies_to_the_next_export_and_explain(tmp_path, sqlite_url):
    plain = [{**c, "successor_code": "", "successor_from": ""} for c in COMMISSIONERS]
    folder = write_records(tmp_path / "first", areas=AREAS, commissioners=plain, appeals=APPEALS, evidence=EVIDENCE)
    assert cli("import", folder, db=sqlite_url).exit_code == 0
    assert findings_of(sqlite_url, "2023-01-01")[("commissioner-evidence", "A1:QRL")]["acts_now"] == "QRL"
    folder = write_records(tmp_path / "second", commissioners=COMMISSIONERS)
    assert cli("import", folder, db=sqlite_url).exit_code == 0
    incremental = findings_of(sqlite_url, "2023-01-02")
    assert incremental[("commissioner-evidence", "A1:QRL")]["acts_now"] == "QNX"
    assert cli("check", "--as-of", "2023-01-02", "--full", db=sqlite_url).exit_code == 0
    full = json.loads(cli("findings", "--format", "json", db=sqlite_url).stdout)["findings"]
    assert {(f["duty"], f["subject"]): f for f in full} == incremental
    shown = cli("explain", "commissioner-evidence", "A1:QRL", db=sqlite_url).stdout
    assert "acts now: QNX (NHS Merged ICB) took over the duties of QRL (NHS Example ICB) on 2022-07-01" in shown
