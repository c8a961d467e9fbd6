"""Where the site keeps each page, relative to its root: shared by the publish and the alerts' links."""

from __future__ import annotations

import functools
import hashlib
import re


def explanation_path(area: str, duty: str, subject: str) -> str:
    """Where the site keeps one finding's explanation, relative to the site root."""
    return f"areas/{_slug(area)}/explain/{_slug(duty)}/{_slug(subject)}.html"


_PLAIN = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")


@functools.lru_cache(maxsize=65536)  # a publish names each case and subject several times
def _slug(text: str) -> str:
    """A safe file name for an id: unique even where names are compared without case (Windows,
    macOS), at most 120 bytes, and the same for the same id in every run.

    Ids of lower-case letters, digits and hyphens (up to 100) are their own name; any other id
    is a readable lower-case form (other characters as hyphens, at most 60) followed by `_` and
    a hash of the exact id, so ids that differ only in case or in non-Latin letters never share
    a name, and no such name can equal a plain one (plain names have no `_`)."""
    if _PLAIN.fullmatch(text):
        return text
    readable = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].rstrip("-") or "id"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{readable}_{digest}"


def area_path(area: str) -> str:
    """The folder of an area's pages, relative to the site root (matches `explanation_path`)."""
    return f"areas/{_slug(area)}/"


def commissioner_path(code: str) -> str:
    """The folder of a commissioner's pages, relative to the site root."""
    return f"commissioners/{_slug(code)}/"


def case_path(area: str, case_ref: str) -> str:
    """Where the site keeps one case's page, relative to the site root."""
    return f"areas/{_slug(area)}/cases/{_slug(case_ref)}.html"
