"""Words for people: a label for each record type, record field and coded value the pages show,
so no page shows a field name or an enum value where people read."""

from __future__ import annotations

RECORD_LABELS = {
    "decision": "Decision letter",
    "appeal": "Appeal",
    "evidence": "Evidence request",
    "recommendation": "Recommendation",
    "response": "Response",
    "funding claim": "Funding claim",
    "exception": "Exception",
}

FIELD_LABELS = {
    "area_code": "Area",
    "name": "Name",
    "region": "Region",
    "send_team_email": "SEND team e-mail",
    "rights_published_on": "Rights published on the Local Offer",
    "successor_code": "Succeeded by",
    "successor_from": "Succeeded from",
    "commissioner_code": "Commissioner",
    "kind": "Kind",
    "contact_email": "Contact e-mail",
    "decision_id": "Decision",
    "case_ref": "Case reference",
    "decision_type": "Decision type",
    "decision_date": "Decision date",
    "rights_notice": "Rights notice in the letter",
    "appeal_id": "Appeal",
    "registered_on": "Registered",
    "health_issue": "Raises a health issue",
    "social_care_issue": "Raises a social care issue",
    "la_response_due_on": "LA response due",
    "la_response_sent_on": "LA response sent",
    "hearing_on": "Hearing",
    "status": "Status",
    "closed_on": "Closed",
    "la_contacted_on": "LA contacted the commissioner",
    "evidence_due_on": "Evidence due",
    "evidence_provided_on": "Evidence provided",
    "attendance_required": "Witness required at the hearing",
    "attended": "Witness attended",
    "recommendation_id": "Recommendation",
    "made_on": "Made",
    "plan_section": "Plan section",
    "sent_to_family_on": "Response sent to the family",
    "sent_to_la_on": "Response sent to the LA",
    "outcome": "Outcome",
    "steps_given": "Steps given",
    "reasons_given": "Reasons given",
    "exception": "Exception",
    "sent_to_evaluators_on": "Sent to the evaluators",
    "claim_id": "Claim",
    "claimant_code": "Claimant",
    "category": "Category",
    "amount_gbp": "Amount",
    "claimed_on": "Claimed",
    "exception_id": "Exception",
    "duty": "Duty",
    "subject_id": "Applies to",
    "granted_by": "Granted by",
    "justification": "Why",
    "granted_on": "Granted",
    "expires_on": "Expires",
}

VALUE_LABELS = {
    "decision_type": {
        "refuse_assessment": "refusal to assess",
        "refuse_plan": "refusal to issue a plan",
        "plan_issued": "plan issued",
        "plan_amended": "plan amended",
        "refuse_reassessment": "refusal to reassess",
        "refuse_amendment": "refusal to amend the plan",
        "cease_plan": "decision to cease the plan",
    },
    "status": {"open": "open", "withdrawn": "withdrawn", "conceded": "conceded", "decided": "decided"},
    "kind": {"health": "health", "social_care": "social care"},
    "outcome": {"accepted": "accepted", "partly_accepted": "partly accepted", "declined": "declined"},
    "category": {"evidence": "evidence", "hearing": "hearing", "response": "response", "legal": "legal costs"},
    "exception": {"covid_2020": "Covid-19 temporary changes (2020)"},
}


def field_label(name: str) -> str:
    """A record field's label ("la_response_due_on" → "LA response due")."""
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


def record_label(kind: str) -> str:
    return RECORD_LABELS.get(kind, kind.capitalize())


def value_label(field: str, value) -> str | None:
    """A coded value's words ("social_care" → "social care"); None when the field has no codes."""
    words = VALUE_LABELS.get(field)
    if words is None or not isinstance(value, str):
        return None
    return words.get(value, value.replace("_", " "))
