"""Zip-based documents (.docx, .odt) checked before any parser unpacks them."""

from __future__ import annotations

import io
import zipfile

from monitor.documents.model import DocumentError, Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: an encrypted Office file or an old .doc
MAX_PARTS = 10_000


def open_zip(data: bytes, limits: Limits, kind: str) -> zipfile.ZipFile:
    """The document as a zip whose parts are few enough and unpack to at most the limit.

    The unpacked sizes are the ones the zip declares; Python's zipfile never unpacks a part
    beyond its declared size (a lying part fails its checksum), so memory stays bounded."""
    if data.startswith(OLE_MAGIC):
        raise DocumentError(f"encrypted (password-protected) or an old binary format: save it unprotected as {kind}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise DocumentError(f"corrupt: not a {kind} file") from None
    if len(parts) > MAX_PARTS:
        raise DocumentError(f"corrupt: {len(parts):,} parts in a {kind} file")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.max_unpacked_bytes:
        raise DocumentError(
            f"unpacks to {unpacked / 1048576:,.0f} MB, over the {limits.max_unpacked_bytes // 1048576} MB limit "
            "(a damaged file or a zip bomb)"
        )
    return archive
