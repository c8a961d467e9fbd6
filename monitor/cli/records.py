"""Records in: `import` (an export, with an optional column mapping) and `template`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from monitor.cli.options import fail, out, progress, rules, say, store, writes

if TYPE_CHECKING:
    from monitor.config import Config

commands = typer.Typer()


@commands.command("import")
@writes("import")
def import_(
    ctx: typer.Context,
    folder: Path = typer.Argument(
        ..., help="A folder of CSV exports, or an .xlsx workbook (one sheet per record type)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Validate against the store and show what would change; write nothing."
    ),
    report: Optional[Path] = typer.Option(
        None, "--report", help="Also write the problems to this CSV file (for a spreadsheet)."
    ),
    mapping: Optional[Path] = typer.Option(
        None, "--mapping", help="TOML file renaming the source's columns and values."
    ),
    area: Optional[str] = typer.Option(
        None, "--area", help="The export is this area's: a row for another area is a problem."
    ),
) -> None:
    """Validate an export (CSV folder or workbook) and load it into the store, all or nothing."""
    from rich.table import Table

    from monitor.importing.mapping import MappingError, load_mapping
    from monitor.importing.problems import write_report
    from monitor.importing.run import import_folder
    from monitor.importing.summary import summary_lines

    cfg: Config = ctx.obj
    try:
        mapped = load_mapping(mapping) if mapping is not None else None
    except MappingError as exc:
        fail(str(exc))
    engine, duties = store(cfg), rules(cfg)
    with progress(min_total=50_000) as report_progress:
        result = import_folder(
            engine,
            folder,
            duties.keys(),
            report_progress,
            mapping=mapped,
            dry_run=dry_run,
            area=area,
            document_limits=cfg.documents.limits(),
        )
    if report is not None:
        try:
            write_report(report, result.problems)
        except OSError as exc:
            fail(f"cannot write the report {report}: {exc.strerror}")
    for note in result.notes:
        say(f"note: {note}")
    if not result.ok:
        typer.echo(f"{len(result.problems)} problem(s) in {folder}; nothing was imported:", err=True)
        for line in summary_lines(result.problems):
            typer.echo(f"  {line}" if line else "", err=True)
        raise typer.Exit(1)
    title = "dry run: nothing was written" if dry_run else f"import batch {result.batch_id}"
    table = Table("file", "new", "updated", "unchanged", title=title)
    for name, c in result.counts.items():
        table.add_row(result.labels.get(name, f"{name}.csv"), str(c["new"]), str(c["updated"]), str(c["unchanged"]))
    out.print(table)


@commands.command()
def template(
    ctx: typer.Context,
    target: Path = typer.Argument(..., help="OUT.xlsx for a workbook, or a folder for blank CSV files."),
) -> None:
    """Write a blank export to fill in: a workbook (one sheet per record type) or CSV files."""
    from monitor.template import TemplateError, write_template

    try:
        written = write_template(target)
    except TemplateError as exc:
        fail(str(exc))
    say(str(written))
