"""Where the files shipped with the package are: the rules, the dashboards' templates.

rules/ and dashboards/ sit at the top of the checkout and are packaged as
`monitor.rules_data` and `monitor.dashboards` (pyproject.toml), so the same lookup
works from a checkout, an editable install and an installed wheel.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _folder(package: str) -> Path:
    # pip installs wheels unpacked, so a package's files are a real folder.
    return Path(str(files(package)))


def rules_dir() -> Path:
    """The folder of the rule files shipped with send-monitor (config `rules_dir` overrides)."""
    return _folder("monitor.rules_data")


def dashboards_dir() -> Path:
    """The folder of the site's templates, with their `static/` files."""
    return _folder("monitor.dashboards")
