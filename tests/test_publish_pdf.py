"""`publish --pdf`: one Chromium prints every area's report; a report that does not print in
time, or a browser that does not start, is one clear line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from monitor.publish.errors import PublishError
from monitor.publish.pdf import render_pdfs
from tests.conftest import SAMPLE, cli

AS_OF = "2020-06-30"


def test_one_browser_prints_every_areas_report(tmp_path, chromium, monkeypatch):
    launches = tmp_path / "launches.log"
    wrapper = tmp_path / "chromium"
    wrapper.write_text(f'#!/bin/sh\necho launched >> "{launches}"\nexec "{chromium}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    monkeypatch.setenv("SEND_MONITOR_CHROMIUM", str(wrapper))
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    assert cli("check", "--as-of", AS_OF, db=db).exit_code == 0
    result = cli("publish", tmp_path / "site", "--pdf", db=db)
    assert result.exit_code == 0, result.output
    reports = sorted((tmp_path / "site" / "areas").glob("*/report.html"))
    assert len(reports) > 1
    for report in reports:
        pdf = report.with_suffix(".pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert report.parent.name in text  # the area's own report
    assert launches.read_text(encoding="utf-8").splitlines() == ["launched"]


def test_a_report_that_does_not_print_in_time_is_a_clear_error(tmp_path, chromium):
    good = tmp_path / "good" / "report.html"
    stuck = tmp_path / "850" / "report.html"
    for page, body in ((good, "<p>fine</p>"), (stuck, "<script>for (;;) {}</script>")):  # never loads
        page.parent.mkdir()
        page.write_text(f"<!doctype html><title>r</title>{body}", encoding="utf-8")
    with pytest.raises(PublishError, match=r"^850/report.html did not print within 2 s$"):
        render_pdfs([good, stuck], timeout=2)


def test_a_browser_that_does_not_start_is_one_line(tmp_path, monkeypatch):
    page = tmp_path / "report.html"
    page.write_text("<!doctype html><title>r</title>", encoding="utf-8")
    monkeypatch.setenv("SEND_MONITOR_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(PublishError, match=r"^Chromium \(.*no-such-chromium\) did not start: "):
        render_pdfs([page])
    assert not Path(page.with_suffix(".pdf")).exists()
