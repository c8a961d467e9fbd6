"""Plain text (.txt) read as record files are: UTF-16 with a byte-order mark, UTF-8, else Windows-1252."""

from __future__ import annotations

import re

from monitor.documents.model import DocumentError, Limits, Reading, Segment
from monitor.documents.registry import reader

_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def decode(data: bytes) -> str:
    """The text of a file's bytes; bytes mixing UTF-8 and another encoding are an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DocumentError("not readable text (damaged UTF-16)") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if _MULTIBYTE.search(data):
            raise DocumentError("not readable text (UTF-8 mixed with another encoding): save it as UTF-8") from None
    return data.decode("cp1252", errors="replace")


@reader(".txt")
def read_txt(data: bytes, limits: Limits) -> Reading:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p for p in _BLANK_LINE.split(text) if p.strip()]
    return Reading([Segment(p, f"paragraph {n}") for n, p in enumerate(paragraphs, start=1)])
