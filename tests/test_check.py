"""Each duty's statuses, table-driven, through the CLI (import → check → findings)."""

from __future__ import annotations

import pytest
from conftest import findings_of, write_records

AREA = {"area_code": "850", "name": "Area 850", "rights_published_on": "2018-04-03"}
HEALTH = {"commissioner_code": "QRL", "name": "NHS Example ICB", "kind": "health"}
SOCIAL = {"commissioner_code": "850-SC", "name": "Area 850 social care", "kind": "social_care"}


def appeal(**kw) -> dict:
    base = {
        "appeal_id": "A1",
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
    return {**base, **kw}


def run(tmp_path, as_of: str, **records) -> dict:
    records.setdefault("areas", [AREA])
    records.setdefault("commissioners", [HEALTH, SOCIAL])
    folder = write_records(tmp_path / "records", **records)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    from conftest import cli

    result = cli("import", folder, db=db)
    assert result.exit_code == 0, result.output
    return findings_of(db, as_of)


def status(found: dict, duty: str, subject: str):
    f = found.get((duty, subject))
    return None if f is None else (f["status"], f["due_on"], f["done_on"], f["days_late"])


# --- rights-notice and scope --------------------------------------------------


@pytest.mark.parametrize(
    "decision_type, decision_date, notice, expected",
    [
        ("plan_issued", "2018-04-03", "yes", ("met", "2018-04-03", "2018-04-03", 0)),
        ("plan_issued", "2018-04-02", "no", None),  # before the Regulations came into force
        ("refuse_assessment", "2019-01-01", "no", None),  # never in scope
        ("cease_plan", "2019-01-01", "no", ("breached", "2019-01-01", "2019-01-01", 0)),
        ("refuse_plan", "2019-01-01", "", ("data_gap", "2019-01-01", "2019-01-01", 0)),
        ("plan_amended", "2020-07-01", "yes", None),  # after the as-of date: does not exist yet
    ],
)
def test_rights_notice(tmp_path, decision_type, decision_date, notice, expected):
    found = run(
        tmp_path,
        "2020-06-30",
        decisions=[
            {
                "decision_id": "D1",
                "area_code": "850",
                "case_ref": "C1",
                "decision_type": decision_type,
                "decision_date": decision_date,
                "rights_notice": notice,
            }
        ],
    )
    assert status(found, "rights-notice", "D1") == expected


# --- local-offer ---------------------------------------------------------------


@pytest.mark.parametrize(
    "published, as_of, expected",
    [
        ("2018-04-03", "2019-01-01", ("met", "2018-04-03", "2018-04-03", 0)),
        ("2018-04-04", "2019-01-01", ("late", "2018-04-03", "2018-04-04", 1)),
        ("2018-05-01", "2018-04-10", ("overdue", "2018-04-03", None, 7)),
        ("", "2018-04-03", ("due_soon", "2018-04-03", None, 0)),
        ("", "2018-03-27", ("due_soon", "2018-04-03", None, 0)),
        ("", "2018-03-26", ("pending", "2018-04-03", None, 0)),
    ],
)
def test_local_offer(tmp_path, published, as_of, expected):
    found = run(tmp_path, as_of, areas=[{**AREA, "rights_published_on": published}])
    assert status(found, "local-offer", "850") == expected


# --- response-5-weeks: 5 weeks beginning with the date made --------------------


def rec(kind="health", made_on="2019-03-01", **resp):
    commissioner = "QRL" if kind == "health" else "850-SC"
    records = {
        "appeals": [appeal(social_care_issue="yes", status="decided", closed_on="2019-03-01")],
        "recommendations": [
            {
                "recommendation_id": "R1",
                "appeal_id": "A1",
                "commissioner_code": commissioner,
                "kind": kind,
                "made_on": made_on,
            }
        ],
    }
    if resp:
        records["responses"] = [{"recommendation_id": "R1", **resp}]
    return records


@pytest.mark.parametrize(
    "records, as_of, expected",
    [
        (
            rec(sent_to_family_on="2019-04-04", sent_to_la_on="2019-04-01"),
            "2019-06-30",
            ("met", "2019-04-04", "2019-04-04", 0),
        ),  # D+34 is on time
        (
            rec(sent_to_family_on="2019-04-01", sent_to_la_on="2019-04-05"),
            "2019-06-30",
            ("late", "2019-04-04", "2019-04-05", 1),
        ),  # D+35 is late by 1
        (
            rec(sent_to_family_on="2019-04-01", sent_to_la_on=""),
            "2019-06-30",
            ("overdue", "2019-04-04", None, 87),
        ),  # one of two dates alone is not done
        (
            rec(sent_to_family_on="2019-04-01", sent_to_la_on="2019-07-01"),
            "2019-06-30",
            ("overdue", "2019-04-04", None, 87),
        ),  # a date after the as-of date is not done yet
        (
            rec(kind="social_care", sent_to_family_on="2019-04-02", sent_to_la_on=""),
            "2019-06-30",
            ("met", "2019-04-04", "2019-04-02", 0),
        ),  # social care: the family only
        (rec(), "2019-04-04", ("due_soon", "2019-04-04", None, 0)),  # due on the as-of date itself
        (rec(), "2019-03-28", ("due_soon", "2019-04-04", None, 0)),
        (rec(), "2019-03-27", ("pending", "2019-04-04", None, 0)),
        (rec(), "2019-04-05", ("overdue", "2019-04-04", None, 1)),
        (
            rec(
                made_on="2020-04-01", sent_to_family_on="2020-05-20", sent_to_la_on="2020-05-20", exception="covid_2020"
            ),
            "2020-06-30",
            ("exception", "2020-05-05", "2020-05-20", 0),
        ),
        (
            rec(
                made_on="2020-03-26", sent_to_family_on="2020-05-20", sent_to_la_on="2020-05-20", exception="covid_2020"
            ),
            "2020-06-30",
            ("late", "2020-04-29", "2020-05-20", 21),
        ),  # due before the window
        (
            rec(made_on="2020-08-22", sent_to_family_on="", sent_to_la_on="", exception="covid_2020"),
            "2020-10-30",
            ("overdue", "2020-09-25", None, 35),
        ),  # flag only excuses late
    ],
)
def test_response_five_weeks(tmp_path, records, as_of, expected):
    assert status(run(tmp_path, as_of, **records), "response-5-weeks", "R1") == expected


# --- response-content ---------------------------------------------------------


@pytest.mark.parametrize(
    "resp, expected",
    [
        ({"outcome": "accepted", "steps_given": "y"}, "met"),
        ({"outcome": "declined", "steps_given": "y", "reasons_given": "y"}, "met"),
        ({"outcome": "declined", "steps_given": "y", "reasons_given": "n"}, "breached"),
        ({"outcome": "partly_accepted", "steps_given": "", "reasons_given": "no"}, "breached"),  # a known false wins
        ({"outcome": "accepted", "steps_given": "0"}, "breached"),
        ({"outcome": "", "steps_given": "1"}, "data_gap"),
        ({"outcome": "declined", "steps_given": "1", "reasons_given": ""}, "data_gap"),
        ({"outcome": "accepted", "steps_given": "1", "reasons_given": ""}, "met"),  # reasons not required
    ],
)
def test_response_content(tmp_path, resp, expected):
    found = run(tmp_path, "2019-06-30", **rec(sent_to_family_on="2019-04-02", sent_to_la_on="2019-04-01", **resp))
    assert status(found, "response-content", "R1") == (expected, "2019-04-01", "2019-04-01", 0)


def test_response_content_waits_for_a_sent_response(tmp_path):
    found = run(tmp_path, "2019-06-30", **rec(sent_to_family_on="2019-07-02", outcome="accepted", steps_given="y"))
    assert status(found, "response-content", "R1") is None


# --- evaluator-return -----------------------------------------------------------


@pytest.mark.parametrize(
    "received, returned, as_of, expected",
    [
        ("2019-04-01", "2019-04-07", "2019-06-30", ("met", "2019-04-07", "2019-04-07", 0)),
        ("2019-04-01", "2019-04-08", "2019-06-30", ("late", "2019-04-07", "2019-04-08", 1)),
        ("2019-04-01", "", "2019-04-03", ("due_soon", "2019-04-07", None, 0)),
        ("2021-08-31", "", "2021-09-30", ("overdue", "2021-09-06", None, 24)),  # received on the last trial day
        ("2021-09-01", "", "2021-09-30", None),  # received after the trial
    ],
)
def test_evaluator_return(tmp_path, received, returned, as_of, expected):
    found = run(
        tmp_path, as_of, **rec(sent_to_family_on="2019-04-01", sent_to_la_on=received, sent_to_evaluators_on=returned)
    )
    assert status(found, "evaluator-return", "R1") == expected


# --- appeals: scope, closures, data gaps -----------------------------------------


def test_education_only_and_out_of_scope_appeals_have_no_findings(tmp_path):
    found = run(
        tmp_path,
        "2019-06-30",
        appeals=[
            appeal(appeal_id="EDU", health_issue="no", social_care_issue="no"),
            appeal(appeal_id="EARLY", decision_date="2018-04-02"),
            appeal(appeal_id="REFUSE", decision_type="refuse_assessment"),
            appeal(appeal_id="IN", decision_date="2018-04-03"),
        ],
    )
    subjects = {s for (_, s) in found}
    assert "IN" in subjects and "IN:health" in subjects and "IN:social_care" not in subjects
    assert not {"EDU", "EARLY", "REFUSE"} & {s.split(":")[0] for s in subjects}


DUE = "2019-03-15"  # every dated appeal duty below falls due on this day
CLOSED_DUTIES = (("la-evidence", "A1"), ("commissioner-contacted", "A1:health"), ("commissioner-evidence", "A1:QRL"))


def _closed_case(db: str, folder, as_of: str, status_: str, closed_on: str, done: str = "", **extra) -> dict:
    """One appeal whose three dated duties (LA response, contact, commissioner evidence) fall due on
    DUE and are done on `done`, closed as given; its findings as of `as_of`."""
    from conftest import cli

    records = {
        "areas": [AREA],
        "commissioners": [HEALTH, SOCIAL],
        "appeals": [appeal(status=status_, closed_on=closed_on, la_response_sent_on=done, hearing_on="2019-03-10")],
        "evidence": [
            {
                "appeal_id": "A1",
                "commissioner_code": "QRL",
                "la_contacted_on": done,
                "evidence_due_on": DUE,
                "evidence_provided_on": done,
                "attendance_required": "yes",
                "attended": "",
            }
        ],
        **extra,
    }
    result = cli("import", write_records(folder, **records), db=db)
    assert result.exit_code == 0, result.output
    return findings_of(db, as_of)


@pytest.mark.parametrize(
    "status_, closed_on, done, expected, reason",
    [
        # not done by the as-of date (2019-06-30)
        ("withdrawn", "2019-03-14", "", None, None),  # due after closing: not applicable
        ("conceded", "2019-03-15", "", None, None),  # due the day it closed: lapses, never overdue
        ("withdrawn", "2019-03-20", "", ("breached", DUE, None, 0), "withdrawn on 20 March 2019"),
        ("conceded", "2019-03-16", "", ("breached", DUE, None, 0), "conceded on 16 March 2019"),
        ("withdrawn", "2019-03-20", "2019-07-02", ("breached", DUE, None, 0), "withdrawn on 20 March 2019"),
        ("decided", "2019-03-20", "", ("overdue", DUE, None, 107), None),  # decided appeals keep their duties
        ("withdrawn", "2019-07-01", "", ("overdue", DUE, None, 107), None),  # closed after the as-of date
        # done: judged as usual, before or after the closure
        ("withdrawn", "2019-03-20", "2019-03-10", ("met", DUE, "2019-03-10", 0), None),
        ("conceded", "2019-03-20", "2019-03-18", ("late", DUE, "2019-03-18", 3), None),
        ("withdrawn", "2019-03-20", "2019-04-01", ("late", DUE, "2019-04-01", 17), None),
    ],
)
def test_a_closed_appeal_closes_its_open_duties(tmp_path, db_url, status_, closed_on, done, expected, reason):
    found = _closed_case(db_url, tmp_path / "records", "2019-06-30", status_, closed_on, done)
    for duty, subject in CLOSED_DUTIES:
        assert status(found, duty, subject) == expected, duty
        if reason:
            assert found[(duty, subject)]["reason"] == f"not done before the appeal was {reason}"
    # the hearing (10 March, before every closure above) is judged as before: attended is blank
    assert status(found, "hearing-attendance", "A1:QRL")[0] == "data_gap"


def test_an_exception_excuses_a_closed_breach(tmp_path, sqlite_url):
    excused = {
        "exception_id": "X1",
        "duty": "la-evidence",
        "subject_id": "A1",
        "granted_by": "DCS",
        "justification": "agreed",
        "granted_on": "2019-01-01",
        "expires_on": "2019-12-31",
    }
    found = _closed_case(
        sqlite_url, tmp_path / "records", "2019-06-30", "withdrawn", "2019-03-20", exceptions=[excused]
    )
    assert status(found, "la-evidence", "A1") == ("exception", DUE, None, 0)
    assert status(found, "commissioner-contacted", "A1:health") == ("breached", DUE, None, 0)


@pytest.mark.parametrize("closed_on, acts", [("2019-03-20", False), ("2019-07-01", True)])
def test_a_closed_breach_asks_nobody_to_act(tmp_path, sqlite_url, closed_on, acts):
    """The morning e-mail files a closed breach for the record, without the duty's next step; the
    same duty on an appeal closed after the as-of date is overdue, and asks for it."""
    from conftest import cli

    area = {**AREA, "send_team_email": "send@example.org"}
    health = {**HEALTH, "contact_email": "icb@example.org"}
    _closed_case(
        sqlite_url,
        tmp_path / "records",
        "2019-06-30",
        "withdrawn",
        closed_on,
        areas=[area],
        commissioners=[health, SOCIAL],
    )
    config = tmp_path / "send-monitor.toml"
    config.write_text(f'database_url = "{sqlite_url}"\nsite_url = "https://monitor.example.org/"\n', encoding="utf-8")
    result = cli("alerts", "--dry-run", config=config)
    assert result.exit_code == 0, result.output
    la = result.stdout.split("To: send@example.org", 1)[1].split("=" * 72, 1)[0]
    assert ("Next step: Send the LA's response" in la) is acts
    assert ("for the record" in la.split("\n", 2)[1].lower()) is not acts  # the subject line


def test_a_closed_breachs_page_names_the_closure_and_asks_nothing(tmp_path, sqlite_url):
    import html
    import re

    from conftest import cli

    from monitor.paths import explanation_path

    _closed_case(sqlite_url, tmp_path / "records", "2019-06-30", "withdrawn", "2019-03-20")
    result = cli("publish", tmp_path / "site", db=sqlite_url)
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site" / explanation_path("850", "la-evidence", "A1")).read_text(encoding="utf-8")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "Not done before the appeal was withdrawn on 20 March 2019: this duty was not met." in text
    assert "must act" not in text and "Send the LA's response" not in text
    assert "Nothing can be done on this duty any more" in text


def test_blank_deadline_is_a_data_gap_and_never_closed_away(tmp_path):
    found = run(
        tmp_path,
        "2019-06-30",
        appeals=[
            appeal(la_response_due_on="", la_response_sent_on="2019-03-01", status="withdrawn", closed_on="2019-03-10")
        ],
        evidence=[{"appeal_id": "A1", "commissioner_code": "QRL", "la_contacted_on": "2019-02-10"}],
    )
    assert status(found, "la-evidence", "A1") == ("data_gap", None, "2019-03-01", 0)
    assert status(found, "commissioner-contacted", "A1:health") == ("data_gap", None, "2019-02-10", 0)


def test_commissioner_contacted_uses_the_earliest_contact_of_that_kind(tmp_path):
    found = run(
        tmp_path,
        "2019-06-30",
        appeals=[appeal(social_care_issue="yes")],
        commissioners=[HEALTH, SOCIAL, {"commissioner_code": "QSL", "name": "ICB 2", "kind": "health"}],
        evidence=[
            {"appeal_id": "A1", "commissioner_code": "QRL", "la_contacted_on": "2019-03-20"},
            {"appeal_id": "A1", "commissioner_code": "QSL", "la_contacted_on": "2019-03-10"},
            {"appeal_id": "A1", "commissioner_code": "850-SC", "la_contacted_on": "2019-03-16"},
        ],
    )
    assert status(found, "commissioner-contacted", "A1:health") == ("met", "2019-03-15", "2019-03-10", 0)
    assert status(found, "commissioner-contacted", "A1:social_care") == ("late", "2019-03-15", "2019-03-16", 1)


@pytest.mark.parametrize(
    "hearing, attended, as_of, expected",
    [
        ("2019-05-01", "yes", "2019-06-30", ("met", "2019-05-01", "2019-05-01", 0)),
        ("2019-05-01", "no", "2019-06-30", ("breached", "2019-05-01", None, 0)),
        ("2019-05-01", "", "2019-06-30", ("data_gap", "2019-05-01", None, 0)),
        ("2019-06-30", "", "2019-06-30", ("data_gap", "2019-06-30", None, 0)),  # held on the as-of date
        ("2019-07-07", "yes", "2019-06-30", ("due_soon", "2019-07-07", None, 0)),  # future: whatever attended says
        ("2019-07-08", "no", "2019-06-30", ("pending", "2019-07-08", None, 0)),
        ("", "", "2019-06-30", ("pending", None, None, 0)),
    ],
)
def test_hearing_attendance(tmp_path, hearing, attended, as_of, expected):
    found = run(
        tmp_path,
        as_of,
        appeals=[appeal(hearing_on=hearing)],
        evidence=[
            {"appeal_id": "A1", "commissioner_code": "QRL", "attendance_required": "true", "attended": attended},
            {"appeal_id": "A1", "commissioner_code": "850-SC", "attendance_required": "false"},
        ],
    )
    assert status(found, "hearing-attendance", "A1:QRL") == expected
    assert status(found, "hearing-attendance", "A1:850-SC") is None


@pytest.mark.parametrize(
    "due, provided, expected",
    [
        ("2019-03-01", "2019-03-01", ("met", "2019-03-01", "2019-03-01", 0)),
        ("2019-03-01", "2019-03-04", ("late", "2019-03-01", "2019-03-04", 3)),
        ("2019-03-01", "", ("overdue", "2019-03-01", None, 121)),
        ("", "2019-03-04", None),  # no evidence requested: no subject
    ],
)
def test_commissioner_evidence(tmp_path, due, provided, expected):
    found = run(
        tmp_path,
        "2019-06-30",
        appeals=[appeal()],
        evidence=[
            {"appeal_id": "A1", "commissioner_code": "QRL", "evidence_due_on": due, "evidence_provided_on": provided}
        ],
    )
    assert status(found, "commissioner-evidence", "A1:QRL") == expected


# --- funding-cap ----------------------------------------------------------------


def claims(*rows):
    return [
        {
            "claim_id": f"F{i}",
            "appeal_id": "A1",
            "claimant_code": "850",
            "category": cat,
            "amount_gbp": amount,
            "claimed_on": on,
        }
        for i, (cat, amount, on) in enumerate(rows)
    ]


@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            [
                ("evidence", "£1,333.33", "2019-05-01"),
                ("hearing", "1333.33", "2019-05-02"),
                ("response", "1333.34", "2019-05-03"),
            ],
            "met",
        ),  # exactly 4000.00 is within
        ([("evidence", "4000.01", "2019-05-01")], "breached"),
        ([("legal", "10", "2019-05-01")], "breached"),
        ([("legal", "10", "2021-09-01"), ("other", "5000", "2018-04-02"), ("other", "100", "2019-05-01")], "met"),
        ([("other", "5000", "2021-09-01")], None),  # only claims within the trial count
        ([("other", "5000", "2019-07-01")], None),  # a claim after the as-of date does not exist yet
    ],
)
def test_funding_cap(tmp_path, rows, expected):
    found = run(
        tmp_path,
        "2019-06-30",
        appeals=[appeal(status="withdrawn", closed_on="2019-02-10")],
        funding_claims=claims(*rows),
    )
    got = found.get(("funding-cap", "A1"))
    assert (got and (got["status"], got["due_on"], got["done_on"], got["days_late"])) == (
        expected and (expected, None, None, 0)
    )


