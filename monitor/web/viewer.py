"""Who is looking: the signed-in person and the roles they hold now.

A role is a string: `national` (everything), `area:CODE`, `commissioner:CODE`, or
`inspector:CODE` (an inspection of an area: it sees what `area:CODE` sees).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ROLE = re.compile(r"national|(area|commissioner|inspector):([A-Za-z0-9][A-Za-z0-9._-]{0,31})")


def is_role(value: object) -> bool:
    """Whether `value` is a role string this app knows."""
    return isinstance(value, str) and ROLE.fullmatch(value) is not None


def role_label(role: str) -> str:
    """A role in words: "area 850", "inspection of area 850"."""
    kind, _, code = role.partition(":")
    return {
        "national": "national (every area and commissioner)",
        "area": f"area {code}",
        "commissioner": f"commissioner {code}",
        "inspector": f"inspection of area {code}",
    }.get(kind, role)


@dataclass(frozen=True)
class Viewer:
    """A signed-in person: the provider's subject, their e-mail address, and their roles."""

    subject: str
    email: str | None
    roles: frozenset[str]

    @classmethod
    def of(cls, subject: str, email: str | None, roles: Iterable[str]) -> Viewer:
        """A viewer holding the known roles among `roles` (others are dropped)."""
        return cls(subject, email, frozenset(r for r in roles if is_role(r)))

    def _codes(self, *kinds: str) -> frozenset[str]:
        return frozenset(code for kind, _, code in (r.partition(":") for r in self.roles) if kind in kinds)

    @property
    def national(self) -> bool:
        return "national" in self.roles

    @property
    def areas(self) -> frozenset[str]:
        """The areas this viewer sees as the area does (an inspector acts as its area)."""
        return self._codes("area", "inspector")

    @property
    def commissioners(self) -> frozenset[str]:
        return self._codes("commissioner")

    def cache_key(self) -> str:
        """What this viewer may see, as a key: two viewers with equal keys see the same pages."""
        if self.national:
            return "national"
        areas = ",".join(sorted(self.areas))
        commissioners = ",".join(sorted(self.commissioners))
        return f"areas={areas};commissioners={commissioners}"
