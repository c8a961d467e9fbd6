"""Rule files: loading, parameters, versions, and the durable-rules decision table."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from monitor.rules import RuleError, decide, load_rules, register

RULES = Path(__file__).resolve().parent.parent / "rules"
IN_SCOPE = {"decision_type": "plan_issued", "decision_date": date(2019, 1, 10), "health_issue": True,
            "social_care_issue": False, "appeal_status": "open", "closed_by_as_of": False}
DUTIES = {"rights-notice", "local-offer", "commissioner-contacted", "la-evidence", "commissioner-evidence",
          "hearing-attendance", "response-5-weeks", "response-content", "evaluator-return", "funding-cap"}


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
    assert load_rules(RULES, {"response_weeks": 6})["rights-notice"].version == load_rules(RULES)["rights-notice"].version
    warn = load_rules(RULES, {"warning_days": 3})["la-evidence"]
    register(warn)
    assert decide(warn, {**IN_SCOPE, "due_known": True, "done": False, "days_left": 5,
                         "excepted": False}).status == "pending"


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
    assert decide(rule, {**base, "decision_type": "refuse_assessment", "done": False, "days_left": -9}).status \
        == "not_applicable"
    closed = {**base, "appeal_status": "withdrawn", "closed_by_as_of": True, "done": False, "days_left": -9}
    assert decide(rule, {**closed, "days_due_after_closing": 1}).status == "not_applicable"
    assert decide(rule, {**closed, "days_due_after_closing": 0}).status == "overdue"
    assert decide(rule, closed).status == "overdue"  # a blank deadline never falls after the closure


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def test_malformed_rule_files_are_refused(tmp_path):
    rules = _copy(tmp_path)
    (rules / "la-evidence.yaml").write_text((rules / "la-evidence.yaml").read_text().replace(
        "status: pending", "status: fine"))
    with pytest.raises(RuleError, match="la-evidence.yaml row 12: status must be one of"):
        load_rules(rules)


def test_unknown_parameters_are_refused(tmp_path):
    with pytest.raises(RuleError, match="unknown parameters in the configuration: respnse_weeks"):
        load_rules(RULES, {"respnse_weeks": 6})
    rules = _copy(tmp_path)
    (rules / "local-offer.yaml").write_text((rules / "local-offer.yaml").read_text().replace(
        "$warning_days", "$warn_days"))
    with pytest.raises(RuleError, match="unknown parameter \\$warn_days"):
        load_rules(rules)


def test_a_missing_rules_folder_is_a_clear_error(tmp_path):
    with pytest.raises(RuleError, match="no rules folder at .*set rules_dir in the configuration"):
        load_rules(tmp_path / "nowhere")


def test_sharing_decisions_between_equal_facts_changes_nothing(tmp_path):
    """Each obligation decided on its own equals the decision shared by equal fact sets."""
    from conftest import SAMPLE, cli
    from monitor.obligations import BUILDERS
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
