"""Documents benchmark: a national set of letter templates and Local Offer pages imported and
checked, then imported again unchanged.

    python -m benchmarks.documents [--areas 150] [--templates 8] [--pages 15]

Generates once (into build/, cached) 150 areas × ~8 decision-letter templates and ~15 saved
Local Offer pages — about 3,500 documents of 2–6 pages in a mix of formats (.docx and .odt
written by python-docx and odfpy, .pdf printed by LibreOffice from Word files, .html, .txt),
some lacking a required statement. Then, each as its own process on one core: the import
(every document read), the check, and a second import of the same folder (no document read
again). Targets: 20 or more documents a second for import and check together (CPU seconds on
the one core; wall time is shown too), peak memory 300 MB, and the re-import parsing none.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
MONITOR = (sys.executable, "-m", "monitor")
AS_OF = "2021-06-30"
TARGET_RATE, TARGET_MB = 20.0, 300
WORDS = (
    "the local authority plan child young person school provision support needs education review "
    "assessment decision parent family information needs special educational setting outcome section "
    "annual meeting health care service officer team statutory weeks contact request letter enclosed "
    "social named agreed progress independent transport placement therapy"
).split()
STATEMENTS = {
    "right-to-appeal": "If you disagree with this decision, you can appeal to the First-tier Tribunal "
    "(Special Educational Needs and Disability) within two months.",
    "health-and-social-care": "The Tribunal can also make recommendations about the health and social care "
    "parts of the plan.",
    "advice": "Our Information, Advice and Support Service (SENDIASS) gives free, independent advice.",
    "mediation": "Before you appeal you must consider mediation: our mediation adviser gives a mediation certificate.",
    "how-to-ask": "When you appeal you can ask the Tribunal to make recommendations about health and social care.",
}
LETTER_KINDS = ("docx", "docx", "docx", "odt", "odt", "pdf", "pdf", "txt")
PAGE_KINDS = ("html",) * 10 + ("pdf", "pdf", "pdf", "txt", "docx")


def _filler(rnd: random.Random, pages: int) -> list[str]:
    """About 350 words a page, in paragraphs of 40–90 words."""
    paragraphs, words = [], 0
    while words < 350 * pages:
        n = rnd.randint(40, 90)
        paragraphs.append(" ".join(rnd.choice(WORDS) for _ in range(n)).capitalize() + ".")
        words += n
    return paragraphs


def _paragraphs(rnd: random.Random, statements: list[str]) -> list[str]:
    text = _filler(rnd, rnd.randint(2, 6))
    for sid in statements:
        if rnd.random() > 0.08:  # now and then a document lacks one
            text.insert(rnd.randrange(len(text) + 1), STATEMENTS[sid])
    return text


def _write(path: Path, kind: str, paragraphs: list[str], pdfs: list[Path]) -> None:
    if kind in ("docx", "pdf"):
        import docx

        document = docx.Document()
        for p in paragraphs:
            document.add_paragraph(p)
        target = path.with_suffix(".docx") if kind == "pdf" else path
        document.save(target)
        if kind == "pdf":
            pdfs.append(target)
    elif kind == "odt":
        from odf.opendocument import OpenDocumentText
        from odf.text import P

        document = OpenDocumentText()
        for p in paragraphs:
            document.text.addElement(P(text=p))
        document.save(str(path))
    elif kind == "html":
        body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
        path.write_text(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local Offer</title>'
            f"<script>var x = 1;</script></head><body><nav>Home</nav>{body}</body></html>",
            encoding="utf-8",
        )
    else:
        path.write_text("\n\n".join(paragraphs), encoding="utf-8")


def _print_pdfs(sources: list[Path]) -> None:
    """Print the Word files to PDF with LibreOffice (one process per few hundred), then drop them."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("LibreOffice is not installed (scripts/system-deps installs it)")
    profile = Path(tempfile.mkdtemp(prefix="send-monitor-lo-"))
    try:
        by_folder: dict[Path, list[Path]] = {}
        for s in sources:
            by_folder.setdefault(s.parent, []).append(s)
        for _ in range(3):  # LibreOffice now and then drops a file of a long batch: convert those again
            for folder, files in by_folder.items():
                files = [f for f in files if not f.with_suffix(".pdf").exists()]
                for i in range(0, len(files), 100):
                    subprocess.run(
                        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                         "--outdir", str(folder), *map(str, files[i : i + 100])],
                        check=False, capture_output=True,
                    )  # fmt: skip
        missing = [s.name for s in sources if not s.with_suffix(".pdf").exists()]
        if missing:
            raise SystemExit(f"LibreOffice did not print {len(missing)} files to PDF, e.g. {missing[0]}")
        for s in sources:
            s.unlink()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def generate(out: Path, areas: int, per_area_templates: int, per_area_pages: int, seed: int = 2018) -> int:
    """Write the export (areas, templates, pages and their documents); the number of documents."""
    rnd = random.Random(seed)
    letters, pages_dir = out / "letters", out / "local-offer"
    letters.mkdir(parents=True)
    pages_dir.mkdir()
    codes = [str(800 + i) for i in range(areas)]
    templates, pages, pdfs = [], [], []
    for code in codes:
        for t in range(rnd.randint(per_area_templates - 2, per_area_templates + 2)):
            kind = rnd.choice(LETTER_KINDS)
            name = f"{code}-t{t}.{kind}"
            _write(letters / name, kind, _paragraphs(rnd, list(STATEMENTS)[:4]), pdfs)
            types = rnd.choice(["", "plan_issued plan_amended", "refuse_plan", "cease_plan refuse_amendment"])
            templates.append([f"T{t}", code, f"letters/{name}", f"2018-0{rnd.randint(1, 9)}-01", "", types])
        for p in range(rnd.randint(per_area_pages - 3, per_area_pages + 3)):
            kind = rnd.choice(PAGE_KINDS)
            name = f"{code}-p{p}.{kind}"
            _write(
                pages_dir / name,
                kind,
                _paragraphs(rnd, ["right-to-appeal", "health-and-social-care", "how-to-ask"]),
                pdfs,
            )
            pages.append([f"LO-{code}-{p}", code, f"local-offer/{name}", "2021-05-01", ""])
    _print_pdfs(pdfs)
    with open(out / "areas.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["area_code", "name"], *[[c, f"Area {c}"] for c in codes]])
    with open(out / "letter_templates.csv", "w", newline="", encoding="utf-8") as fh:
        header = ["template_id", "area_code", "file", "in_use_from", "in_use_to", "decision_types"]
        csv.writer(fh).writerows([header, *templates])
    with open(out / "local_offer_pages.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["page_id", "area_code", "file", "captured_on", "url"], *pages])
    return len(templates) + len(pages)


def timed(*command: str) -> tuple[float, float, float, str]:
    """Run a command pinned to one core; its wall time (s), CPU time (s), peak memory (MB) and output."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_one_core)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        output = out.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output


def _one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--templates", type=int, default=8)
    parser.add_argument("--pages", type=int, default=15)
    args = parser.parse_args(argv)
    folder = REPO / "build" / f"documents-{args.areas}x{args.templates}x{args.pages}"
    if not (folder / "local_offer_pages.csv").exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        n = generate(folder, args.areas, args.templates, args.pages)
        print(f"generated {n:,} documents in {time.perf_counter() - started:.0f} s into {folder}")
    kinds: dict[str, int] = {}
    for path in folder.glob("*/*"):
        kinds[path.suffix] = kinds.get(path.suffix, 0) + 1
    n = sum(kinds.values())
    work = Path(tempfile.mkdtemp(prefix="send-monitor-documents-bench-"))
    db = f"sqlite:///{work / 'store.db'}"
    try:
        first = timed(*MONITOR, "--db", db, "import", str(folder))
        check = timed(*MONITOR, "--db", db, "check", "--as-of", AS_OF)
        again = timed(*MONITOR, "--db", db, "import", str(folder))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rate = n / (first[1] + check[1])  # CPU seconds on the one core (wall time counts other load on the machine)
    wall_rate = n / (first[0] + check[0])
    peak = max(first[2], check[2], again[2])
    unchanged = f"documents: 0 read, {n} unchanged" in again[3]
    table = Table(
        "step",
        "wall time",
        "CPU time",
        "peak memory",
        title=f"{n:,} documents ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})",
    )
    for name, (wall, cpu, mb, _) in (("import", first), ("check", check), ("import again", again)):
        table.add_row(name, f"{wall:.1f} s", f"{cpu:.1f} s", f"{mb:.0f} MB")
    console = Console()
    console.print(table)
    ok = rate >= TARGET_RATE and peak <= TARGET_MB and unchanged
    console.print(
        f"{rate:.1f} documents/s imported and checked, by CPU time on one core (target ≥ {TARGET_RATE:g}; "
        f"{wall_rate:.1f} by wall time); peak {peak:.0f} MB "
        f"(target ≤ {TARGET_MB}); re-import {'parsed none' if unchanged else 'parsed some again'}: "
        f"{'within target' if ok else 'OVER TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
