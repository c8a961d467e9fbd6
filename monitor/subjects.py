"""What a recorded exception's `subject_id` names for each duty: the subject of that duty's
findings, as a pattern and an example (the template's Read me), and the records it is made
of (the import's check that an exception matches something)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    """What an exception's `subject_id` names for a duty: `kind` (the records it is made of),
    its pattern and an example, for people."""

    kind: str  # appeal, appeal_issue, evidence, recommendation, area, decision, template
    pattern: str
    example: str


_APPEAL = Subject("appeal", "{appeal_id}", "EH850-19-90007")
_EVIDENCE = Subject("evidence", "{appeal_id}:{commissioner_code}", "EH850-19-90007:850-SC")
_RECOMMENDATION = Subject("recommendation", "{recommendation_id}", "R850-0000001")
#: the subject of each duty's findings, which an exception names (a test keeps it equal to rules/)
EXCEPTION_SUBJECTS: dict[str, Subject] = {
    "commissioner-contacted": Subject(
        "appeal_issue", "{appeal_id}:health or {appeal_id}:social_care", "EH850-19-90007:health"
    ),
    "commissioner-evidence": _EVIDENCE,
    "evaluator-return": _RECOMMENDATION,
    "funding-cap": _APPEAL,
    "hearing-attendance": _EVIDENCE,
    "la-evidence": _APPEAL,
    "local-offer": Subject("area", "{area_code}", "850"),
    "response-5-weeks": _RECOMMENDATION,
    "response-content": _RECOMMENDATION,
    "rights-notice": Subject("decision", "{decision_id}", "D850-0000001"),
    "letter-wording": Subject("template", "{area_code}:{template_id}", "850:EHCP-FINAL-v7"),
    "local-offer-wording": Subject("area", "{area_code}", "850"),
}
