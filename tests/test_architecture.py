"""docs/architecture.md names every module of the package, and only modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
SKIP = {"__init__.py", "__main__.py"}


def _modules() -> list[Path]:
    return sorted(
        p.relative_to(REPO)
        for p in (REPO / "monitor").rglob("*.py")
        if p.name not in SKIP and "migrations" not in p.parts and "__pycache__" not in p.parts
    )


def _named(module: Path) -> bool:
    """A top-level module by its path; a module in a package on the package's line, by its
    name, with or without `.py`, or its path inside the package."""
    if f"`{module.as_posix()}`" in DOC:
        return True
    top = f"`{'/'.join(module.parts[:2])}/`"
    lines = [line for line in DOC.splitlines() if top in line]
    inner = module.relative_to(Path(*module.parts[:2])).as_posix()
    names = (inner, module.name, module.stem)
    return any(re.search("|".join(f"`{re.escape(n)}`" for n in names), line) for line in lines)


def test_every_module_is_in_the_module_list():
    missing = [m.as_posix() for m in _modules() if not _named(m)]
    assert not missing, f"not in docs/architecture.md: {missing}"


def test_every_path_named_exists():
    named = set(re.findall(r"`(monitor/[\w/.]+)`", DOC))
    assert named
    gone = sorted(p for p in named if not (REPO / p).exists())
    assert not gone, f"docs/architecture.md names what is not there: {gone}"
