"""The site: `publish` writes it, `serve` shows a published one on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from monitor.cli.options import day, err, fail, progress, rules, say, store, writes

if TYPE_CHECKING:
    from monitor.config import Config

commands = typer.Typer()


@commands.command()
@writes("publish")
def publish(
    ctx: typer.Context,
    out_dir: Optional[Path] = typer.Argument(
        None, help="Folder to write the site into (default: the config's site_dir)."
    ),
    as_of: Optional[str] = typer.Option(
        None, "--as-of", help="The date of the stored findings (default: the latest check)."
    ),
    pdf: bool = typer.Option(
        False, "--pdf", help="Also print each area's inspector report to report.pdf (headless Chromium)."
    ),
) -> None:
    """Write the static site: national, area and commissioner dashboards, explanations, inspector reports."""
    from monitor.findings import FindingsError
    from monitor.publish import PublishError
    from monitor.publish import publish as publish_site

    cfg: Config = ctx.obj
    target = out_dir or cfg.site_dir
    engine, duties = store(cfg), rules(cfg)
    try:
        with progress() as report:
            index = publish_site(engine, duties, target, day(as_of), pdf=pdf, site_url=cfg.site_url, progress=report)
    except (FindingsError, PublishError) as exc:
        fail(str(exc))
    say(str(index.absolute()))  # not resolved: OUT_DIR is a link


@commands.command()
def serve(
    ctx: typer.Context,
    out_dir: Optional[Path] = typer.Argument(None, help="The published site (default: the config's site_dir)."),
    port: int = typer.Option(8000, "--port", help="Port on 127.0.0.1."),
) -> None:
    """Serve a published site on http://127.0.0.1:PORT/ for a quick look (Ctrl-C stops)."""
    import functools
    import http.server

    cfg: Config = ctx.obj
    folder = out_dir or cfg.site_dir
    if not (folder / "index.html").is_file():
        fail(f"{folder} holds no published site: run `send-monitor publish {folder}` first")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        fail(f"cannot listen on 127.0.0.1:{port}: {exc}")
    err.print(
        f"serving {folder} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)",
        highlight=False,
        markup=False,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
