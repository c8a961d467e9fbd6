"""The manifest of a published site version (`.send-monitor-manifest.json` among its files): what
it was made with (the site key) and from where in the store (the position), so that the next
publish can tell whether it may reuse its pages (the fingerprints of each area's case and
explanation pages are beside it: `reuse.marks_path`).

`write` writes it; `earlier` reads the one of the version OUT_DIR serves; `why_full` says why
the next publish cannot reuse that version's pages (None: it can).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Connection

from monitor.changed import same_store
from monitor.publish.render import DASHBOARDS
from monitor.publish.site import Site
from monitor.publish.write import SiteFolder

MANIFEST = ".send-monitor-manifest.json"
FORMAT = 2
KEY_WORDS = {
    "format": "the manifest's format",
    "version": "send-monitor's version",
    "libraries": "the page libraries",
    "templates": "the page templates",
    "rules": "the rules",
    "site_url": "the site address",
    "pdf": "the PDF setting",
    "accessibility_contact": "the accessibility contact",
    "bodies": "the areas or commissioners",
    "stale": "the records awaiting a check",
}


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def site_key(site: Site) -> dict:
    """Everything besides the findings and records that every page is made with: a version made
    with another key has nothing to reuse."""
    from importlib.metadata import version

    from monitor import __version__

    templates = sorted(p for p in DASHBOARDS.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    bodies = json.dumps([site.areas, site.commissioners], default=str, sort_keys=True).encode()
    return {
        "format": FORMAT,
        "version": __version__,
        "libraries": [version(name) for name in ("jinja2", "markupsafe", "plotly", "xlsxwriter")],
        "templates": _digest(
            *(part for p in templates for part in (str(p.relative_to(DASHBOARDS)).encode(), p.read_bytes()))
        ),
        "rules": {
            r.id: [r.version, _digest(r.path.read_bytes())] for r in sorted(site.rules.values(), key=lambda r: r.id)
        },
        "site_url": site.site_url,
        "pdf": site.pdf,
        "accessibility_contact": site.accessibility_contact,
        "bodies": _digest(bodies),
        # a stale site's every page names the latest check
        "stale": str(getattr(site.check, "finished_at", None)) if site.stale else None,
    }


def write(folder: Path, key: dict, position: dict, as_of: date) -> None:
    data = {"key": key, "position": {**position, "as_of": as_of.isoformat()}}
    (folder / MANIFEST).write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")


def earlier(site_folder: SiteFolder) -> tuple[Path, dict] | str:
    """The version OUT_DIR serves and its manifest, or why there is none to reuse."""
    name = site_folder.current()
    if name is None:
        return "there is no earlier version to reuse"
    folder = site_folder.parent / name
    if not folder.is_dir():
        return "the last version's folder is missing"
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "the last version has no manifest"
    except (OSError, ValueError):
        return "the last version's manifest cannot be read"
    if not (isinstance(data, dict) and isinstance(data.get("key"), dict) and isinstance(data.get("position"), dict)):
        return "the last version's manifest cannot be read"
    return folder, data


def why_full(conn: Connection, site: Site, key: dict, manifest: dict) -> str | None:
    """Why a publish of `site` cannot reuse the pages of the version `manifest` describes (None: it can)."""
    changed = [KEY_WORDS[k] for k in KEY_WORDS if manifest["key"].get(k) != key[k]]
    if changed:
        return f"{', '.join(changed)} changed since the last version"
    published = manifest["position"]
    if not same_store(conn, published):
        return "the last version was published from another store, or from a later check"
    try:
        before = date.fromisoformat(published["as_of"])
    except (KeyError, TypeError, ValueError):
        return "the last version's manifest cannot be read"
    if site.as_of < before:
        return "the findings are older than the last version's"
    bodies = (*site.successors.areas.values(), *site.successors.commissioners.values())
    if any(b.successor_from and before < b.successor_from <= site.as_of for b in bodies):
        return "a successor has taken over since the last version"
    return None
