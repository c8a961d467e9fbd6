"""What reading a document gives: its text in located pieces, its hash, and why it may be incomplete."""

from __future__ import annotations

from dataclasses import dataclass

SCANNED = "no text: a scanned document? supply the Word or text version"
EMPTY = "no text: the document is empty"


class DocumentError(Exception):
    """A document cannot be read (too big, encrypted, corrupt, of a kind not read): one line naming the file."""


@dataclass(frozen=True)
class Limits:
    """How much of one document is read (set in the configuration)."""

    max_bytes: int = 20 * 1024 * 1024  # a bigger file is an error
    max_unpacked_bytes: int = 100 * 1024 * 1024  # a .docx/.odt whose parts unpack to more is an error
    max_pages: int = 100  # a longer PDF is read this far
    max_seconds: float = 30.0  # a PDF is read for this long


@dataclass(frozen=True)
class Segment:
    """A piece of a document's text and where it is: "page 3", "paragraph 12", "page header"."""

    text: str
    where: str


@dataclass
class Reading:
    """What a reader gives: the segments, the limit that stopped it, and what to say when there is no text."""

    segments: list[Segment]
    cut_off: str | None = None
    no_text: str = EMPTY


@dataclass(frozen=True)
class DocumentText:
    """A document's text. `gap` says why there is none; `cut_off` names the limit that stopped the reading."""

    name: str
    sha256: str
    segments: tuple[Segment, ...]
    gap: str | None = None
    cut_off: str | None = None
