"""The site's assets (`/assets/…`: stylesheet, scripts, plotly.js), the same files the static
publish writes into `assets/`; they hold no data, so they are served before sign-in."""

from __future__ import annotations

import functools
import hashlib

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from monitor.publish.render import DASHBOARDS

_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@functools.cache
def _assets() -> dict[str, tuple[bytes, str, str]]:
    """Every asset by name: its bytes, media type and ETag (read once per process)."""
    import plotly.offline

    files = {"plotly.min.js": plotly.offline.get_plotlyjs().encode()}
    for path in (DASHBOARDS / "static").iterdir():
        if path.is_file() and path.suffix in _TYPES:
            files[path.name] = path.read_bytes()
    return {
        name: (body, _TYPES[name[name.rindex(".") :]], '"' + hashlib.sha256(body).hexdigest()[:20] + '"')
        for name, body in files.items()
    }


def asset_routes() -> list[Route]:
    async def asset(request: Request) -> Response:
        found = _assets().get(request.path_params["name"])
        if found is None:
            return PlainTextResponse("Not found", status_code=404)
        body, media, etag = found
        headers = {"ETag": etag, "Cache-Control": "public, max-age=3600"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media, headers=headers)

    async def favicon(request: Request) -> Response:
        return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})  # the site has none

    return [Route("/assets/{name}", asset, methods=["GET", "HEAD"]), Route("/favicon.ico", favicon)]
