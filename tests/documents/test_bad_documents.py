"""Documents that cannot be read: each one line naming the file, or a data gap naming the limit."""

from __future__ import annotations

import resource

import pytest

from monitor.documents import DocumentError, Limits, read_document

from .conftest import encrypt_docx, zip_bomb


def refused(path, limits: Limits = Limits()) -> str:
    with pytest.raises(DocumentError) as caught:
        read_document(path, name=f"letters/{path.name}", limits=limits)
    message = str(caught.value)
    assert message.startswith(f"letters/{path.name}: ") and "\n" not in message
    return message


def test_over_the_size_limit(made, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"appeal " * 3_000_000)  # 21 MB
    assert "over the 20 MB limit" in refused(big)


def test_encrypted_word_file(made, tmp_path):
    assert "encrypted" in refused(encrypt_docx(made.path("good.docx"), tmp_path / "locked.docx"))


def test_encrypted_pdf(made, tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(made.soffice(made.path("good.docx"), "pdf")))
    writer.encrypt("secret", algorithm="AES-256")
    writer.write(tmp_path / "locked.pdf")
    assert "encrypted" in refused(tmp_path / "locked.pdf")


def test_pdf_restricted_only_from_printing_is_read(made, tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(made.soffice(made.path("good.docx"), "pdf")))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    writer.write(tmp_path / "restricted.pdf")
    assert "SENDIASS" in read_document(tmp_path / "restricted.pdf").segments[0].text


@pytest.mark.parametrize("name", ["good.docx", "placed.docx"])
def test_corrupt_word_file(made, tmp_path, name):
    data = made.path(name).read_bytes()
    cut = tmp_path / name
    cut.write_bytes(data[: len(data) // 2])
    assert "corrupt" in refused(cut)


@pytest.mark.parametrize("to", ["pdf", "odt"])
def test_corrupt_pdf_and_odt(made, tmp_path, to):
    data = made.soffice(made.path("good.docx"), to).read_bytes()
    cut = tmp_path / f"cut.{to}"
    cut.write_bytes(data[:300])
    assert "corrupt" in refused(cut)


def test_macro_enabled_word_files_are_refused(made, tmp_path):
    docm = made.soffice(made.path("good.docx"), "docm", "MS Word 2007 XML VBA")
    assert "macro-enabled" in refused(docm)
    disguised = tmp_path / "disguised.docx"
    disguised.write_bytes(docm.read_bytes())
    assert "macro-enabled" in refused(disguised)


def test_a_kind_not_read(tmp_path):
    path = tmp_path / "letter.rtf"
    path.write_text("{\\rtf1 appeal}")
    assert "not a document the monitor reads" in refused(path)


def test_zip_bomb_disguised_as_word_file_memory_bounded(tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.docx", unpacked_mb=150)
    assert bomb.stat().st_size < 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert "unpacks to 150 MB, over the 100 MB limit" in refused(bomb)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KB: nothing was unpacked


def test_long_pdf_read_within_the_page_limit(made, tmp_path):
    from pypdf import PdfReader, PdfWriter

    page = PdfReader(made.soffice(made.path("good.docx"), "pdf")).pages[0]
    writer = PdfWriter()
    for _ in range(500):
        writer.add_page(page)
    writer.write(tmp_path / "long.pdf")
    document = read_document(tmp_path / "long.pdf", limits=Limits(max_pages=40))
    assert len(document.segments) == 40
    assert document.cut_off == "read only the first 40 of its 500 pages (the page limit)"
    timed = read_document(tmp_path / "long.pdf", limits=Limits(max_seconds=0))
    assert timed.cut_off == "read only its first 0 pages in 0 seconds (the time limit)"
    assert timed.gap is not None


def test_missing_file(tmp_path):
    assert "no such file" in refused(tmp_path / "gone.docx")
