"""Readers registered by file suffix, and reading one file safely: size, kind, hash, then its reader."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from monitor.documents.model import DocumentError, DocumentText, Limits, Reading

Reader = Callable[[bytes, Limits], Reading]
READERS: dict[str, Reader] = {}
REFUSED = {
    ".docm": "a macro-enabled Word file (.docm): save it as a Word document (.docx)",
    ".doc": "an old Word file (.doc): save it as a Word document (.docx)",
}


def reader(*suffixes: str) -> Callable[[Reader], Reader]:
    """Register a function reading (bytes, limits) into a Reading, for files ending in `suffixes`."""

    def register(function: Reader) -> Reader:
        for suffix in suffixes:
            READERS[suffix] = function
        return function

    return register


def suffixes() -> list[str]:
    """The suffixes of the documents read, e.g. [".docx", ".htm", ...]."""
    return sorted(READERS)


def check_kind(name: str) -> str:
    """The file's suffix, lower case; a kind not read is an error naming the file."""
    suffix = Path(name).suffix.lower()
    if suffix in REFUSED:
        raise DocumentError(f"{name}: {REFUSED[suffix]}")
    if suffix not in READERS:
        raise DocumentError(f"{name}: not a document the monitor reads (expected {', '.join(suffixes())})")
    return suffix


def load(path: Path, name: str | None = None, limits: Limits = Limits()) -> tuple[bytes, str]:
    """A document's bytes and their SHA-256, once its kind and size are checked."""
    name = name or str(path)
    check_kind(name)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise DocumentError(f"{name}: {size / 1048576:.1f} MB, over the {limits.max_bytes // 1048576} MB limit")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DocumentError(f"{name}: a folder, not a document") from None
    except OSError as exc:
        raise DocumentError(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    return data, hashlib.sha256(data).hexdigest()


def extract(name: str, data: bytes, sha256: str, limits: Limits = Limits()) -> DocumentText:
    """The text of a document's bytes, read by the reader of its suffix."""
    if len(data) > limits.max_bytes:
        raise DocumentError(f"{name}: {len(data) / 1048576:.1f} MB, over the {limits.max_bytes // 1048576} MB limit")
    read = READERS[check_kind(name)]
    try:
        reading = read(data, limits)
    except DocumentError as exc:
        raise DocumentError(f"{name}: {exc}") from None
    segments = tuple(s for s in reading.segments if s.text.strip())
    return DocumentText(name, sha256, segments, None if segments else reading.no_text, reading.cut_off)


def read_document(path: Path, name: str | None = None, limits: Limits = Limits()) -> DocumentText:
    """Read one document file: its text and hash, or a DocumentError naming it."""
    data, sha256 = load(Path(path), name, limits)
    return extract(name or str(path), data, sha256, limits)
