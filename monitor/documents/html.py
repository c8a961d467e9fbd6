"""Web pages (.html, .htm, as a browser saves them) read with lxml: the visible text only.

Scripts, styles, templates, the head, and elements hidden with the `hidden` attribute,
`aria-hidden`, an inline `display: none` / `visibility: hidden`, or `<input type=hidden>`
are left out. Each block (paragraph, heading, list item, cell...) is a numbered paragraph."""

from __future__ import annotations

import re

from monitor.documents.model import DocumentError, Limits, Reading, Segment
from monitor.documents.plain import decode
from monitor.documents.registry import reader

INVISIBLE = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "iframe", "object"}
BLOCKS = {
    "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "h1", "h2", "h3", "h4",
    "h5", "h6", "li", "dt", "dd", "td", "th", "tr", "table", "ul", "ol", "dl", "blockquote", "pre",
    "address", "figcaption", "figure", "details", "summary", "form", "fieldset", "legend", "caption", "body",
}  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CHARSET = re.compile(rb"<meta[^>]+charset", re.I)


def _hidden(element) -> bool:
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden", "").strip().lower() == "true"
        or bool(_HIDDEN_STYLE.search(element.get("style", "")))
        or (element.tag == "input" and element.get("type", "").lower() == "hidden")
    )


def _blocks(root) -> list[str]:
    found: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            found.append("".join(current))
            current.clear()

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag.lower() not in INVISIBLE and not _hidden(element):
            block = tag.lower() in BLOCKS
            if block:
                flush()
            if tag.lower() == "br":
                current.append("\n")
            current.append(element.text or "")
            for child in element:
                walk(child)
            if block:
                flush()
        current.append(element.tail or "")

    walk(root)
    flush()
    return found


@reader(".html", ".htm")
def read_html(data: bytes, limits: Limits) -> Reading:
    import lxml.html
    from lxml.etree import ParserError, XMLSyntaxError

    try:
        if _CHARSET.search(data[:4096]):  # the page names its encoding: lxml follows it
            root = lxml.html.document_fromstring(data)
        else:
            root = lxml.html.document_fromstring(decode(data))
        root.tail = None
        blocks = [" ".join(b.split()) for b in _blocks(root)]
    except (ParserError, XMLSyntaxError, ValueError, RecursionError):
        raise DocumentError("corrupt: not a readable web page") from None
    return Reading([Segment(b, f"paragraph {n}") for n, b in enumerate((b for b in blocks if b), start=1)])
