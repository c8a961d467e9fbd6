"""Rule files checked by their schema before the rule engine's checks: a misspelt or unknown
key, a missing one, a value of the wrong kind, an empty or malformed file are each refused
naming the file, from the command line in one line with exit 1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.config import REPO_RULES
from monitor.rules import RuleError, load_rules
from tests.conftest import cli


def _rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(REPO_RULES, folder, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return folder


def _edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = _rules(tmp_path)
    text = (folder / name).read_text(encoding="utf-8")
    assert old in text
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def _refused(folder: Path) -> str:
    """The one line `duties --check` prints for the folder (and its exit code is 1)."""
    result = cli("duties", folder, "--check")
    assert result.exit_code == 1, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    return result.stderr


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "rights-notice.yaml",
            "short_title:",
            "short_titel:",
            "rights-notice.yaml: short_titel = 'Rights notice in decision letters': unknown key (expected one of: id, "
            "title, short_title,",
        ),
        (
            "rights-notice.yaml",
            "owner: local authority (the decision's area)\n",
            "",
            "rights-notice.yaml: owner is missing",
        ),
        ("rights-notice.yaml", "id: rights-notice", "id: 3", "rights-notice.yaml: id = 3: must be text"),
        ("rights-notice.yaml", "id: rights-notice", "id: ''", "rights-notice.yaml: id = '': must not be empty"),
        (
            "rights-notice.yaml",
            "parameters: [scope_start, scope_decision_types]",
            "parameters: scope_start",
            "rights-notice.yaml: parameters = 'scope_start': must be a list",
        ),
        (
            "rights-notice.yaml",
            "    status: data_gap\n",
            "    status: data_gap\n    resaon: typo\n",
            "rights-notice.yaml row 6: resaon = 'typo': unknown key (expected one of: when, otherwise, status, reason",
        ),
        (
            "rights-notice.yaml",
            "  - when: {notice_given: true}\n    status: met\n",
            "  - when: {notice_given: true}\n",
            "rights-notice.yaml row 7: status is missing",
        ),
        (
            "rights-notice.yaml",
            "  - otherwise: true\n",
            "  - otherwise: yes please\n",
            "rights-notice.yaml row 9: otherwise = 'yes please': must be true or false",
        ),
    ],
)
def test_a_rule_file_that_does_not_fit_the_schema_is_one_line_naming_file_and_key(tmp_path, name, old, new, expected):
    folder = _edited(tmp_path, name, old, new)
    assert expected in _refused(folder)
    with pytest.raises(RuleError, match="rights-notice.yaml"):
        load_rules(folder)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("parameters.yaml", "", "parameters.yaml: empty: expected each parameter's name and default value"),
        ("parameters.yaml", "# only a comment\n", "parameters.yaml: empty"),
        ("parameters.yaml", "- warning_days\n- 7\n", "parameters.yaml: not a mapping of parameter names"),
        ("parameters.yaml", "warning_days: [7\n", "parameters.yaml: not YAML ("),
        ("rights-notice.yaml", "", "rights-notice.yaml: empty: expected the keys id, title, owner, source"),
        ("rights-notice.yaml", "- a list\n", "rights-notice.yaml: not a rule file: expected the keys id,"),
        ("rights-notice.yaml", "id: rights-notice\ntitle: [unclosed\n", "rights-notice.yaml: not YAML ("),
        ("rights-notice.yaml", "\xff\xfe not text", "rights-notice.yaml: not YAML ("),
    ],
)
def test_an_empty_or_malformed_file_is_a_rule_error_naming_it(tmp_path, name, text, expected):
    folder = _rules(tmp_path)
    (folder / name).write_bytes(text.encode("latin-1"))
    assert expected in _refused(folder)


def test_an_empty_decision_table_is_refused(tmp_path):
    folder = _rules(tmp_path)
    text = (folder / "rights-notice.yaml").read_text(encoding="utf-8")
    (folder / "rights-notice.yaml").write_text(text.split("decision_table:")[0] + "decision_table: []\n")
    assert "rights-notice.yaml: decision_table = (a list): must not be empty" in _refused(folder)


def test_the_shipped_rules_fit_the_schema():
    assert len(load_rules(REPO_RULES)) >= 10
