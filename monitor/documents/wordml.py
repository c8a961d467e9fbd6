"""Word documents (.docx) read with python-docx: body, tables, text boxes, headers, footers, notes.

Tracked changes are read as if accepted (insertions kept, deletions left out); field codes,
hidden text and the fallback copy of a text box (Word stores each box twice) are left out."""

from __future__ import annotations

import io
import zipfile

from monitor.documents.archive import open_zip
from monitor.documents.model import DocumentError, Limits, Reading, Segment
from monitor.documents.registry import reader

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
SKIPPED = {W + "del", W + "moveFrom", W + "delText", W + "instrText", W + "rPr", W + "pPr", MC + "Fallback"}
CHARACTERS = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}
PARTS = {  # content type of a part -> where its text is
    "header+xml": "page header",
    "footer+xml": "page footer",
    "footnotes+xml": "footnotes",
    "endnotes+xml": "endnotes",
}


def _paragraphs(root) -> list[str]:
    """Each paragraph's own text in document order (a text box's paragraphs after the one holding it)."""
    found: list[str] = []

    def walk(element, buffer: list[str]) -> None:
        for child in element:
            tag = child.tag
            if tag == W + "p":
                own: list[str] = []
                at = len(found)
                found.append("")
                walk(child, own)
                found[at] = "".join(own)
            elif tag == W + "t":
                buffer.append(child.text or "")
            elif tag in CHARACTERS:
                buffer.append(CHARACTERS[tag])
            elif tag == W + "r" and _hidden(child):
                continue
            elif tag not in SKIPPED and isinstance(tag, str):
                walk(child, buffer)

    walk(root, [])
    return found


def _hidden(run) -> bool:
    props = run.find(W + "rPr")
    if props is None:
        return False
    vanish = props.find(W + "vanish")
    return vanish is not None and vanish.get(W + "val", "true") not in ("0", "false", "off")


@reader(".docx")
def read_docx(data: bytes, limits: Limits) -> Reading:
    open_zip(data, limits, "Word (.docx)")
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.parser import parse_xml
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(io.BytesIO(data))
        segments: list[Segment] = []
        body = [text for text in _paragraphs(document.element.body) if text.strip()]
        segments += [Segment(text, f"paragraph {n}") for n, text in enumerate(body, start=1)]
        for part in document.part.package.iter_parts():
            where = next((w for end, w in PARTS.items() if part.content_type.endswith(end)), None)
            if where is None:
                continue
            element = part.element if hasattr(part, "element") else parse_xml(part.blob)
            segments += [Segment(text, where) for text in _paragraphs(element)]
    except ValueError as exc:
        if "macroEnabled" in str(exc):
            raise DocumentError("a macro-enabled Word file: save it as a Word document (.docx)") from None
        raise DocumentError("corrupt: not a Word (.docx) file") from None
    except (PackageNotFoundError, KeyError, zipfile.BadZipFile, XMLSyntaxError, RecursionError, EOFError):
        raise DocumentError("corrupt: not a Word (.docx) file") from None
    return Reading(segments)
