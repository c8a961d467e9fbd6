"""Documents made by real tools, once per test session: python-docx, LibreOffice (headless),
Chromium, pypdf, Pillow and msoffcrypto. Nothing binary is committed: all is written here."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

APPEAL = "If you disagree with this decision, you have the right to appeal to the First-tier Tribunal (Special Educational Needs and Disability)."
HEALTH = "The Tribunal can also make recommendations about the health and social care parts of the plan."
ADVICE = "Free, independent advice: SENDIASS, telephone 01234 567890."
MEDIATION = "Before you appeal you must consider mediation: contact our mediation adviser for a mediation certificate."
GOOD_LETTER = [
    "Dear parent or young person,",
    "We have decided to issue the final plan.",
    APPEAL,
    HEALTH,
    ADVICE,
    MEDIATION,
]

FLAT_ODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:body><office:text>
<text:tracked-changes>
<text:changed-region text:id="ct1"><text:deletion><office:change-info><dc:creator>Officer</dc:creator>
<dc:date>2020-01-01T10:00:00</dc:date></office:change-info><text:p>Free advice from SENDIASS.</text:p></text:deletion></text:changed-region>
<text:changed-region text:id="ct2"><text:insertion><office:change-info><dc:creator>Officer</dc:creator>
<dc:date>2020-01-01T10:00:00</dc:date></office:change-info></text:insertion></text:changed-region>
</text:tracked-changes>
<text:p>Dear parent.</text:p>
<text:p>Our decision. <text:change text:change-id="ct1"/>More words.</text:p>
<text:p><text:change-start text:change-id="ct2"/>You have the right to appeal to the First-tier Tribunal.<text:change-end text:change-id="ct2"/></text:p>
<text:p><draw:frame draw:name="Box" text:anchor-type="paragraph" svg:width="8cm" svg:height="3cm"><draw:text-box>
<text:p>The Tribunal can make recommendations about the health and social care parts of the plan.</text:p>
</draw:text-box></draw:frame>Text after the box.</text:p>
</office:text></office:body></office:document>
"""


class Made:
    """The folder of made documents; `soffice(source, to)` converts with LibreOffice."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / name

    def soffice(self, source: Path, to: str, export_filter: str = "") -> Path:
        """Convert with LibreOffice headless (its own profile, so runs beside another never clash)."""
        soffice = shutil.which("soffice")
        if soffice is None:
            if os.environ.get("CI"):
                pytest.fail("LibreOffice is not installed (scripts/system-deps installs it)")
            pytest.skip("LibreOffice is not installed (scripts/system-deps installs it)")
        out = self.folder / to
        out.mkdir(exist_ok=True)
        target = out / f"{source.stem}.{to}"
        if not target.exists():
            profile = (self.folder / "lo-profile").as_uri()
            subprocess.run(
                [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", f"{to}:{export_filter}" if export_filter else to, "--outdir", str(out), str(source)],
                check=True, capture_output=True, timeout=180,
            )  # fmt: skip
        return target


@pytest.fixture(scope="session")
def made(tmp_path_factory) -> Made:
    """Documents written by python-docx and Pillow (quick), the rest made on request."""
    import docx
    from PIL import Image, ImageDraw

    folder = tmp_path_factory.mktemp("documents")
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = MEDIATION
    section.footer.paragraphs[0].text = HEALTH
    for text in GOOD_LETTER[:3]:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Advice"
    table.cell(0, 1).text = ADVICE
    document.add_paragraph("Yours sincerely,")
    document.save(folder / "placed.docx")

    plain = docx.Document()
    for text in GOOD_LETTER:
        plain.add_paragraph(text)
    plain.save(folder / "good.docx")
    deficient = docx.Document()
    for text in GOOD_LETTER[:3]:
        deficient.add_paragraph(text)
    deficient.save(folder / "deficient.docx")

    (folder / "boxed.fodt").write_text(FLAT_ODT, encoding="utf-8")

    image = Image.new("L", (1240, 1754), 255)  # a page scanned at 150 dpi
    draw = ImageDraw.Draw(image)
    for line, text in enumerate(GOOD_LETTER):
        draw.text((100, 150 + 60 * line), text[:70], fill=0)
    image.save(folder / "scanned.pdf", "PDF", resolution=150)
    return Made(folder)


def zip_bomb(path: Path, unpacked_mb: int) -> Path:
    """A zip disguised as a Word file whose one part unpacks to `unpacked_mb` MB of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(unpacked_mb):
                part.write(block)
    return path


def encrypt_docx(source: Path, target: Path) -> Path:
    """A password-protected Word file, as Word writes it (msoffcrypto)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(source, "rb") as plain:
        OOXMLFile(plain).encrypt("secret", out)
    target.write_bytes(out.getvalue())
    return target
