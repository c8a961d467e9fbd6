"""Who may see which page: 200, 403 or 404 from the viewer's roles and what the page shows."""

from __future__ import annotations

import pytest

from monitor.web.viewer import Viewer
from monitor.web.visibility import Outcome, Shown, decide, has_any_role

NATIONAL = Shown(national=True)
AREA_850 = Shown(area="850")
REPORT_851 = Shown(area="851")
COMMISSIONER_QRL = Shown(commissioner="QRL")
CASE_850 = Shown(area="850", case_refs=frozenset({"C-1"}), case_commissioners=frozenset({"QRL"}), case_level=True)
CASE_851 = Shown(area="851", case_refs=frozenset({"C-2"}), case_commissioners=frozenset({"QXX"}), case_level=True)
MERGED_850 = Shown(area="850", area_heirs=frozenset({"851"}))


def viewer(*roles: str) -> Viewer:
    return Viewer(subject="s", email=None, roles=frozenset(roles))


@pytest.mark.parametrize(
    ("roles", "shown", "expected"),
    [
        (("national",), NATIONAL, 200),
        (("national",), CASE_851, 200),
        (("national",), None, 404),
        (("area:850",), NATIONAL, 403),
        (("area:850",), AREA_850, 200),
        (("area:850",), CASE_850, 200),
        (("area:850",), REPORT_851, 404),
        (("area:850",), CASE_851, 404),
        (("area:850",), COMMISSIONER_QRL, 404),
        (("area:850",), None, 404),
        (("inspector:850",), AREA_850, 200),
        (("inspector:850",), CASE_851, 404),
        (("commissioner:QRL",), COMMISSIONER_QRL, 200),
        (("commissioner:QRL",), CASE_850, 200),  # a case it has a duty on: shown whole
        (("commissioner:QRL",), AREA_850, 404),  # but not the area's page
        (("commissioner:QRL",), CASE_851, 404),
        (("commissioner:QRL",), NATIONAL, 403),
        (("commissioner:QXX",), COMMISSIONER_QRL, 404),
        (("area:851",), MERGED_850, 200),  # the successor sees the merged area's pages
        (("area:850", "commissioner:QXX"), CASE_851, 200),
        (("inspector:851",), Shown(public=True), 200),
    ],
)
def test_outcome_by_role_and_page(roles, shown, expected):
    assert decide(viewer(*roles), shown) == Outcome(expected)


def test_commissioners_on_a_case_do_not_open_the_area_page_of_that_case():
    qrl = viewer("commissioner:QRL")
    area_page_with_cases = Shown(area="850", case_refs=frozenset({"C-1"}), case_commissioners=frozenset({"QRL"}))
    assert decide(qrl, area_page_with_cases) is Outcome.NOT_FOUND


def test_no_role_or_an_unknown_role_shows_nothing():
    assert not has_any_role(viewer())
    assert not has_any_role(Viewer.of("s", None, ["auditor", "area:", "commissioner"]))
    assert has_any_role(viewer("inspector:850"))
    assert decide(viewer(), AREA_850) is Outcome.NOT_FOUND
