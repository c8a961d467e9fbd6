"""CSV files: not regular files never opened, encodings, a byte-order mark."""

from __future__ import annotations

import os

import sqlalchemy as sa
from conftest import cli

from importing.import_data import count, errors


def test_files_that_are_not_regular_files_are_errors_and_never_opened(tmp_path, sqlite_url):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "areas.csv").symlink_to(tmp_path / "nowhere.csv")
    (folder / "commissioners.csv").mkdir()
    os.mkfifo(folder / "decisions.csv")  # opening it for reading would block: it must not be opened
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "areas.csv: a link to a file that does not exist",
        "commissioners.csv: a folder, not a file",
        "decisions.csv: not a regular file (a pipe, socket or device)",
    ]


def test_windows_1252_and_utf16_are_read_with_the_right_text(tmp_path, db_url):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "areas.csv").write_bytes("area_code,name,region\r\n850,Área 850,£ South\r\n".encode("cp1252"))
    (folder / "commissioners.csv").write_bytes(
        "commissioner_code,name,kind\r\nQRL,NHS Île ICB,health\r\n".encode("utf-16")
    )
    result = cli("import", folder, db=db_url)
    assert result.exit_code == 0, result.output
    assert "areas.csv: read as Windows-1252 (the file is not UTF-8)" in result.stdout
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        assert tuple(conn.execute(sa.text("select name, region from areas")).one()) == ("Área 850", "£ South")
        assert conn.execute(sa.text("select name from commissioners")).scalar_one() == "NHS Île ICB"
    engine.dispose()


def test_a_utf8_bom_and_upper_case_column_names_are_fine(tmp_path, sqlite_url):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "areas.csv").write_bytes(b"\xef\xbb\xbfNAME,Area_Code\r\n Area 850 ,850\r\n")
    assert cli("import", folder, db=sqlite_url).exit_code == 0
    assert count(sqlite_url, "areas") == 1


def test_a_utf8_file_with_invalid_bytes_is_refused_naming_the_rows(tmp_path, sqlite_url):
    """Valid UTF-8 sequences and invalid bytes together: damaged or joined from two encodings;
    never re-read as Windows-1252 (that would turn every accented name to mojibake)."""
    folder = tmp_path / "r"
    folder.mkdir()
    text = "area_code,name\r\n850,Área 850\r\n851,Area 851\r\n".encode() + b'852,\xc1rea 852\r\n853,"x\r\ny\xe9"\r\n'
    (folder / "areas.csv").write_bytes(text)
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == [
        f"areas.csv row {n}: bytes that are not UTF-8, in a file that is otherwise UTF-8 (damaged, or joined "
        f"from files of two encodings?): save the file again as CSV UTF-8"
        for n in (4, 5)
    ]
    assert count(sqlite_url, "areas") == 0


def test_a_utf8_character_across_a_megabyte_of_ascii_is_read_as_utf8(tmp_path, sqlite_url):
    """The encoding is found block by block (1 MiB): a character split between two blocks is UTF-8."""
    folder = tmp_path / "r"
    folder.mkdir()
    target = (1 << 20) - 1  # where the é's first byte is: the last byte of the first block
    data, i = b"area_code,name\r\n", 0
    while len(data) + 60 < target:
        i += 1
        data += b"%d,Area %d\r\n" % (i, i)
    rows = data + b"999999," + b"a" * (target - len(data) - 7) + "é\r\n".encode()
    assert rows[target : target + 2] == "é".encode()
    (folder / "areas.csv").write_bytes(rows)
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 0, result.output
    assert "Windows-1252" not in result.stdout
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        name = conn.execute(sa.text("select name from areas where area_code = '999999'")).scalar_one()
    engine.dispose()
    assert name.endswith("aé")


def test_a_quoting_fault_deep_in_a_file_still_names_the_problems_of_the_rows_before_it(tmp_path, sqlite_url):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "areas.csv").write_text("area_code,name\r\n850,A\r\n")
    lines = ["decision_id,area_code,case_ref,decision_type,decision_date,rights_notice"]
    for i in range(1, 6001):  # more than one chunk of rows
        date = "2019-13-01" if i == 5100 else "2019-01-02"
        case = '"C1' if i == 5500 else "C1"
        lines.append(f"D{i:05d},850,{case},plan_issued,{date},yes")
    (folder / "decisions.csv").write_text("\r\n".join(lines) + "\r\n")
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "decisions.csv row 5101, column decision_date, value '2019-13-01': not a real date",
        'decisions.csv row 5501: a quoted value starts on this row and is never closed (a missing "); '
        "nothing after it was read",
    ]
    assert count(sqlite_url, "decisions") == 0
