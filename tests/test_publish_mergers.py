"""Dashboards follow mergers: a current body's page shows its own and inherited findings, a
superseded body's page keeps its history and links to its successor, the national page lists
superseded bodies apart, and explanations name the owner in the records and who acts now."""

from __future__ import annotations

import csv
import shutil

import pytest
from conftest import SAMPLE, cli

from monitor.findings import query_findings
from monitor.paths import commissioner_path, explanation_path
from monitor.statuses import ACTION_STATUSES
from monitor.store import open_store

AS_OF = "2020-06-30"


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    base = tmp_path_factory.mktemp("merged")
    folder = base / "records"
    shutil.copytree(SAMPLE, folder)
    path = folder / "commissioners.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    for r in rows:
        r["successor_code"], r["successor_from"] = (
            ("QRL", "2020-01-01") if r["commissioner_code"] == "QSL" else ("", "")
        )
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*fields, "successor_code", "successor_from"])
        writer.writeheader()
        writer.writerows(rows)
    db = f"sqlite:///{base / 'store.db'}"
    result = cli("import", folder, db=db)
    assert result.exit_code == 0, result.output
    assert cli("check", "--as-of", AS_OF, db=db).exit_code == 0
    assert cli("publish", base / "site", db=db).exit_code == 0
    with open_store(db).connect() as conn:
        rows = query_findings(conn)
    return {"site": base / "site", "rows": rows}


def _page(site, code):
    return (site / commissioner_path(code) / "index.html").read_text(encoding="utf-8")


def test_the_successor_shows_its_own_and_inherited_findings(merged):
    inherited = [r for r in merged["rows"] if r["owner"] == "QSL"]
    own = [r for r in merged["rows"] if r["owner"] == "QRL"]
    assert inherited and own and all(r["acts_now"] == "QRL" for r in inherited)
    page = _page(merged["site"], "QRL")
    split = page[page.index('id="table-split"') : page.index("</table>", page.index('id="table-split"'))]
    assert "(own)" in split and "QSL" in split and "(inherited)" in split
    assert f'<td class="num">{len(inherited)}</td>' in split and f'<td class="num">{len(own)}</td>' in split
    open_inherited = [r for r in inherited if r["status"] == "overdue"]
    assert open_inherited
    for r in open_inherited:
        assert r["subject"] in page
    assert "owner in the records QSL; acts now QRL" in page


def test_the_superseded_body_keeps_its_history_and_links_on(merged):
    page = _page(merged["site"], "QSL")
    notice = page[page.index('id="superseded"') :]
    assert "Replaced by QRL" in notice and "1 January 2020" in notice
    assert 'href="../qrl_' in notice
    for r in merged["rows"]:
        if r["owner"] == "QSL" and r["status"] == "overdue":
            assert r["subject"] in page


def test_national_page_lists_superseded_bodies_apart(merged):
    page = (merged["site"] / "index.html").read_text(encoding="utf-8")
    current = page[
        page.index('id="table-commissioners"') : page.index("</table>", page.index('id="table-commissioners"'))
    ]
    replaced = page[page.index('id="table-superseded"') : page.index("</table>", page.index('id="table-superseded"'))]
    assert "QSL" not in current and "QRL" in current
    assert "QSL" in replaced and "QRL" in replaced and "1 January 2020" in replaced


def test_explanations_name_the_owner_and_who_acts_now(merged):
    r = next(r for r in merged["rows"] if r["owner"] == "QSL" and r["status"] in ACTION_STATUSES)
    page = (merged["site"] / explanation_path(r["area"], r["duty"], r["subject"])).read_text(encoding="utf-8")
    assert 'Owner in the records</dt><dd class="summary-list__value">QSL' in page
    assert "took over from QSL" in page and "1 January 2020" in page
