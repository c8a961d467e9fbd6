"""Who is looking: a signed-in person and the roles in force for them now.

Roles are strings: `national`, `area:CODE`, `commissioner:CODE`, `inspector:CODE` (an
inspector sees what the area's own users see). Expired grants are not among `roles`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def _codes(roles: frozenset[str], *kinds: str) -> frozenset[str]:
    return frozenset(
        code for role in roles for kind, sep, code in [role.partition(":")] if sep and kind in kinds and code
    )


@dataclass(frozen=True)
class Viewer:
    subject: str  # the provider's `sub`
    email: str | None
    roles: frozenset[str]

    @property
    def national(self) -> bool:
        """Sees everything."""
        return "national" in self.roles

    @property
    def areas(self) -> frozenset[str]:
        """The areas whose pages this viewer sees (`area:CODE` and `inspector:CODE`)."""
        return _codes(self.roles, "area", "inspector")

    @property
    def commissioners(self) -> frozenset[str]:
        """The commissioners whose pages this viewer sees."""
        return _codes(self.roles, "commissioner")

    def cache_key(self) -> str:
        """The same for two viewers who may see the same pages: what a cached page is kept by."""
        shown = sorted(
            ["national"] if self.national else [f"a:{c}" for c in self.areas] + [f"c:{c}" for c in self.commissioners]
        )
        return hashlib.sha256("\n".join(shown).encode()).hexdigest()[:32]