# --- recorded exceptions ----------------------------------------------------------


@pytest.mark.parametrize(
    "granted, expires, expected",
    [
        ("2019-06-01", "2019-06-30", ("exception", "2019-03-15", None, 0)),  # in force on its last day
        ("2019-07-01", "2019-12-31", ("overdue", "2019-03-15", None, 107)),  # not granted yet
        ("2019-01-01", "2019-06-29", ("overdue", "2019-03-15", None, 107)),  # expired: the breach returns
    ],
)
def test_recorded_exceptions(tmp_path, granted, expires, expected):
    found = run(
        tmp_path,
        "2019-06-30",
        appeals=[appeal()],
        exceptions=[
            {
                "exception_id": "X1",
                "duty": "la-evidence",
                "subject_id": "A1",
                "granted_by": "Director of Children's Services",
                "justification": "Tribunal extended the deadline by telephone",
                "granted_on": granted,
                "expires_on": expires,
            }
        ],
    )
    assert status(found, "la-evidence", "A1") == expected


def test_check_lists_the_exceptions_in_force_that_excused_nothing(tmp_path, db_url):
    from conftest import cli

    def exception(exception_id, duty, subject, granted="2019-01-01", expires="2019-12-31"):
        return {
            "exception_id": exception_id,
            "duty": duty,
            "subject_id": subject,
            "granted_by": "DCS",
            "justification": "agreed",
            "granted_on": granted,
            "expires_on": expires,
        }

    records = {
        "areas": [AREA],
        "commissioners": [HEALTH, SOCIAL],
        "appeals": [appeal(), appeal(appeal_id="A2", case_ref="C2", la_response_sent_on="2019-03-01")],
        "exceptions": [
            exception("X1", "la-evidence", "A1"),  # excuses an overdue response
            exception("X2", "la-evidence", "A9"),  # no such appeal
            exception("X3", "commissioner-contacted", "A1"),  # the subject is A1:health
            exception("X4", "la-evidence", "A2"),  # the response was on time: nothing to excuse
            exception("X5", "commissioner-contacted", "A1:health", expires="2019-05-31"),  # expired
        ],
    }
    assert cli("import", write_records(tmp_path / "records", **records), db=db_url).exit_code == 0
    first = cli("check", "--as-of", "2019-06-30", db=db_url)
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "excused nothing" in line)
    assert lines[at].startswith("3 recorded exception(s) in force excused nothing")
    assert [line.strip() for line in lines[at + 1 : at + 4]] == [
        "X2: la-evidence for A9",
        "X3: commissioner-contacted for A1",
        "X4: la-evidence for A2",
    ]
    fixed = {
        "exceptions": [exception("X2", "la-evidence", "A2"), exception("X3", "commissioner-contacted", "A1:health")]
    }
    assert cli("import", write_records(tmp_path / "fixed", **fixed), db=db_url).exit_code == 0
    second = cli("check", "--as-of", "2019-07-01", db=db_url)  # incremental: the store's findings decide
    assert second.exit_code == 0 and "incremental" in second.stdout, second.output
    assert "X3" not in second.stdout and "2 recorded exception(s) in force excused nothing" in second.stdout
    assert "X2: la-evidence for A2" in second.stdout and "X4: la-evidence for A2" in second.stdout


