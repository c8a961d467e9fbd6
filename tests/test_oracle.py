"""Hand-computed checks of the independent oracle (tests/oracle.py) against
duties.md / records.md, so that differential tests can trust it."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_send_{name}", HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


oracle = _load("oracle")
boundary_data = _load("boundary_data")

D = dt.date

BASE = {
    "areas": [{"area_code": "850", "name": "Hampshire", "rights_published_on": "2018-04-03"}],
    "commissioners": [
        {"commissioner_code": "QRL", "name": "ICB", "kind": "health"},
        {"commissioner_code": "850-SC", "name": "SC", "kind": "social_care"},
    ],
}


def write(folder: pathlib.Path, tables: dict[str, list[dict]]) -> pathlib.Path:
    folder.mkdir(parents=True, exist_ok=True)
    merged = {**BASE, **tables}
    for name, rows in merged.items():
        cols: list[str] = []
        for r in rows:
            for c in r:
                if c not in cols:
                    cols.append(c)
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for r in rows:
                w.writerow([r.get(c, "") for c in cols])
    return folder


def appeal(aid="AP1", **kw):
    row = {
        "appeal_id": aid,
        "area_code": "850",
        "case_ref": "C1",
        "decision_type": "plan_issued",
        "decision_date": "2019-01-10",
        "registered_on": "2019-02-01",
        "health_issue": "yes",
        "social_care_issue": "no",
        "la_response_due_on": "2019-03-15",
        "la_response_sent_on": "",
        "hearing_on": "",
        "status": "open",
        "closed_on": "",
    }
    row.update(kw)
    return row


def run(tmp_path, as_of, **tables):
    write(tmp_path, tables)
    return {(f["duty"], f["subject"]): f for f in oracle.evaluate(tmp_path, as_of)}


def st(findings, duty, subject):
    f = findings.get((duty, subject))
    return None if f is None else f["status"]


# ------------------------------------------------------------- date arithmetic


def test_worked_example_weeks_beginning_with():
    assert oracle.weeks_beginning_with(D(2019, 3, 1), 5) == D(2019, 4, 4)
    assert oracle.weeks_beginning_with(D(2019, 3, 1), 1) == D(2019, 3, 7)


@pytest.mark.parametrize(
    "fam,la,status,done,late",
    [
        ("2019-04-04", "2019-04-04", "met", "2019-04-04", 0),  # D+34
        ("2019-04-05", "2019-04-01", "late", "2019-04-05", 1),  # D+35
        ("2019-04-01", "", "overdue", None, 87),  # one date alone: not done
        ("", "", "overdue", None, 87),
        ("2019-04-09", "2019-07-01", "overdue", None, 87),  # la date after as-of
    ],
)
def test_response_5_weeks_health(tmp_path, fam, la, status, done, late):
    f = run(
        tmp_path,
        D(2019, 6, 30),
        appeals=[appeal()],
        recommendations=[
            {
                "recommendation_id": "REC-17",
                "appeal_id": "AP1",
                "commissioner_code": "QRL",
                "kind": "health",
                "made_on": "1/3/2019",
            }
        ],
        responses=[{"recommendation_id": "REC-17", "sent_to_family_on": fam, "sent_to_la_on": la}],
    )
    r = f[("response-5-weeks", "REC-17")]
    assert (r["status"], r["due_on"], r["done_on"], r["days_late"]) == (status, "2019-04-04", done, late)
    assert r["owner"] == "QRL" and r["area"] == "850"


@pytest.mark.parametrize(
    "as_of,status,late",
    [
        (D(2019, 3, 27), "pending", 0),  # due - 8
        (D(2019, 3, 28), "due_soon", 0),  # due - 7
        (D(2019, 4, 4), "due_soon", 0),  # due on the as-of date itself
        (D(2019, 4, 5), "overdue", 1),
        (D(2019, 2, 28), None, 0),  # recommendation not made yet
    ],
)
def test_due_soon_pending_overdue(tmp_path, as_of, status, late):
    f = run(
        tmp_path,
        as_of,
        appeals=[appeal()],
        recommendations=[
            {
                "recommendation_id": "R",
                "appeal_id": "AP1",
                "commissioner_code": "850-SC",
                "kind": "social_care",
                "made_on": "2019-03-01",
            }
        ],
    )
    if status is None:
        assert ("response-5-weeks", "R") not in f
        return
    r = f[("response-5-weeks", "R")]
    assert (r["status"], r["days_late"], r["due_on"]) == (status, late, "2019-04-04")
    assert r["owner"] == "850-SC"


def test_social_care_ignores_sent_to_la(tmp_path):
    f = run(
        tmp_path,
        D(2019, 6, 30),
        appeals=[appeal(health_issue="n", social_care_issue="Y")],
        recommendations=[
            {
                "recommendation_id": "R",
                "appeal_id": "AP1",
                "commissioner_code": "850-SC",
                "kind": "social_care",
                "made_on": "2019-03-01",
            }
        ],
        responses=[
            {
                "recommendation_id": "R",
                "sent_to_family_on": "2019-04-04",
                "sent_to_la_on": "2019-03-02",
                "steps_given": "1",
                "outcome": "accepted",
                "sent_to_evaluators_on": "",
            }
        ],
    )
    assert f[("response-5-weeks", "R")]["status"] == "met"
    c = f[("response-content", "R")]
    assert (c["status"], c["due_on"], c["done_on"]) == ("met", "2019-04-04", "2019-04-04")
    e = f[("evaluator-return", "R")]
    assert (e["status"], e["due_on"], e["owner"], e["days_late"]) == ("overdue", "2019-04-10", "850", 81)


@pytest.mark.parametrize(
    "made,sent,flag,status",
    [
        ("2020-03-28", "2020-05-02", "covid_2020", "exception"),  # due 2020-05-01
        ("2020-03-27", "2020-05-02", "covid_2020", "late"),  # due 2020-04-30
        ("2020-08-22", "2020-09-30", "covid_2020", "exception"),  # due 2020-09-25
        ("2020-08-23", "2020-09-30", "covid_2020", "late"),  # due 2020-09-26
        ("2020-03-28", "2020-05-02", "", "late"),
        ("2020-03-28", "", "covid_2020", "overdue"),  # flag only excuses late
        ("2020-03-28", "2020-04-20", "covid_2020", "met"),
    ],
)
def test_covid_exception(tmp_path, made, sent, flag, status):
    f = run(
        tmp_path,
        D(2020, 10, 31),
        appeals=[appeal(registered_on="2019-02-01")],
        recommendations=[
            {
                "recommendation_id": "R",
                "appeal_id": "AP1",
                "commissioner_code": "QRL",
                "kind": "health",
                "made_on": made,
            }
        ],
        responses=[{"recommendation_id": "R", "sent_to_family_on": sent, "sent_to_la_on": sent, "exception": flag}],
    )
    r = f[("response-5-weeks", "R")]
    assert r["status"] == status
    if status == "exception":
        assert r["days_late"] == 0 and r["done_on"] == sent


# ------------------------------------------------------------- rights-notice, local-offer


def test_rights_notice_and_scope(tmp_path):
    dec = lambda i, t, d, rn: {
        "decision_id": i,
        "area_code": "850",
        "case_ref": "C",
        "decision_type": t,
        "decision_date": d,
        "rights_notice": rn,
    }
    f = run(
        tmp_path,
        D(2019, 1, 1),
        decisions=[
            dec("D1", "plan_issued", "2018-04-02", "yes"),
            dec("D2", "plan_issued", "3/4/2018", "YES"),
            dec("D3", "refuse_assessment", "2018-05-01", "no"),
            dec("D4", "cease_plan", "2018-05-01", "No"),
            dec("D5", "refuse_plan", "2018-05-01", ""),
            dec("D6", "refuse_plan", "2019-01-02", "n"),
            dec("D7", "refuse_amendment", "2018-06-01", "0"),
        ],
        exceptions=[
            {
                "exception_id": "E1",
                "duty": "rights-notice",
                "subject_id": "D7",
                "granted_by": "x",
                "justification": "y",
                "granted_on": "2018-12-01",
                "expires_on": "2019-01-01",
            }
        ],
    )
    assert st(f, "rights-notice", "D1") is None
    assert f[("rights-notice", "D2")]["status"] == "met"
    assert f[("rights-notice", "D2")]["due_on"] == "2018-04-03" == f[("rights-notice", "D2")]["done_on"]
    assert st(f, "rights-notice", "D3") is None
    assert st(f, "rights-notice", "D4") == "breached"
    d5 = f[("rights-notice", "D5")]
    assert (d5["status"], d5["due_on"], d5["done_on"]) == ("data_gap", "2018-05-01", "2018-05-01")
    assert st(f, "rights-notice", "D6") is None  # after as-of
    assert st(f, "rights-notice", "D7") == "exception"
    f2 = oracle.evaluate(tmp_path, D(2019, 1, 2))
    d7 = [x for x in f2 if x["subject"] == "D7"][0]
    assert d7["status"] == "breached"  # exception expired


@pytest.mark.parametrize(
    "pub,as_of,status,late",
    [
        ("2018-04-03", D(2019, 1, 1), "met", 0),
        ("2018-04-04", D(2019, 1, 1), "late", 1),
        ("", D(2019, 1, 1), "overdue", 273),
        ("2018-04-01", D(2018, 3, 30), "due_soon", 0),  # done after as-of: not done
        ("", D(2018, 3, 26), "pending", 0),
    ],
)
def test_local_offer(tmp_path, pub, as_of, status, late):
    f = run(tmp_path, as_of, areas=[{"area_code": "850", "name": "H", "rights_published_on": pub}])
    r = f[("local-offer", "850")]
    assert (r["status"], r["days_late"], r["due_on"]) == (status, late, "2018-04-03")


# ------------------------------------------------------------- appeal duties


def test_appeal_scope(tmp_path):
    f = run(
        tmp_path,
        D(2019, 6, 1),
        appeals=[
            appeal("A-ok"),
            appeal("A-edu", health_issue="false", social_care_issue="0"),
            appeal("A-ref", decision_type="refuse_assessment"),
            appeal("A-old", decision_date="2018-04-02"),
            appeal("A-future", registered_on="2019-06-02"),
        ],
        evidence=[
            {
                "appeal_id": "A-future",
                "commissioner_code": "QRL",
                "evidence_due_on": "2019-05-01",
                "attendance_required": "y",
            }
        ],
        funding_claims=[
            {
                "claim_id": "C1",
                "appeal_id": "A-future",
                "claimant_code": "850",
                "category": "legal",
                "amount_gbp": "1",
                "claimed_on": "2019-05-01",
            }
        ],
    )
    subjects = {s for (_, s) in f}
    assert "A-ok" in subjects
    assert not any(s.startswith(("A-edu", "A-ref", "A-old", "A-future")) for s in subjects)


def test_la_evidence_and_contacted(tmp_path):
    f = run(
        tmp_path,
        D(2019, 4, 1),
        appeals=[
            appeal("A1", health_issue="y", social_care_issue="y", la_response_sent_on="2019-03-16"),
            appeal("A2", la_response_due_on="", la_response_sent_on="2019-03-01"),
        ],
        evidence=[
            {"appeal_id": "A1", "commissioner_code": "QRL", "la_contacted_on": "2019-03-20"},
            {"appeal_id": "A1", "commissioner_code": "850-SC", "la_contacted_on": "2019-03-10"},
            {"appeal_id": "A1", "commissioner_code": "QRM", "la_contacted_on": "2019-03-01"},
            {"appeal_id": "A2", "commissioner_code": "QRL", "la_contacted_on": "2019-04-02"},
        ],
        commissioners=BASE["commissioners"] + [{"commissioner_code": "QRM", "name": "x", "kind": "health"}],
    )
    a1 = f[("la-evidence", "A1")]
    assert (a1["status"], a1["days_late"], a1["done_on"]) == ("late", 1, "2019-03-16")
    h = f[("commissioner-contacted", "A1:health")]
    assert (h["status"], h["done_on"]) == ("met", "2019-03-01")  # earliest health row
    s = f[("commissioner-contacted", "A1:social_care")]
    assert (s["status"], s["done_on"]) == ("met", "2019-03-10")
    a2 = f[("la-evidence", "A2")]
    assert (a2["status"], a2["due_on"], a2["done_on"]) == ("data_gap", None, "2019-03-01")
    c2 = f[("commissioner-contacted", "A2:health")]
    assert (c2["status"], c2["due_on"], c2["done_on"]) == ("data_gap", None, None)
    assert ("commissioner-contacted", "A2:social_care") not in f


@pytest.mark.parametrize(
    "status,closed,as_of,expect",
    [
        ("withdrawn", "2019-03-14", D(2019, 4, 1), None),  # deadline 03-15 after closing
        ("conceded", "2019-03-14", D(2019, 4, 1), None),
        ("withdrawn", "2019-03-15", D(2019, 4, 1), None),  # due on the day it closed: lapses (version 3)
        ("conceded", "2019-03-16", D(2019, 4, 1), "breached"),  # due before closing, not done: a closed breach
        ("withdrawn", "2019-03-14", D(2019, 3, 13), "due_soon"),  # closed after as-of
        ("decided", "2019-03-14", D(2019, 4, 1), "overdue"),
    ],
)
def test_closed_appeals(tmp_path, status, closed, as_of, expect):
    f = run(
        tmp_path,
        as_of,
        appeals=[appeal(status=status, closed_on=closed, hearing_on="2019-03-20")],
        evidence=[
            {
                "appeal_id": "AP1",
                "commissioner_code": "QRL",
                "evidence_due_on": "2019-03-15",
                "attendance_required": "true",
            }
        ],
    )
    assert st(f, "la-evidence", "AP1") == expect
    assert st(f, "commissioner-contacted", "AP1:health") == expect
    assert st(f, "commissioner-evidence", "AP1:QRL") == expect


def test_closed_blank_deadline_stays(tmp_path):
    f = run(
        tmp_path,
        D(2019, 4, 1),
        appeals=[appeal(status="withdrawn", closed_on="2019-03-01", la_response_due_on="")],
        evidence=[{"appeal_id": "AP1", "commissioner_code": "QRL", "attendance_required": "1"}],
        funding_claims=[
            {
                "claim_id": "C",
                "appeal_id": "AP1",
                "claimant_code": "QRL",
                "category": "evidence",
                "amount_gbp": "£4,000.00",
                "claimed_on": "2019-03-05",
            }
        ],
    )
    assert st(f, "la-evidence", "AP1") == "data_gap"
    assert st(f, "hearing-attendance", "AP1:QRL") == "pending"
    assert st(f, "funding-cap", "AP1") == "met"
    assert ("commissioner-evidence", "AP1:QRL") not in f  # no evidence_due_on


@pytest.mark.parametrize(
    "hearing,attended,as_of,status,due,done",
    [
        ("2019-05-10", "false", D(2019, 5, 3), "due_soon", "2019-05-10", None),
        ("2019-05-10", "true", D(2019, 5, 2), "pending", "2019-05-10", None),
        ("2019-05-10", "Y", D(2019, 5, 10), "met", "2019-05-10", "2019-05-10"),
        ("2019-05-10", "no", D(2019, 5, 10), "breached", "2019-05-10", None),
        ("2019-05-10", "", D(2019, 6, 10), "data_gap", "2019-05-10", None),
        ("", "yes", D(2019, 6, 10), "pending", None, None),
    ],
)
def test_hearing_attendance(tmp_path, hearing, attended, as_of, status, due, done):
    f = run(
        tmp_path,
        as_of,
        appeals=[appeal(hearing_on=hearing)],
        evidence=[
            {"appeal_id": "AP1", "commissioner_code": "QRL", "attendance_required": "Yes", "attended": attended},
            {"appeal_id": "AP1", "commissioner_code": "850-SC", "attendance_required": "", "attended": "no"},
        ],
    )
    r = f[("hearing-attendance", "AP1:QRL")]
    assert (r["status"], r["due_on"], r["done_on"], r["owner"]) == (status, due, done, "QRL")
    assert ("hearing-attendance", "AP1:850-SC") not in f


# ------------------------------------------------------------- response-content, evaluator-return


@pytest.mark.parametrize(
    "steps,outcome,reasons,status",
    [
        ("false", "", "", "breached"),  # known false wins over blank outcome
        ("", "declined", "no", "breached"),
        ("yes", "partly_accepted", "", "data_gap"),
        ("yes", "accepted", "no", "met"),  # reasons not required
        ("yes", "", "yes", "data_gap"),
        ("", "accepted", "", "data_gap"),
        ("1", "declined", "1", "met"),
    ],
)
def test_response_content(tmp_path, steps, outcome, reasons, status):
    f = run(
        tmp_path,
        D(2019, 6, 30),
        appeals=[appeal()],
        recommendations=[
            {
                "recommendation_id": "R",
                "appeal_id": "AP1",
                "commissioner_code": "QRL",
                "kind": "health",
                "made_on": "2019-03-01",
            }
        ],
        responses=[
            {
                "recommendation_id": "R",
                "sent_to_family_on": "2019-04-10",
                "sent_to_la_on": "2019-04-08",
                "outcome": outcome,
                "steps_given": steps,
                "reasons_given": reasons,
            }
        ],
    )
    r = f[("response-content", "R")]
    assert (r["status"], r["due_on"], r["done_on"]) == (status, "2019-04-08", "2019-04-08")


def test_response_content_not_sent_yet(tmp_path):
    f = run(
        tmp_path,
        D(2019, 4, 7),
        appeals=[appeal()],
        recommendations=[
            {
                "recommendation_id": "R",
                "appeal_id": "AP1",
                "commissioner_code": "QRL",
                "kind": "health",
                "made_on": "2019-03-01",
            }
        ],
        responses=[
            {
                "recommendation_id": "R",
                "sent_to_family_on": "2019-04-10",
                "sent_to_la_on": "2019-04-08",
                "steps_given": "false",
            }
        ],
    )
    assert ("response-content", "R") not in f
    assert ("evaluator-return", "R") not in f
    assert f[("response-5-weeks", "R")]["status"] == "overdue"


@pytest.mark.parametrize(
    "la,evals,as_of,status",
    [
        ("2021-08-31", "2021-09-06", D(2021, 12, 1), "met"),
        ("2021-08-31", "2021-09-07", D(2021, 12, 1), "late"),
        ("2021-09-01", "", D(2021, 12, 1), None),
        ("2021-08-31", "", D(2021, 8, 31), "due_soon"),
        ("2021-08-31", "2021-09-01", D(2021, 8, 31), "due_soon"),
    ],
)
def test_evaluator_return(tmp_path, la, evals, as_of, status):
    f = run(
        tmp_path,
        as_of,
        appeals=[appeal()],
        recommendations=[
            {
                "recommendation_id": "R",
                "appeal_id": "AP1",
                "commissioner_code": "QRL",
                "kind": "health",
                "made_on": "2021-07-01",
            }
        ],
        responses=[
            {"recommendation_id": "R", "sent_to_family_on": "", "sent_to_la_on": la, "sent_to_evaluators_on": evals}
        ],
    )
    assert st(f, "evaluator-return", "R") == status
    if status:
        assert f[("evaluator-return", "R")]["due_on"] == "2021-09-06"
        assert f[("evaluator-return", "R")]["owner"] == "850"


# ------------------------------------------------------------- funding-cap


@pytest.mark.parametrize(
    "claims,as_of,status",
    [
        ([("evidence", "£1,500.25", "2019-03-01"), ("hearing", "2,499.75", "2019-03-02")], D(2019, 6, 1), "met"),
        ([("evidence", "£1,500.26", "2019-03-01"), ("hearing", "2499.75", "2019-03-02")], D(2019, 6, 1), "breached"),
        ([("legal", "1", "2019-03-01")], D(2019, 6, 1), "breached"),
        ([("legal", "1", "2021-09-01"), ("other", "10", "2021-08-31")], D(2022, 1, 1), "met"),
        ([("legal", "1", "2019-06-02"), ("other", "10", "2019-06-01")], D(2019, 6, 1), "met"),
        ([("other", "5000", "2019-06-02")], D(2019, 6, 1), None),
        ([("other", "5000", "2018-04-02")], D(2019, 6, 1), None),
        ([("other", "4000.00", "2018-04-03")], D(2019, 6, 1), "met"),
    ],
)
def test_funding_cap(tmp_path, claims, as_of, status):
    f = run(
        tmp_path,
        as_of,
        appeals=[appeal(registered_on="2018-04-03", decision_date="2018-04-03")],
        funding_claims=[
            {
                "claim_id": f"C{i}",
                "appeal_id": "AP1",
                "claimant_code": "QRL",
                "category": c,
                "amount_gbp": a,
                "claimed_on": d,
            }
            for i, (c, a, d) in enumerate(claims)
        ],
    )
    assert st(f, "funding-cap", "AP1") == status
    if status:
        r = f[("funding-cap", "AP1")]
        assert r["due_on"] is None and r["done_on"] is None and r["owner"] == "850"


# ------------------------------------------------------------- exceptions, parsing, export


def test_recorded_exception_window(tmp_path):
    ex = [
        {
            "exception_id": "E",
            "duty": "la-evidence",
            "subject_id": "AP1",
            "granted_by": "x",
            "justification": "y",
            "granted_on": "2019-04-01",
            "expires_on": "2019-04-30",
        }
    ]
    tables = dict(appeals=[appeal(la_response_sent_on="2019-03-20")], exceptions=ex)
    f = run(tmp_path, D(2019, 3, 31), **tables)
    assert f[("la-evidence", "AP1")]["status"] == "late"  # granted after as-of
    for d in (D(2019, 4, 1), D(2019, 4, 30)):
        r = {(x["duty"], x["subject"]): x for x in oracle.evaluate(tmp_path, d)}[("la-evidence", "AP1")]
        assert (r["status"], r["days_late"], r["due_on"], r["done_on"]) == ("exception", 0, "2019-03-15", "2019-03-20")
    r = {(x["duty"], x["subject"]): x for x in oracle.evaluate(tmp_path, D(2019, 5, 1))}[("la-evidence", "AP1")]
    assert (r["status"], r["days_late"]) == ("late", 5)


def test_parsing_bom_header_case_and_spaces(tmp_path):
    write(tmp_path, {"appeals": []})
    (tmp_path / "appeals.csv").write_text(
        "\ufeffAPPEAL_ID,Area_Code,case_ref,decision_type,decision_date,registered_on,"
        "Health_Issue,social_care_issue,la_response_due_on,la_response_sent_on,status,closed_on\n"
        " AP1 , 850 ,C1, plan_issued ,10/1/2019,01/02/2019, YES ,N, 15/3/2019 ,,open,\n",
        encoding="utf-8",
    )
    (tmp_path / "evidence.csv").unlink(missing_ok=True)
    f = {(x["duty"], x["subject"]): x for x in oracle.evaluate(tmp_path, D(2019, 3, 16))}
    r = f[("la-evidence", "AP1")]
    assert (r["status"], r["due_on"], r["days_late"], r["area"]) == ("overdue", "2019-03-15", 1, "850")
    assert ("commissioner-contacted", "AP1:social_care") not in f


def test_export_shape_and_sorting(tmp_path):
    write(
        tmp_path,
        {
            "appeals": [appeal("B"), appeal("A")],
            "decisions": [
                {
                    "decision_id": "Z",
                    "area_code": "850",
                    "case_ref": "c",
                    "decision_type": "plan_issued",
                    "decision_date": "2019-01-01",
                    "rights_notice": "y",
                }
            ],
        },
    )
    out = oracle.evaluate(tmp_path, D(2019, 3, 1))
    keys = [(x["duty"], x["subject"]) for x in out]
    assert keys == sorted(keys)
    assert all(
        set(x)
        == {
            "duty",
            "subject",
            "area",
            "owner",
            "status",
            "due_on",
            "done_on",
            "days_late",
            "reason",
            "case_ref",
            "acts_now",
        }
        for x in out
    )
    assert all(x["status"] != "not_applicable" for x in out)
    proc = subprocess.run(
        [sys.executable, str(HERE / "oracle.py"), str(tmp_path), "2019-03-01"],
        capture_output=True,
        text=True,
        check=True,
    )
    doc = json.loads(proc.stdout)
    assert doc["as_of"] == "2019-03-01" and doc["findings"] == out


def test_missing_files(tmp_path):
    assert oracle.evaluate(tmp_path, D(2019, 1, 1)) == []


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_boundary_data_is_valid_and_evaluable(tmp_path, seed):
    boundary_data.write_random_folder(tmp_path, seed, n_appeals=40)
    rows = {n: oracle.read_csv(tmp_path, n) for n in oracle.FILES}
    # ids unique, references exist, kinds agree, closed_on iff not open
    areas = {r["area_code"] for r in rows["areas"]}
    coms = {r["commissioner_code"]: r["kind"] for r in rows["commissioners"]}
    appeals = {r["appeal_id"]: r for r in rows["appeals"]}
    recs = {r["recommendation_id"]: r for r in rows["recommendations"]}
    for name, key in [
        ("areas", "area_code"),
        ("commissioners", "commissioner_code"),
        ("decisions", "decision_id"),
        ("appeals", "appeal_id"),
        ("recommendations", "recommendation_id"),
        ("responses", "recommendation_id"),
        ("funding_claims", "claim_id"),
        ("exceptions", "exception_id"),
    ]:
        ids = [r[key] for r in rows[name]]
        assert len(ids) == len(set(ids)) and all(ids), name
    ev_keys = [(r["appeal_id"], r["commissioner_code"]) for r in rows["evidence"]]
    assert len(ev_keys) == len(set(ev_keys))
    assert all(r["area_code"] in areas for r in rows["decisions"] + rows["appeals"])
    assert all(r["appeal_id"] in appeals and r["commissioner_code"] in coms for r in rows["evidence"])
    for r in rows["recommendations"]:
        assert r["appeal_id"] in appeals and coms[r["commissioner_code"]] == r["kind"]
    assert all(r["recommendation_id"] in recs for r in rows["responses"])
    for r in rows["funding_claims"]:
        assert r["appeal_id"] in appeals and (r["claimant_code"] in areas or r["claimant_code"] in coms)
        assert oracle.parse_money(r["amount_gbp"]) >= 0
    for r in rows["appeals"]:
        assert (r["status"] == "open") == (r.get("closed_on", "") == "")
        assert r["status"] in ("open", "withdrawn", "conceded", "decided")
    for r in rows["exceptions"]:
        assert r["duty"] in boundary_data.DUTIES
        assert oracle.parse_date(r["granted_on"]) <= oracle.parse_date(r["expires_on"])
    for d in boundary_data.as_of_dates(seed):
        assert D(2018, 3, 1) <= d <= D(2022, 6, 30)
        oracle.evaluate(tmp_path, d)
