"""A publish that redoes only what changed: after a next-day check the case and explanation pages
whose findings and records did not change are reused from the last version (hard links), and the
site equals a full publish of the same store, byte for byte but for the time it was made. Anything
that could change every page (templates, rules, settings, another store), `--full`, or a missing or
unreadable manifest means a full publish, said in one line."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE, cli

from monitor.config import REPO_RULES
from monitor.paths import case_path, explanation_path
from monitor.publish.manifest import MANIFEST
from monitor.publish.reuse import marks_path
from monitor.statuses import ACTION_STATUSES

AS_OF, NEXT_DAY = "2020-06-30", "2020-07-01"
MADE = (  # the only words that may differ: when the site was made
    re.compile(rb"page made [^(<]*\(UK time\)"),
    re.compile(rb"published with the site on [^<]*?, for the findings"),
    re.compile(rb'Produced</dt><dd class="summary-list__value">[^<]*<'),
)


def _edit(folder: Path, name: str, change, extra: list[dict] | tuple = ()) -> None:
    path = folder / f"{name}.csv"
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        fields, rows = list(reader.fieldnames or []), list(reader)
    for row in rows:
        change(row)
    rows += [{f: r.get(f, "") for f in fields} for r in extra]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _records(base: Path) -> Path:
    """The demo records, with area 852 merged into 851 (before the first check)."""
    folder = base / "records"
    shutil.copytree(SAMPLE, folder)
    path = folder / "areas.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = list(reader.fieldnames or []), list(reader)
    for r in rows:
        r["successor_code"], r["successor_from"] = ("851", "2019-06-01") if r["area_code"] == "852" else ("", "")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*fields, "successor_code", "successor_from"])
        writer.writeheader()
        writer.writerows(rows)
    return folder


def _next_day(folder: Path) -> None:
    """A day's changes: an appeal withdrawn, an appeal whose registration moves past the as-of
    date (its findings are retired), an appeal with no findings of its own changed, evidence
    provided, and a new decision letter."""

    def appeals(row):
        if row["appeal_id"] == "EH852-20-90015":
            row["status"], row["closed_on"] = "withdrawn", NEXT_DAY
        if row["appeal_id"] == "EH851-20-90005":
            row["registered_on"] = "2020-09-01"
        if row["appeal_id"] == "EH850-18-00002":  # out of scope (no findings), on a case with a page
            row["la_response_sent_on"] = "2018-05-11"

    def evidence(row):
        if row["appeal_id"] == "EH850-20-00002":
            row["evidence_provided_on"] = NEXT_DAY

    _edit(folder, "appeals", appeals)
    _edit(folder, "evidence", evidence)
    new = {"decision_id": "D850-9999999", "area_code": "850", "case_ref": "C850-000067"}
    _edit(folder, "decisions", lambda row: None, [{**new, "decision_type": "plan_issued", "decision_date": NEXT_DAY}])


def _run(*args, db: str, ok: bool = True):
    result = cli(*args, db=db)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def _files(site: Path) -> dict[str, Path]:
    root = site.resolve()
    return {str(p.relative_to(root)): p for p in root.rglob("*") if p.is_file()}


def _actions(db: str) -> dict[tuple[str, str], dict]:
    """The findings needing action (those with an explanation page), by (duty, subject)."""
    found = json.loads(_run("findings", "--format", "json", db=db).stdout)["findings"]
    return {(f["duty"], f["subject"]): f for f in found if f["status"] in ACTION_STATUSES}


def _masked(data: bytes) -> bytes:
    for pattern in MADE:
        data = pattern.sub(b"<made>", data)
    return data


def _joined_threads() -> None:
    import threading

    for t in threading.enumerate():
        if t.name == "send-monitor-remove-old-site":
            t.join()


@pytest.fixture(scope="module")
def day_two(tmp_path_factory):
    """The demo records (a merged area) checked and published on day one, then changed, checked and
    published again into the same folder; the old version's files kept aside by hard links."""
    base = tmp_path_factory.mktemp("reuse")
    db = f"sqlite:///{base / 'store.db'}"
    folder = _records(base)
    _run("import", folder, db=db)
    _run("check", "--as-of", AS_OF, db=db)
    first = _run("publish", base / "site", db=db)
    old = _files(base / "site")
    kept = {}
    for rel, path in old.items():  # kept aside: the next publish prunes the old version
        (base / "kept" / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(path, base / "kept" / rel)
        kept[rel] = (os.stat(path).st_ino, path.read_bytes())
    before = _actions(db)
    _next_day(folder)
    _run("import", folder, db=db)
    _run("check", "--as-of", NEXT_DAY, db=db)
    second = _run("publish", base / "site", db=db)
    _joined_threads()
    full = _run("publish", base / "full", db=db)
    after = _actions(db)
    return {
        "base": base,
        "first": first,
        "second": second,
        "full": full,
        "kept": kept,
        "before": before,
        "after": after,
    }


def test_the_next_day_site_equals_a_full_publish(day_two):
    incremental, full = _files(day_two["base"] / "site"), _files(day_two["base"] / "full")
    assert sorted(incremental) == sorted(full)
    differ = [rel for rel in full if _masked(incremental[rel].read_bytes()) != _masked(full[rel].read_bytes())]
    assert differ == []


def test_unchanged_pages_are_reused_and_changed_ones_rewritten(day_two):
    kept, now = day_two["kept"], _files(day_two["base"] / "site")
    same = {rel for rel, p in now.items() if rel in kept and os.stat(p).st_ino == kept[rel][0]}
    assert any("/explain/" in rel for rel in same) and any("/cases/" in rel for rel in same)
    assert all("/explain/" in rel or "/cases/" in rel for rel in same)  # dashboards and exports are rewritten
    # the withdrawn appeal's case, the case with a new decision letter and the case of the
    # appeal with no findings were rewritten
    for page in (case_path("852", "C852-900015"), case_path("850", "C850-000067"), case_path("850", "C850-000011")):
        assert page in now and page not in same
    # a page of each finding changed (closed, retired, new) is rewritten or gone with the finding
    before, after = day_two["before"], day_two["after"]
    gone = [explanation_path(f["area"], *k) for k, f in before.items() if k not in after]
    new = [explanation_path(f["area"], *k) for k, f in after.items() if k not in before]
    assert gone and new
    assert not any(page in now for page in gone) and all(page in now and page not in same for page in new)
    line = day_two["second"].stderr
    reused = int(re.search(r"reused ([\d,]+) unchanged pages", line)[1].replace(",", ""))
    assert reused == len(same) and "Traceback" not in day_two["second"].output
    assert "wrote every page" in day_two["first"].stderr and "no earlier version" in day_two["first"].stderr


def test_the_old_versions_files_are_not_altered(day_two):
    kept = day_two["kept"]
    base = day_two["base"] / "kept"
    assert all((base / rel).read_bytes() == data for rel, (_ino, data) in kept.items())


def test_a_page_says_when_its_findings_last_changed(day_two):
    site, kept = day_two["base"] / "site", day_two["kept"]
    reused = next(
        p for rel, p in _files(site).items() if "/cases/" in rel and rel in kept and os.stat(p).st_ino == kept[rel][0]
    )
    same = reused.read_text(encoding="utf-8")
    changed = (site / case_path("852", "C852-900015")).read_text(encoding="utf-8")
    dashboard = (site / "areas/850/index.html").read_text(encoding="utf-8")
    assert "Findings as of 30 June 2020 (unchanged since)" in same
    assert "Findings as of 1 July 2020 (unchanged since)" in changed
    assert "Findings as of 1 July 2020</span>" in dashboard and "(unchanged since)" not in dashboard


@pytest.fixture
def published(tmp_path):
    """The demo records checked and published once."""
    db = f"sqlite:///{tmp_path / 'store.db'}"
    _run("import", SAMPLE, db=db)
    _run("check", "--as-of", AS_OF, db=db)
    _run("publish", tmp_path / "site", db=db)
    return tmp_path, db


def _again(tmp_path: Path, db: str, *extra: str, config: Path | None = None):
    result = cli("publish", tmp_path / "site", *extra, db=db, config=config)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    return result.stderr


def test_nothing_changed_reuses_every_case_and_explanation_page(published):
    line = _again(*published)
    assert "reused" in line and not line.startswith("wrote every page")


def test_full_renders_every_page(published):
    assert "a full publish was asked for" in _again(*published, "--full")


@pytest.mark.parametrize(
    "harm,why",
    [
        (lambda v: (v / MANIFEST).unlink(), "has no manifest"),
        (lambda v: (v / MANIFEST).write_text("{not json", encoding="utf-8"), "cannot be read"),
        (lambda v: (v / MANIFEST).write_text('{"key": 1}', encoding="utf-8"), "cannot be read"),
        (lambda v: shutil.rmtree(v), "folder is missing"),
    ],
)
def test_a_missing_or_unreadable_manifest_means_a_full_publish(published, harm, why):
    tmp_path, db = published
    harm((tmp_path / "site").resolve())
    assert why in _again(tmp_path, db)
    assert (tmp_path / "site" / MANIFEST).is_file() and (tmp_path / "site/index.html").is_file()
    assert "reused" in _again(tmp_path, db)  # and the next one reuses again


def test_an_areas_unreadable_fingerprints_mean_its_pages_are_rendered(published):
    tmp_path, db = published
    marks = (tmp_path / "site").resolve() / marks_path("850")
    marks.write_text("[1, 2", encoding="utf-8")
    line = _again(tmp_path, db)
    reused = int(re.search(r"reused ([\d,]+) unchanged", line)[1].replace(",", ""))
    assert 0 < reused < len([p for p in _files(tmp_path / "site") if "/cases/" in p or "/explain/" in p])
    assert not any("areas/850/" in p for p, f in _files(tmp_path / "site").items() if os.stat(f).st_nlink > 1)
    assert json.loads(((tmp_path / "site") / marks_path("850")).read_text(encoding="utf-8"))


def test_pages_are_copied_where_they_cannot_be_linked(published, monkeypatch):
    import errno

    from monitor.publish import reuse

    def refuse(source, target):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    tmp_path, db = published
    before = {rel: f.read_bytes() for rel, f in _files(tmp_path / "site").items() if "/cases/" in rel}
    monkeypatch.setattr(reuse.os, "link", refuse)
    assert "reused" in _again(tmp_path, db)
    after = _files(tmp_path / "site")
    assert {rel: after[rel].read_bytes() for rel in before} == before
    assert all(os.stat(after[rel]).st_nlink == 1 for rel in before)


def test_another_store_means_a_full_publish(published, tmp_path):
    _site, _db = published
    other = f"sqlite:///{tmp_path / 'other.db'}"
    _run("import", SAMPLE, db=other)
    _run("check", "--as-of", AS_OF, db=other)
    assert "another store" in _again(tmp_path, other)


def test_another_site_address_means_a_full_publish(published):
    tmp_path, db = published
    config = tmp_path / "send-monitor.toml"
    config.write_text('site_url = "https://example.org/send"\n', encoding="utf-8")
    assert "the site address changed" in _again(tmp_path, db, config=config)


def test_an_edited_rule_means_a_full_publish(published):
    tmp_path, db = published
    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    path = rules / "la-evidence.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("short_title: LA", "short_title: The LA", 1), encoding="utf-8")
    config = tmp_path / "send-monitor.toml"
    config.write_text(f'rules_dir = "{rules}"\n', encoding="utf-8")
    assert "the rules changed" in _again(tmp_path, db, config=config)


def test_another_template_means_a_full_publish(published, monkeypatch):
    from monitor.publish import manifest

    tmp_path, db = published
    templates = tmp_path / "dashboards"
    shutil.copytree(manifest.DASHBOARDS, templates)
    (templates / "case.html").write_text("{# edited #}\n" + (templates / "case.html").read_text(encoding="utf-8"))
    monkeypatch.setattr(manifest, "DASHBOARDS", templates)
    assert "the page templates changed" in _again(tmp_path, db)