def test_an_exception_keeps_the_dates_of_a_late_finding(tmp_path):
    found = run(
        tmp_path,
        "2019-06-30",
        appeals=[appeal(la_response_sent_on="2019-03-20")],
        exceptions=[
            {
                "exception_id": "X1",
                "duty": "la-evidence",
                "subject_id": "A1",
                "granted_by": "DCS",
                "justification": "agreed",
                "granted_on": "2019-01-01",
                "expires_on": "2019-12-31",
            }
        ],
    )
    assert status(found, "la-evidence", "A1") == ("exception", "2019-03-15", "2019-03-20", 0)
    assert status(found, "commissioner-contacted", "A1:health")[0] == "overdue"  # other duties untouched


def test_whom_a_response_must_reach_is_a_parameter(tmp_path):
    """`response_sent_to` decides which sent dates make a response done (health: family and LA by default)."""
    records = rec(sent_to_family_on="2019-04-01", sent_to_la_on="")
    assert status(run(tmp_path / "default", "2019-06-30", **records), "response-5-weeks", "R1")[0] == "overdue"
    folder = write_records(tmp_path / "records", areas=[AREA], commissioners=[HEALTH, SOCIAL], **records)
    config = tmp_path / "send-monitor.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "family.db"}"\n'
        '[parameters]\nresponse_sent_to = {health = ["family"], social_care = ["family"]}\n',
        encoding="utf-8",
    )
    from conftest import cli

    assert cli("import", folder, config=config).exit_code == 0
    assert cli("check", "--as-of", "2019-06-30", config=config).exit_code == 0
    shown = cli("findings", "--duty", "response-5-weeks", "--format", "json", config=config)
    assert '"status": "met"' in shown.stdout and '"done_on": "2019-04-01"' in shown.stdout


@pytest.mark.parametrize("value", ['{health = ["family", "gp"], social_care = ["family"]}', "{health = []}", '"la"'])
def test_a_malformed_response_sent_to_is_refused(tmp_path, value):
    from conftest import cli

    config = tmp_path / "send-monitor.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "s.db"}"\n[parameters]\nresponse_sent_to = {value}\n', encoding="utf-8"
    )
    result = cli("duties", config=config)
    assert result.exit_code != 0 and "response_sent_to" in result.output and "Traceback" not in result.output
