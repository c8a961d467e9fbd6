"""Rule files: loading, parameters, versions, and the durable-rules decision table."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from monitor.decide import decide, register
from monitor.rules import RuleError, load_rules

RULES = Path(__file__).resolve().parent.parent / "rules"
IN_SCOPE = {
    "decision_type": "plan_issued",
    "decision_date": date(2019, 1, 10),
    "health_issue": True,
    "social_care_issue": False,
    "appeal_status": "open",
    "closed_by_as_of": False,
}
DUTIES = {
    "rights-notice",
    "letter-wording",
    "local-offer-wording",
    "local-offer",
    "commissioner-contacted",
    "la-evidence",
    "commissioner-evidence",
    "hearing-attendance",
    "response-5-weeks",
    "response-content",
    "evaluator-return",
    "funding-cap",
}


def test_every_duty_of_the_spec_has_a_rule_file_with_its_source():
    rules = load_rules(RULES)
    assert set(rules) == DUTIES
    for rule in rules.values():
        assert rule.source and rule.title and rule.owner
        assert rule.rows[-1].when == {}  # each table ends with a catch-all row


def test_a_parameter_override_changes_the_version_and_the_decision(tmp_path):
    default = load_rules(RULES)["response-5-weeks"]
    six_weeks = load_rules(RULES, {"response_weeks": 6})["response-5-weeks"]
    assert default.version != six_weeks.version
    assert (
        load_rules(RULES, {"response_weeks": 6})["rights-notice"].version == load_rules(RULES)["rights-notice"].version
    )
    warn = load_rules(RULES, {"warning_days": 3})["la-evidence"]
    register(warn)
    assert (
        decide(warn, {**IN_SCOPE, "due_known": True, "done": False, "days_left": 5, "excepted": False}).status
        == "pending"
    )


def test_the_first_matching_row_decides(tmp_path):
    rule = load_rules(RULES)["la-evidence"]
    register(rule)
    base = {**IN_SCOPE, "due_known": True, "excepted": False}
    assert decide(rule, {**base, "done": True, "days_left": -3, "days_after_due": 0}).status == "met"
    assert decide(rule, {**base, "done": True, "days_left": -3, "days_after_due": 1}).status == "late"
    assert decide(rule, {**base, "done": False, "days_left": -1}).status == "overdue"
    assert decide(rule, {**base, "done": False, "days_left": -1, "excepted": True}).status == "exception"
    assert decide(rule, {**base, "done": False, "days_left": 0}).status == "due_soon"
    assert decide(rule, {**base, "done": False, "days_left": 8}).status == "pending"
    assert (
        decide(rule, {**base, "decision_type": "refuse_assessment", "done": False, "days_left": -9}).status
        == "not_applicable"
    )
    closed = {**base, "appeal_status": "withdrawn", "closed_by_as_of": True, "done": False, "days_left": -9}
    assert decide(rule, {**closed, "days_due_after_closing": 1}).status == "not_applicable"
    assert decide(rule, {**closed, "days_due_after_closing": 0}).status == "not_applicable"  # lapsed that day
    assert decide(rule, {**closed, "days_due_after_closing": -1}).status == "breached"  # a closed breach
    assert decide(rule, {**closed, "days_due_after_closing": -1, "excepted": True}).status == "exception"
    done = {**closed, "done": True, "days_after_due": 2}
    assert decide(rule, {**done, "days_due_after_closing": -1}).status == "late"  # done: judged as usual
    assert decide(rule, {**closed, "closed_by_as_of": False, "days_due_after_closing": -1}).status == "overdue"
    assert decide(rule, {**closed, "appeal_status": "decided", "days_due_after_closing": -1}).status == "overdue"
    assert decide(rule, closed).status == "overdue"  # a blank deadline never falls after the closure


def test_a_closed_breach_asks_nobody_to_act():
    rule = load_rules(RULES)["la-evidence"]
    register(rule)
    closed = {**IN_SCOPE, "due_known": True, "excepted": False, "done": False, "days_left": -9}
    closed |= {"appeal_status": "conceded", "closed_by_as_of": True, "days_due_after_closing": -2}
    row = decide(rule, closed)
    assert row.status == "breached" and row.reason == "not done before the appeal was {closure}"
    assert rule.next_step_at(row.number) == ""
    overdue = decide(rule, {**closed, "closed_by_as_of": False})
    assert overdue.status == "overdue" and rule.next_step_at(overdue.number) == rule.next_step != ""


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def test_malformed_rule_files_are_refused(tmp_path):
    rules = _copy(tmp_path)
    (rules / "la-evidence.yaml").write_text(
        (rules / "la-evidence.yaml").read_text().replace("status: pending", "status: fine")
    )
    with pytest.raises(RuleError, match="la-evidence.yaml row 15: status must be one of"):
        load_rules(rules)


def test_unknown_parameters_are_refused(tmp_path):
    with pytest.raises(RuleError, match="unknown parameters in the configuration: respnse_weeks"):
        load_rules(RULES, {"respnse_weeks": 6})
    rules = _copy(tmp_path)
    (rules / "local-offer.yaml").write_text(
        (rules / "local-offer.yaml").read_text().replace("$warning_days", "$warn_days")
    )
    with pytest.raises(RuleError, match="unknown parameter \\$warn_days"):
        load_rules(rules)


def test_a_missing_rules_folder_is_a_clear_error(tmp_path):
    with pytest.raises(RuleError, match="no rules folder at .*set rules_dir in the configuration"):
        load_rules(tmp_path / "nowhere")


def test_sharing_decisions_between_equal_facts_changes_nothing(tmp_path):
    """Each obligation decided on its own equals the decision shared by equal fact sets."""
    from conftest import SAMPLE, cli

    from monitor.facts import BUILDERS
    from monitor.store import open_store

    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    engine = open_store(db)
    with engine.connect() as conn:
        for rule in load_rules(RULES).values():
            register(rule)
            memo: dict = {}
            obligations = list(BUILDERS[rule.obligation](conn, date(2020, 6, 30), rule.parameters, None))
            for ob in obligations:
                for excepted in (False, True):
                    facts = {**ob.facts, "excepted": excepted}
                    assert decide(rule, facts, memo) == decide(rule, facts), (rule.id, ob.subject)


# --- rules that check themselves (issue 10, item 6) --------------------------------


def _edit(tmp_path: Path, name: str, old: str, new: str) -> Path:
    rules = _copy(tmp_path)
    text = (rules / name).read_text()
    assert old in text
    (rules / name).write_text(text.replace(old, new, 1))
    return rules


@pytest.mark.parametrize(
    "name, old, new, error",
    [
        (
            "la-evidence.yaml",
            "{health_issue: false,",
            "{helth_issue: false,",
            r"la-evidence.yaml row 3: 'helth_issue' is not a fact of the appeal_response obligation",
        ),
        (
            "la-evidence.yaml",
            "{due_known: false}",
            '{due_known: {"<": 1}}',
            r"la-evidence.yaml row 8: due_known is bool: operator '<' does not apply",
        ),
        (
            "la-evidence.yaml",
            "{due_known: false}",
            '{due_known: "no"}',
            r"la-evidence.yaml row 8: due_known is bool: cannot compare it with 'no'",
        ),
        (
            "la-evidence.yaml",
            'days_left: {"<=": $warning_days}',
            'days_left: {"<=": $scope_start}',
            r"la-evidence.yaml row 14: days_left is int: cannot compare it with datetime.date\(2018, 4, 3\)",
        ),
        (
            "la-evidence.yaml",
            'days_left: {"<=": $warning_days}',
            'days_left: {"<=": $warn_days}',
            r"la-evidence.yaml row 14: unknown parameter \$warn_days",
        ),
        (
            "la-evidence.yaml",
            'days_left: {"<=": $warning_days}',
            'days_left: {"=<": 7}',
            r"la-evidence.yaml row 14: unknown operator '=<'",
        ),
        (
            "la-evidence.yaml",
            "  - otherwise: true\n    status: pending\n",
            "",
            r"la-evidence.yaml row 14: the last row must be `otherwise: true`",
        ),
        (
            "la-evidence.yaml",
            "  - when: {due_known: false}",
            "  - otherwise: true\n    status: met\n  - when: {due_known: false}",
            r"la-evidence.yaml row 8: `otherwise` must be the last row",
        ),
        (
            "la-evidence.yaml",
            'days_left: {"<=": $warning_days}',
            'days_left: {"<": 0}',
            r"la-evidence.yaml row 14: can never match: row 13 always matches first",
        ),
        (
            "la-evidence.yaml",
            '{done: true, days_after_due: {"<=": 0}}',
            "{done: true, excepted: false}",
            r"la-evidence.yaml row 11: can never match: rows 9, 10 always match first",
        ),
        (
            "hearing-attendance.yaml",
            '{days_left: {">": 0}}',
            '{days_left: {">": 0, "<": 0}}',
            r"hearing-attendance.yaml row 8: can never match: its conditions contradict each other",
        ),
        (
            "la-evidence.yaml",
            "    next_step: none\n",
            "    next_step: call the family\n",
            r"la-evidence.yaml row 7: next_step = 'call the family': can only be `none`",
        ),
        (
            "la-evidence.yaml",
            "    reason: la_response_due_on is blank",
            "    reson: la_response_due_on is blank",
            r"la-evidence.yaml row 8: reson = 'la_response_due_on is blank': unknown key \(expected one of: when, ",
        ),
        (
            "funding-cap.yaml",
            "obligation: trial_funding",
            "obligation: trial_fundng",
            r"funding-cap.yaml: unknown obligation 'trial_fundng'",
        ),
        (
            "response-content.yaml",
            "{outcome: {in: [declined, partly_accepted]}, reasons_recorded: false}",
            "{outcome: {in: declined}, reasons_recorded: false}",
            r"response-content.yaml row 11: outcome in needs a list",
        ),
    ],
)
def test_a_rule_file_with_a_mistake_is_refused_naming_the_file_and_row(tmp_path, name, old, new, error):
    with pytest.raises(RuleError, match=error):
        load_rules(_edit(tmp_path, name, old, new))


def test_the_issues_typo_is_refused(tmp_path):
    rules = _edit(
        tmp_path,
        "la-evidence.yaml",
        "  - when: {due_known: false}",
        "  - when: {apeal_in_scope: false}\n    status: not_applicable\n  - when: {due_known: false}",
    )
    with pytest.raises(RuleError, match="la-evidence.yaml row 8: 'apeal_in_scope' is not a fact"):
        load_rules(rules)


def test_builders_give_exactly_the_facts_they_declare(tmp_path):
    """On the demo data, every fact an obligation carries is declared by its builder, with its type."""
    from datetime import date as day
    from decimal import Decimal

    from conftest import SAMPLE, cli

    from monitor.facts import BUILDERS, FACTS
    from monitor.store import open_store

    kinds = {"bool": bool, "int": int, "date": day, "money": Decimal, "text": str}
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    with open_store(db).connect() as conn:
        for rule in load_rules(RULES).values():
            seen = set()
            for ob in BUILDERS[rule.obligation](conn, date(2020, 6, 30), rule.parameters, None):
                for name, value in ob.facts.items():
                    fact = FACTS[rule.obligation][name]
                    assert isinstance(value, kinds[fact.type]) and (fact.type == "bool") == isinstance(value, bool)
                    seen.add(name)
            assert seen == set(FACTS[rule.obligation]), rule.obligation  # each declared fact is given somewhere


def test_duties_check_validates_a_rules_folder(tmp_path):
    from conftest import cli

    assert cli("duties", "--check", RULES).exit_code == 0
    broken = _edit(tmp_path, "la-evidence.yaml", "{due_known: false}", "{due_knwn: false}")
    result = cli("duties", "--check", broken)
    assert result.exit_code == 1
    assert "la-evidence.yaml row 8: 'due_knwn' is not a fact" in result.stderr
    assert "Traceback" not in result.output


def test_duties_shows_parameter_values_for_people():
    from conftest import cli

    result = cli("duties", db="sqlite:///:memory:")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    for shown in ("5 weeks", "1 week", "3 Apr 2018", "£4,000", "31 Aug 2021"):
        assert shown in text, shown
    assert "response_weeks" not in text and "$" not in text


def test_the_duty_catalogue_lists_each_builders_declared_facts():
    from monitor.facts import facts_markdown

    doc = (RULES.parent / "docs" / "duties.md").read_text(encoding="utf-8")
    marker = "tests/test_rules.py checks this section equals them. -->\n\n"
    assert doc.split(marker, 1)[1] == facts_markdown()
    for rule in load_rules(RULES).values():
        assert f"`{rule.id}`" in doc
