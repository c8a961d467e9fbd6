"""What a signed-in viewer may see of a page: the one place the served app decides 200, 403
or 404 from the viewer's roles and what the page shows.

- `national` sees everything.
- The national page and national downloads: 403 for anyone else (they know it exists).
- An area's pages (its dashboard, report, exports, explanation and case pages): the area's
  users (`area:CODE`, `inspector:CODE`), and the areas that took over its duties.
- A commissioner's page and exports: that commissioner (and one that took it over).
- A case page, and an explanation page of a case: also each commissioner with a duty on
  that case, shown whole as the area sees it.
- Anything else, another body's or one that does not exist: 404, the same answer for both,
  so codes and case references cannot be enumerated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from monitor.web.viewer import Viewer


class Outcome(IntEnum):
    """The answer to a request for a page, as its HTTP status."""

    SHOWN = 200
    FORBIDDEN = 403
    NOT_FOUND = 404


@dataclass(frozen=True)
class Shown:
    """What one page shows, as far as deciding who may see it goes.

    `area`: the area whose folder holds it (None: not an area's page); `commissioner`: the
    commissioner whose page it is, or who owns the finding explained; `case_refs`: the case
    references it shows; `case_commissioners`: the commissioners with a duty on those cases
    (acting now, after mergers); `area_heirs`: the areas acting now on the area's duties."""

    area: str | None = None
    commissioner: str | None = None
    case_refs: frozenset[str] = frozenset()
    case_commissioners: frozenset[str] = frozenset()
    area_heirs: frozenset[str] = field(default_factory=frozenset)
    national: bool = False
    public: bool = False  # no data (the accessibility statement): every viewer with a role
    case_level: bool = False  # a case or explanation page: commissioners on its cases see it


def decide(viewer: Viewer, shown: Shown | None) -> Outcome:
    """200, 403 or 404 for `viewer` asking for a page showing `shown` (None: no such page)."""
    if viewer.national:
        return Outcome.SHOWN if shown is not None else Outcome.NOT_FOUND
    if shown is None:
        return Outcome.NOT_FOUND
    if shown.public:
        return Outcome.SHOWN
    if shown.national:
        return Outcome.FORBIDDEN
    areas, commissioners = viewer.areas, viewer.commissioners
    if shown.area is not None and (shown.area in areas or shown.area_heirs & areas):
        return Outcome.SHOWN
    if shown.commissioner is not None and shown.commissioner in commissioners:
        return Outcome.SHOWN
    if shown.case_level and shown.case_commissioners & commissioners:
        return Outcome.SHOWN
    return Outcome.NOT_FOUND


def has_any_role(viewer: Viewer) -> bool:
    """Whether the viewer holds a role that shows anything (else: a 403 page, never data)."""
    return bool(viewer.national or viewer.areas or viewer.commissioners)
