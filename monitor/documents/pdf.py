"""PDF read with pypdf, page by page, within the page and time limits; no text layer is a data gap."""

from __future__ import annotations

import io
import logging
import time

from monitor.documents.model import SCANNED, DocumentError, Limits, Reading, Segment
from monitor.documents.registry import reader


@reader(".pdf")
def read_pdf(data: bytes, limits: Limits) -> Reading:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PdfStreamError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about untidy files say nothing to users
    started = time.monotonic()
    try:
        pdf = PdfReader(io.BytesIO(data))
        if pdf.is_encrypted and not _opens_without_password(pdf):
            raise DocumentError("encrypted (password-protected): supply it without a password")
        count = len(pdf.pages)
        segments, cut_off = [], None
        for number, page in enumerate(pdf.pages, start=1):
            if number > limits.max_pages:
                cut_off = f"read only the first {limits.max_pages} of its {count} pages (the page limit)"
                break
            if time.monotonic() - started > limits.max_seconds:
                cut_off = f"read only its first {number - 1} pages in {limits.max_seconds:g} seconds (the time limit)"
                break
            segments.append(Segment(page.extract_text() or "", f"page {number}"))
    except (FileNotDecryptedError, DependencyError):
        raise DocumentError("encrypted (password-protected): supply it without a password") from None
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise DocumentError("corrupt: not a readable PDF") from None
    return Reading(segments, cut_off, no_text=SCANNED if count else "no text: the PDF has no pages")


def _opens_without_password(pdf) -> bool:
    """A PDF encrypted only to restrict printing or copying opens with an empty password: it is read."""
    try:
        return bool(pdf.decrypt(""))
    except Exception:  # pypdf raises assorted errors for unknown encryption schemes
        return False
