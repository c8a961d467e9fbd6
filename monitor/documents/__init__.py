"""Documents: letter templates and Local Offer pages read for their text, and checked for wording.

`read_document` reads a file with the reader registered for its suffix (.docx, .odt, .pdf,
.html/.htm, .txt) into located text segments and its SHA-256; `wording` loads the required
statements (`rules/wording/*.yaml`) and `matching` finds them in a document's text."""

from monitor.documents import html, opendoc, pdf, plain, wordml  # noqa: F401  (each registers its reader)
from monitor.documents.model import SCANNED, DocumentError, DocumentText, Limits, Segment
from monitor.documents.registry import extract, load, read_document, suffixes

__all__ = [
    "SCANNED",
    "DocumentError",
    "DocumentText",
    "Limits",
    "Segment",
    "extract",
    "load",
    "read_document",
    "suffixes",
]
