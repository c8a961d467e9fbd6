"""The statuses every face reads: each has a label and a colour, and the groups hold only statuses."""

from monitor.statuses import (
    ACTION_STATUSES,
    BREACH_STATUSES,
    OPEN_STATUSES,
    RATE_STATUSES,
    RESOLVED_STATUSES,
    STATUS_COLOURS,
    STATUS_LABELS,
    STATUSES,
)


def test_each_status_has_one_label_for_people_and_a_colour():
    assert list(STATUS_LABELS) == list(STATUSES) == list(STATUS_COLOURS)
    assert all(label[0].isupper() and "_" not in label for label in STATUS_LABELS.values())
    assert len(set(STATUS_LABELS.values())) == len(STATUSES)


def test_the_groups_are_made_of_statuses_and_agree_with_each_other():
    for group in (OPEN_STATUSES, RATE_STATUSES, ACTION_STATUSES, BREACH_STATUSES, RESOLVED_STATUSES):
        assert set(group) <= set(STATUSES) and len(set(group)) == len(group)
    assert set(BREACH_STATUSES) <= set(RATE_STATUSES)  # a breach counts against the rate
    assert not set(BREACH_STATUSES) & set(RESOLVED_STATUSES)
    assert "not_applicable" not in {*OPEN_STATUSES, *RATE_STATUSES, *ACTION_STATUSES}  # never stored
    assert "overdue" in OPEN_STATUSES and "breached" not in OPEN_STATUSES  # a closed breach does not move
