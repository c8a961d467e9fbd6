"""The records standard in docs/records.md agrees with the code's definitions and the store's
tables; the documentation's links stay inside the repository."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from monitor.records import RECORD_TYPES, reference_tables

DOC = REPO / "docs" / "records.md"


def test_the_docs_tables_are_the_codes_definitions():
    text = DOC.read_text(encoding="utf-8")
    start = text.index("-->\n", text.index("<!-- tables:")) + 4
    end = text.index("<!-- end of tables -->")
    assert text[start:end].strip() == reference_tables().strip(), (
        "docs/records.md differs from monitor/records.py: paste `python -m monitor.records` between the markers"
    )


def _doc_tables() -> dict[str, dict[str, tuple[str, bool]]]:
    """{file: {column: (type text, required)}} as docs/records.md shows them."""
    tables: dict[str, dict] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"### `(\w+\.csv)`", line):
            current = tables.setdefault(m.group(1), {})
        elif current is not None and (m := re.match(r"\| `(\w+)` \| ([^|]+) \| (yes|no) \|", line)):
            current[m.group(1)] = (m.group(2).strip(), m.group(3) == "yes")
    return tables


def test_every_file_and_column_of_the_docs_is_a_store_column_with_the_same_required_flag():
    tables = _doc_tables()
    assert list(tables) == [rt.file for rt in RECORD_TYPES]
    for rt in RECORD_TYPES:
        store = rt.model.__table__
        documented = tables[rt.file]
        assert set(documented) == {c.name for c in store.columns} - {"created_batch", "updated_batch", *rt.derived}
        for name, (kind, required) in documented.items():
            assert required == (not store.c[name].nullable or name in rt.key), (rt.file, name)
            col = rt.column(name)
            assert required == col.required
            for value in col.values:
                assert f"`{value}`" in kind


@pytest.mark.parametrize(
    "doc", ["README.md", "sample_data/README.md", *sorted(f"docs/{p.name}" for p in (REPO / "docs").glob("*.md"))]
)
def test_links_point_inside_the_repository(doc):
    path = REPO / doc
    text = path.read_text(encoding="utf-8")
    assert "shared/spec" not in text
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        resolved = (path.parent / target).resolve()
        assert resolved.is_relative_to(REPO), target
        if not target.endswith("duties.md"):  # docs/duties.md is written with the engine's issue
            assert resolved.exists(), target
