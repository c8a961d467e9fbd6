"""`send-monitor template OUT`: a blank export to fill in, from the records standard's definitions.

`OUT.xlsx` gives a workbook: one sheet per record type with its header row frozen,
drop-down lists for the enumerated and yes/no columns, date-formatted date columns,
text-formatted id columns (so `0850` stays `0850`), and a "Read me" sheet saying what
every column means and whether it is required. Any other OUT is a folder of blank CSV
files with their header rows. Existing files are never overwritten.
"""

from __future__ import annotations

import csv
from pathlib import Path

from monitor.records import RECORD_TYPES, TYPE_WORDS
from monitor.subjects import EXCEPTION_SUBJECTS

README_SHEET = "Read me"
_FORMATS = {"date": "yyyy-mm-dd", "money": "#,##0.00", "text": "@", "email": "@"}


class TemplateError(Exception):
    """The template cannot be written where asked."""


def write_template(target: Path) -> Path:
    """Write the template; returns what was written (the workbook or the folder)."""
    target = Path(target)
    if target.suffix.lower() == ".xlsx":
        if target.exists():
            raise TemplateError(f"{target} already exists: choose a new name")
        if not target.parent.is_dir():
            raise TemplateError(f"{target.parent} is not a folder")
        try:
            _workbook().save(target)
        except OSError as exc:
            raise TemplateError(f"cannot write {target}: {exc.strerror}") from None
        return target
    if target.exists() and not target.is_dir():
        raise TemplateError(f"{target} is a file: give a folder, or a name ending in .xlsx for a workbook")
    clash = [rt.file for rt in RECORD_TYPES if (target / rt.file).exists()]
    if clash:
        raise TemplateError(f"{target} already holds {', '.join(clash)}: choose an empty folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
        for rt in RECORD_TYPES:
            with open(target / rt.file, "w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerow([c.name for c in rt.columns])
        for documents in ("letters", "local-offer"):  # the files letter_templates.csv and local_offer_pages.csv list
            (target / documents).mkdir(exist_ok=True)
    except OSError as exc:
        raise TemplateError(f"cannot write into {target}: {exc.strerror}") from None
    return target


def _workbook():
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    readme = book.active
    readme.title = README_SHEET
    bold = Font(bold=True)
    readme.append(["send-monitor records template (records standard version 3)"])
    readme["A1"].font = Font(bold=True, size=14)
    readme.append(
        [
            "Fill in one sheet per record type, one record per row, below the header row. Leave a "
            "sheet empty when you have nothing of that type. Dates as dates (or YYYY-MM-DD, or D/M/YYYY); "
            "yes/no columns from their lists. No child's or family's name, address or date of birth: "
            "case_ref is your own pseudonymous reference. Letter templates and saved Local Offer pages: "
            "put the files in folders named letters and local-offer beside this workbook and list them in "
            "the letter_templates and local_offer_pages sheets. This sheet is ignored on import."
        ]
    )
    readme.append([])
    readme.append(["sheet", "column", "required", "type", "allowed values", "meaning"])
    for cell in readme[4]:
        cell.font = bold
    for rt in RECORD_TYPES:
        for c in rt.columns:
            allowed = ", ".join(c.values) if c.values else ("yes, no" if c.type == "bool" else "")
            readme.append(
                [
                    rt.name,
                    c.name,
                    "yes" if c.required else "no",
                    TYPE_WORDS[c.type].replace("one of", "list"),
                    allowed,
                    c.meaning,
                ]
            )
    readme.append([])
    readme.append(["exceptions: the subject_id each duty's exception names"])
    readme.cell(readme.max_row, 1).font = bold
    readme.append(["duty", "subject_id", "", "", "example"])
    for cell in readme[readme.max_row]:
        cell.font = bold
    for duty, subject in EXCEPTION_SUBJECTS.items():
        readme.append([duty, subject.pattern, "", "", subject.example])
    for letter, width in zip("ABCDEF", (16, 24, 10, 10, 60, 90), strict=False):
        readme.column_dimensions[letter].width = width
    readme["A2"].alignment = Alignment(wrap_text=True)
    readme.freeze_panes = "A5"

    for rt in RECORD_TYPES:
        sheet = book.create_sheet(rt.name)
        sheet.append([c.name for c in rt.columns])
        sheet.freeze_panes = "A2"
        for i, c in enumerate(rt.columns, start=1):
            letter = get_column_letter(i)
            sheet[f"{letter}1"].font = bold
            sheet.column_dimensions[letter].width = max(14, len(c.name) + 4)
            if c.type in _FORMATS:
                sheet.column_dimensions[letter].number_format = _FORMATS[c.type]
            choices = c.values if c.values else (("yes", "no") if c.type == "bool" else ())
            if rt.name == "exceptions" and c.name == "duty":
                choices = tuple(EXCEPTION_SUBJECTS)
            if choices:
                rule = DataValidation(
                    type="list",
                    formula1='"' + ",".join(choices) + '"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=c.name,
                    error="Choose one of: " + ", ".join(choices),
                )
                rule.add(f"{letter}2:{letter}1048576")
                sheet.add_data_validation(rule)
            elif c.type == "date":
                rule = DataValidation(
                    type="date",
                    operator="greaterThan",
                    formula1="1",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=c.name,
                    error="A date, please",
                )
                rule.add(f"{letter}2:{letter}1048576")
                sheet.add_data_validation(rule)
    return book
