"""The page and download routes, at the paths the static site has: who is asking (302 to
sign in when nobody), what they may see (`visibility`), one access-log row per answer, the
page from the cache or rendered on request."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from monitor.web.cache import Entry, PageCache
from monitor.web.pages import NotReady, PageSource, PageUnavailable
from monitor.web.refusals import Refusals
from monitor.web.viewer import Viewer
from monitor.web.visibility import Outcome, Shown, decide, has_any_role

log = logging.getLogger("send_monitor.web")
NO_STORE = {"Cache-Control": "private, no-store"}


@dataclass
class Served:
    """What the page routes need: the pages, the cache, who is asking, the access log."""

    pages: PageSource
    cache: PageCache
    stamp: Callable[[], Any]  # the store's latest check and import (blocking: run in a thread)
    current_viewer: Callable[[Request], Viewer | None]
    log_access: Callable[..., None]  # raises when the row cannot be written
    refusals: Refusals
    outline: Callable[[str], Shown | None] | None = None  # who may see a page, known before gathering it


def _site_path(request: Request) -> str | None:
    """The site path asked for ("" → index.html); None for one that cannot be a page's."""
    raw = request.path_params.get("path", "")
    if raw == "" or raw.endswith("/"):
        raw += "index.html"
    parts = PurePosixPath(raw).parts
    if any(p in ("..", ".") or p.startswith(".") for p in parts) or "\\" in raw or "\x00" in raw:
        return None
    return raw


def page_routes(served: Served) -> list[Route]:
    async def page(request: Request) -> Response:
        viewer = served.current_viewer(request)
        if viewer is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=302)
        path = _site_path(request)
        if path is None:
            return await _answer(served, request, viewer, request.url.path.lstrip("/"), Entry(Outcome.NOT_FOUND))
        if path == "index.html" and request.path_params.get("path", "") == "" and not viewer.national:
            home = _home(viewer)
            if home is not None:
                return RedirectResponse(f"/{home}", status_code=302)
        if not has_any_role(viewer):
            return await _answer(served, request, viewer, path, Entry(Outcome.FORBIDDEN), no_role=True)

        async def make() -> Entry:
            return await run_in_threadpool(_make, served, viewer, path)

        try:
            stamp = await run_in_threadpool(served.stamp)
            entry = await served.cache.get_or_make((path, viewer.cache_key()), stamp, make)
        except NotReady:
            return served.refusals.not_ready()
        except PageUnavailable as exc:
            log.error("page not made: %s", exc)
            return served.refusals.page_unavailable()
        return await _answer(served, request, viewer, path, entry)

    return [Route("/", page), Route("/{path:path}", page, methods=["GET", "HEAD"])]


def _make(served: Served, viewer: Viewer, path: str) -> Entry:
    outline = served.outline(path) if served.outline else None
    if outline is not None and (outcome := decide(viewer, outline)) is not Outcome.SHOWN:
        return Entry(outcome, outline)  # refused before gathering it
    found = served.pages(path)
    outcome = decide(viewer, found.shown if found else None)
    if found is None or outcome is not Outcome.SHOWN:
        return Entry(outcome, found.shown if found else None)
    body, media_type = found.render()
    return Entry(outcome, found.shown, body, media_type)


def _home(viewer: Viewer) -> str | None:
    """Where `/` takes a viewer without the national role: their own area's or commissioner's page."""
    from monitor.paths import area_path, commissioner_path

    if viewer.areas:
        return area_path(min(viewer.areas)) + "index.html"
    if viewer.commissioners:
        return commissioner_path(min(viewer.commissioners)) + "index.html"
    return None


def _download_name(path: str) -> str:
    """A download's file name: the body's folder and the file ("areas/850/findings.csv" →
    "850-findings.csv"; "national.csv" as it is)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", "-".join(path.rsplit("/", 2)[-2:]))


async def _answer(
    served: Served, request: Request, viewer: Viewer, path: str, entry: Entry, no_role: bool = False
) -> Response:
    """Write the access-log row, then answer; no row, no page (503)."""
    shown = entry.shown
    try:
        await run_in_threadpool(
            served.log_access,
            request,
            viewer,
            path="/" + path,
            area=shown.area if shown else None,
            case_refs=sorted(shown.case_refs)
            if shown and entry.outcome is Outcome.SHOWN
            else [],  # a refusal shows none
            outcome=int(entry.outcome),
        )
    except Exception as exc:  # noqa: BLE001 - whatever stopped the row, the page is refused
        log.error("access log not written, page refused (%s)", type(exc).__name__)
        return served.refusals.unavailable()
    if entry.outcome is Outcome.SHOWN:
        headers = dict(NO_STORE)
        if path.endswith((".csv", ".xlsx", ".pdf")):
            headers["Content-Disposition"] = f'attachment; filename="{_download_name(path)}"'
        return Response(entry.body, media_type=entry.media_type, headers=headers)
    if entry.outcome is Outcome.FORBIDDEN:
        return served.refusals.forbidden(no_role=no_role)
    return served.refusals.not_found()
