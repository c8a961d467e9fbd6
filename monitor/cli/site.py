"""The site: `publish` writes it, `serve` serves it live by role (or a published folder, `--static`)."""

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
    copy_to: Optional[Path] = typer.Option(
        None, "--copy-to", help="Also copy the site to this empty or new folder, as plain files (no links)."
    ),
    full: bool = typer.Option(
        False,
        "--full",
        help="Render every page again, instead of reusing the case and explanation pages "
        "whose findings and records did not change since the last version.",
    ),
) -> None:
    """Write the static site: national, area and commissioner dashboards, explanations, inspector reports.

    Case and explanation pages whose findings and records did not change since the site in
    OUT_DIR was published are reused from it; a line on stderr says how many pages were
    rewritten and reused."""
    from monitor.findings import FindingsError
    from monitor.publish import PublishError
    from monitor.publish import publish as publish_site
    from monitor.publish.write import copy_site

    cfg: Config = ctx.obj
    target = out_dir or cfg.site_dir
    engine, duties = store(cfg), rules(cfg)
    try:
        with progress() as report:
            index = publish_site(
                engine,
                duties,
                target,
                day(as_of),
                pdf=pdf,
                site_url=cfg.site_url,
                progress=report,
                accessibility_contact=cfg.accessibility_contact,
                full=full,
                tell=lambda line: err.print(line, highlight=False, markup=False),
            )
        if copy_to is not None:
            copy_site(target, copy_to)
    except (FindingsError, PublishError) as exc:
        fail(str(exc))
    say(str(index.absolute()))  # not resolved: OUT_DIR is a link
    if copy_to is not None:
        say(f"copied to {copy_to.absolute()}")


@commands.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (behind a reverse proxy: keep 127.0.0.1)."
    ),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(2, "--workers", min=1, max=64, help="Worker processes (uvicorn)."),
    demo: Optional[str] = typer.Option(
        None, "--demo", metavar="ROLE", help="Sign every visitor in as ROLE, without a provider (loopback only)."
    ),
    static: Optional[Path] = typer.Option(
        None, "--static", metavar="DIR", help="Serve a published folder as files instead, on 127.0.0.1 (no sign-in)."
    ),
) -> None:
    """Serve the dashboards live from the store, by role, with sign-in (Ctrl-C stops)."""
    cfg: Config = ctx.obj
    if static is not None:
        _serve_folder(static, port)
        return
    from monitor.web.serve import ServeError, check_serving, serve_app

    try:
        check_serving(cfg, host, port, demo)
        store(cfg).dispose()  # a missing or out-of-date store is refused before any worker starts
        serve_app(
            cfg,
            host,
            port,
            workers,
            demo,
            config_file=ctx.find_root().params.get("config"),
            announce=lambda text: err.print(text, highlight=False, markup=False),
        )
    except ServeError as exc:
        fail(str(exc))


def _serve_folder(folder: Path, port: int) -> None:
    """A published site as files on http://127.0.0.1:PORT/, for a quick look."""
    import functools
    import http.server

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
