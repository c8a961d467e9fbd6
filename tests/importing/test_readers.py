"""The formats registry: a format is one reader registered by its suffix, and the message for
a file of no known format names those there are."""

from __future__ import annotations

import json

import sqlalchemy as sa
from conftest import cli

from monitor.importing.readers import open_export
from monitor.importing.readers.base import READERS, Export, Reader, Table
from monitor.importing.run import import_folder
from monitor.records import BY_NAME
from monitor.store import open_store


class JsonReader(Reader):
    """A whole export as JSON: {"areas": [[header...], [row...]]}."""

    suffix = ".json"
    what = "JSON export"

    def read_export(self, path, report):
        data = json.loads(path.read_text())
        return Export(
            [
                Table(BY_NAME[name], f"{path.name} {name}", lambda _r, rows=rows: enumerate(rows, start=1))
                for name, rows in data.items()
            ]
        )


def test_a_new_format_is_one_registered_reader(tmp_path, monkeypatch, sqlite_url):
    monkeypatch.setitem(READERS, ".json", JsonReader())
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"areas": [["area_code", "name"], ["850", "Area 850"], ["851", ""]]}))
    engine = open_store(sqlite_url)
    result = import_folder(engine, path, [])
    assert [str(p) for p in result.problems] == [
        "export.json areas row 3, column name, value '': required value is blank"
    ]
    path.write_text(json.dumps({"areas": [["area_code", "name"], ["850", "Area 850"]]}))
    assert import_folder(engine, path, []).ok
    with engine.connect() as conn:
        assert conn.execute(sa.text("select area_code, name from areas")).all() == [("850", "Area 850")]
    engine.dispose()


def test_a_file_of_no_known_format_names_the_formats(tmp_path, sqlite_url):
    (tmp_path / "export.txt").write_text("area_code,name\n850,A\n")
    problems = []
    assert open_export(tmp_path / "export.txt", problems.append).tables == []
    assert [p.why for p in problems] == [
        "not a folder or an .xlsx workbook: import a folder of CSV files or a workbook"
    ]
    result = cli("import", tmp_path / "export.txt", db=sqlite_url)
    assert result.exit_code == 1 and "not a folder or an .xlsx workbook" in result.stderr
