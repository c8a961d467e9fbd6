"""Areas and commissioners: successor_code and successor_from go together, the successor exists
(import or store) and, for commissioners, has the same kind; chains do not loop — judged on
the import and the store together, once the file is read."""

from __future__ import annotations

from monitor.importing.checks.registry import Part, check
from monitor.importing.session import Session


@check("areas", "commissioners", when="file")
def successors(session: Session, part: Part) -> None:
    name, key = part.rtype.name, part.rtype.key[0]
    stored = session.stored_small.get(name, {})
    rows = session.rows_small.get(name, [])
    effective: dict[str, dict] = {code: dict(r) for code, r in stored.items()}
    for _, values, present in rows:
        merged = dict(stored.get(values[key], {}))
        merged.update({c: v for c, v in values.items() if c in present})
        effective[values[key]] = merged
    imported = {values[key]: rownum for rownum, values, _ in rows}
    for rownum, values, _present in rows:
        _pair(session, part, rownum, effective[values[key]], effective)
    if name == "commissioners":
        _stored_naming_imported(session, part, effective, imported)
    _loops(session, part, effective, imported)


def _pair(session: Session, part: Part, rownum: int, e: dict, effective: dict[str, dict]) -> None:
    """One record's successor: both columns or neither, the successor known, of the same kind."""
    succ, since = e.get("successor_code"), e.get("successor_from")
    if (succ is None) != (since is None):
        blank = "successor_from" if succ is not None else "successor_code"
        session.problem(
            part.label,
            rownum,
            part.source(blank),
            "",
            "successor_code and successor_from go together: give both or neither",
        )
    if succ is None:
        return
    if succ not in effective:
        key = part.rtype.key[0]
        session.problem(
            part.label, rownum, part.source("successor_code"), succ, f"no such {key} in this import or the store"
        )
        return
    if part.rtype.name == "commissioners" and _kinds_differ(e, effective[succ]):
        session.problem(
            part.label,
            rownum,
            part.source("successor_code"),
            succ,
            f"the successor is {effective[succ]['kind']}, this body is {e['kind']}: "
            f"a successor must be of the same kind",
        )


def _kinds_differ(a: dict, b: dict) -> bool:
    return bool(a.get("kind") and b.get("kind") and a["kind"] != b["kind"])


def _stored_naming_imported(session: Session, part: Part, effective: dict[str, dict], imported: dict) -> None:
    """Stored bodies naming an imported one whose kind changes."""
    for code, e in effective.items():
        succ = e.get("successor_code")
        if succ is None or code in imported or succ not in imported:
            continue
        if _kinds_differ(e, effective[succ]):
            session.problem(
                part.label,
                imported[succ],
                part.source("kind"),
                effective[succ]["kind"],
                f"stored commissioner {code} ({e['kind']}) names this body as its successor: "
                f"a successor must be of the same kind",
            )


def _loops(session: Session, part: Part, effective: dict[str, dict], imported: dict) -> None:
    """Each loop of successors once, on every imported row in it."""
    reported: set[str] = set()
    for start in imported:
        chain, code = [start], effective[start].get("successor_code")
        while code is not None and code in effective and code not in chain:
            chain.append(code)
            code = effective[code].get("successor_code")
        if code is None or code not in chain:
            continue
        loop = chain[chain.index(code) :] + [code]
        if set(loop) & reported:
            continue
        reported.update(loop)
        where = ", ".join(f"row {imported[c]}" if c in imported else f"{c} (stored)" for c in loop[:-1])
        for c in loop[:-1]:
            if c in imported:
                session.problem(
                    part.label,
                    imported[c],
                    part.source("successor_code"),
                    effective[c]["successor_code"],
                    f"successors go round in a loop: {' → '.join(loop)} ({where})",
                )
