"""OpenDocument text (.odt) read with odfpy: body, tables, frames and text boxes, headers and footers.

Tracked changes are read as if accepted: the deleted text kept in `text:tracked-changes`
is left out, as are comments."""

from __future__ import annotations

import io
import xml.sax
import zipfile

from monitor.documents.archive import open_zip
from monitor.documents.model import DocumentError, Limits, Reading, Segment
from monitor.documents.registry import reader

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
PARAGRAPHS = {(TEXT, "p"), (TEXT, "h")}
SKIPPED = {(TEXT, "tracked-changes"), (OFFICE, "annotation"), (TEXT, "note-citation")}
WHERE = {"header": "page header", "header-left": "page header", "footer": "page footer", "footer-left": "page footer"}


def _paragraphs(root) -> list[str]:
    """Each paragraph's own text in document order (a text box's paragraphs after the one holding it)."""
    found: list[str] = []

    def walk(node, buffer: list[str]) -> None:
        for child in node.childNodes:
            if child.nodeType == child.TEXT_NODE:
                buffer.append(child.data)
                continue
            if child.nodeType != child.ELEMENT_NODE:
                continue
            name = child.qname
            if name in PARAGRAPHS:
                own: list[str] = []
                at = len(found)
                found.append("")
                walk(child, own)
                found[at] = "".join(own)
            elif name == (TEXT, "s"):
                buffer.append(" " * int(child.attributes.get((TEXT, "c"), 1) or 1))
            elif name == (TEXT, "tab"):
                buffer.append("\t")
            elif name == (TEXT, "line-break"):
                buffer.append("\n")
            elif name not in SKIPPED:
                walk(child, buffer)

    walk(root, [])
    return found


@reader(".odt")
def read_odt(data: bytes, limits: Limits) -> Reading:
    archive = open_zip(data, limits, "OpenDocument (.odt)")
    try:
        if b"encryption-data" in archive.read("META-INF/manifest.xml"):
            raise DocumentError("encrypted (password-protected): save it without a password")
    except KeyError:
        raise DocumentError("corrupt: not an OpenDocument (.odt) file") from None
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
        if document.text is None:
            raise DocumentError("not an OpenDocument text (.odt): save it as a text document")
        body = [text for text in _paragraphs(document.text) if text.strip()]
        segments = [Segment(text, f"paragraph {n}") for n, text in enumerate(body, start=1)]
        for page in document.masterstyles.childNodes:
            for part in page.childNodes:
                where = WHERE.get(part.qname[1]) if part.qname[0] == STYLE else None
                if where:
                    segments += [Segment(text, where) for text in _paragraphs(part)]
    except (xml.sax.SAXException, zipfile.BadZipFile, KeyError, IndexError, ValueError, AttributeError, RecursionError):
        raise DocumentError("corrupt: not an OpenDocument (.odt) file") from None
    return Reading(segments)
