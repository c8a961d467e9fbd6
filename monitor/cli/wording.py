"""`wording check`: check letters or Local Offer pages for the statements families must be given."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from monitor.cli.options import err, fail, say

if TYPE_CHECKING:
    from monitor.config import Config

commands = typer.Typer(name="wording", no_args_is_help=True, help="Check documents for what they must tell families.")


class Against(str, Enum):
    decision_letter = "decision-letter"
    local_offer = "local-offer"


def _found_line(found, several: bool) -> str:
    local = [p.text for p in found.phrases if p.local]
    note = f" (local addition: {', '.join(local)})" if local else ""
    where = f"{found.document}, {found.where}" if several else found.where
    return f"  found    {found.statement.id}, {where}: \u201c{found.passage}\u201d{note}"


def _report(result, names: list[str]) -> None:
    wording = result.wording
    say(f"{' + '.join(names)}: checked against {wording.id} ({wording.title}, version {wording.version})")
    for line in result.unread:
        say(f"  not read in full  {line}")
    if not result.readable:
        return
    for found in result.found:
        say(_found_line(found, len(names) > 1))
    for statement in result.missing:
        say(f"  missing  {statement.id}: it must say {statement.says}")
    total = len(wording.statements)
    verdict = {"met": "nothing missing", "breached": "missing statements", "data_gap": "not read in full"}
    say(f"  {len(result.found)} of {total} statements found: {verdict[result.status]}")


@commands.command("check")
def check_files(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="Documents: .docx, .odt, .pdf, .html/.htm or .txt."),
    against: Against = typer.Option(
        Against.decision_letter,
        "--against",
        help="The statements to look for: a decision letter's (each file on its own) or the Local Offer's "
        "(the files read together, as the pages of one Local Offer).",
    ),
) -> None:
    """Check draft letters or Local Offer pages before use: each statement found (with the passage) or
    missing (with what it must say). Exits 1 when anything is missing or a file cannot be read."""
    from monitor.documents import DocumentError, read_document
    from monitor.documents.checking import check
    from monitor.documents.wording import WordingError, load_wordings
    from monitor.rules import RuleError, load_parameters

    cfg: Config = ctx.obj
    try:
        parameters = load_parameters(cfg.rules_dir, cfg.parameters)
        wordings = load_wordings(cfg.rules_dir / "wording", parameters, cfg.documents.wording)
    except (WordingError, RuleError) as exc:
        fail(str(exc))
    texts, failed = [], False
    for path in files:
        try:
            texts.append(read_document(path, name=str(path), limits=cfg.documents.limits()))
        except DocumentError as exc:
            err.print(f"error: {exc}", highlight=False, markup=False)
            failed = True
    groups = [[t] for t in texts] if against is Against.decision_letter else [texts] if texts else []
    for group in groups:
        result = check(wordings[against.value], group)
        _report(result, [t.name for t in group])
        failed = failed or result.status != "met"
    raise typer.Exit(1 if failed else 0)
