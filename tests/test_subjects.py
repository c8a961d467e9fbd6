"""Every duty's exception subject is declared, with an example of its own pattern."""

from __future__ import annotations

from monitor.config import REPO_RULES
from monitor.rules import load_rules
from monitor.subjects import EXCEPTION_SUBJECTS


def test_every_duty_has_its_subject_declared():
    assert set(EXCEPTION_SUBJECTS) == set(load_rules(REPO_RULES, {}))
    for subject in EXCEPTION_SUBJECTS.values():
        assert subject.example and subject.kind in (
            "appeal",
            "appeal_issue",
            "evidence",
            "recommendation",
            "area",
            "decision",
            "template",
        )
        assert (":" in subject.example) == (":" in subject.pattern)
