"""Letter templates and Local Offer pages: each row's `file` is a document of the export's
documents folder (`letters/`, `local-offer/`) of a kind that is read; decision types are known
and the dates in order; a decision's `letter_template` is a template of its own area (this
import or the store). Once every file is read, the documents are: a file whose SHA-256 the
store holds is not parsed again, an unreadable one is a problem naming it, and each record is
given its document's hash (a changed document is an update, in the audit log). Files in the
folders that no row lists are noted, not refused."""

from __future__ import annotations

import gc
import hashlib
import os
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import and_, bindparam, select, tuple_, update

from monitor.db import bulk_insert
from monitor.documents import DocumentError, DocumentText, Limits, extract, load
from monitor.documents import stored as stored_documents
from monitor.documents.registry import check_kind
from monitor.importing.checks.registry import Part, check
from monitor.importing.session import Session
from monitor.models import AuditEntry, LetterTemplate
from monitor.records import BY_NAME, DECISION_TYPES

FOLDERS = {"letter_templates": "letters", "local_offer_pages": "local-offer"}
_GROUP = 200  # documents hashed, looked up and read at a time
_COLLECT = 20  # documents read between collections of their parsers' garbage
_LOOKUP = 500


def _listed(session: Session) -> dict[tuple[str, tuple], tuple[str, int, str]]:
    """(record type, key) -> (label, row, file) of every document row of this import."""
    return session.memo.setdefault("documents", {})


def _why_not(folder: Path | None, relative: str, under: str) -> str | None:
    """Why a `file` value does not name a readable document of the export (None: it does)."""
    path = PurePosixPath(relative.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2 or path.parts[0] != under:
        return f"must be a path under {under}/, e.g. {under}/{'final-plan-v7.docx' if under == 'letters' else 'appeals.html'}"
    try:
        check_kind(relative)
    except DocumentError as exc:
        return str(exc).split(": ", 1)[1]
    if folder is None or not (folder / path).is_file():
        return f"listed but missing: no such file in the export's {under}/ folder"
    return None


@check("letter_templates", "local_offer_pages")
def files(session: Session, part: Part) -> None:
    if "file" not in part.index or any(k not in part.index for k in part.rtype.key):
        return
    name, at = part.rtype.name, part.index["file"]
    keys = [part.index[k] for k in part.rtype.key]
    listed = _listed(session)
    for rownum, values in part.chunk:
        relative = values[at]
        why = _why_not(session.folder, relative, FOLDERS[name])
        if why:
            session.problem(part.label, rownum, part.source("file"), relative, why)
        else:
            listed[(name, tuple(values[i] for i in keys))] = (part.label, rownum, relative)


@check("letter_templates", stored=("in_use_from", "in_use_to"))
def template_values(session: Session, part: Part) -> None:
    index, stored = part.index, part.stored
    for rownum, values in part.chunk:
        if "decision_types" in index and values[index["decision_types"]]:
            unknown = [t for t in values[index["decision_types"]].split() if t not in DECISION_TYPES]
            if unknown:
                session.problem(
                    part.label,
                    rownum,
                    part.source("decision_types"),
                    values[index["decision_types"]],
                    f"not a decision type: {', '.join(unknown)} (expected {', '.join(DECISION_TYPES)}, separated by spaces)",
                )
        old = stored.get(tuple(values[index[k]] for k in ("area_code", "template_id")), {})
        start = values[index["in_use_from"]] if "in_use_from" in index else old.get("in_use_from")
        end = values[index["in_use_to"]] if "in_use_to" in index else old.get("in_use_to")
        if start and end and end < start:
            session.problem(part.label, rownum, part.source("in_use_to"), end.isoformat(), "is before in_use_from")


@check("decisions")
def letter_template(session: Session, part: Part) -> None:
    if "letter_template" not in part.index or "area_code" not in part.index or "letter_templates" in session.unreadable:
        return
    at, area_at = part.index["letter_template"], part.index["area_code"]
    named = {(values[area_at], values[at]) for _, values in part.chunk if values[at]}
    imported = {key for (name, key) in _listed(session) if name == "letter_templates"}
    imported |= session.keys.get("letter_templates", set())
    wanted = sorted(named - imported)
    t = LetterTemplate.__table__
    for i in range(0, len(wanted), _LOOKUP):
        pairs = wanted[i : i + _LOOKUP]
        stmt = select(t.c.area_code, t.c.template_id).where(tuple_(t.c.area_code, t.c.template_id).in_(pairs))
        imported |= set(map(tuple, session.conn.execute(stmt)))
    for rownum, values in part.chunk:
        if values[at] and (values[area_at], values[at]) not in imported:
            session.problem(
                part.label,
                rownum,
                part.source("letter_template"),
                values[at],
                f"no letter template of area {values[area_at]} with this template_id in this import or the store",
            )


@check("letter_templates", when="end")
def read_documents(session: Session) -> None:
    """Read the documents of both letter templates and Local Offer pages (registered once)."""
    listed = _listed(session)
    _note_unlisted(session, {relative.replace("\\", "/") for _, _, relative in listed.values()})
    if not listed or session.folder is None:
        return
    limits = session.document_limits
    hashes: dict[str, str] = {}
    files = sorted({relative for _, _, relative in listed.values()})
    for i in range(0, len(files), _GROUP):
        hashes.update(_read_group(session, files[i : i + _GROUP], limits))
    parsed, known = session.memo.get("documents_parsed", 0), session.memo.get("documents_known", 0)
    session.result.notes.append(f"documents: {parsed} read, {known} unchanged since an earlier import (not read again)")
    if session.writing:
        for name in FOLDERS:
            found = {key: hashes[rel] for (n, key), (_, _, rel) in listed.items() if n == name and rel in hashes}
            _give_hashes(session, name, found)


def _read_group(session: Session, files: list[str], limits: Limits) -> dict[str, str]:
    """Hash each file; read (and, while writing, store) those whose hash the store does not hold."""
    assert session.folder is not None
    hashes, sizes = {}, {}
    for relative in files:
        try:
            data, sha = load(session.folder / relative, relative, limits)
        except DocumentError as exc:
            session.problem(relative, None, None, None, str(exc).split(": ", 1)[1])
            continue
        hashes[relative], sizes[relative] = sha, len(data)
    known = stored_documents.known(session.conn, hashes.values())
    read: list[tuple[DocumentText, int]] = []
    for relative, sha in hashes.items():
        if sha in known or any(sha == d.sha256 for d, _ in read):
            continue
        data = (session.folder / relative).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            session.problem(relative, None, None, None, "changed while it was being imported: import again")
            continue
        try:
            read.append((extract(relative, data, sha, limits), sizes[relative]))
        except DocumentError as exc:
            session.problem(relative, None, None, None, str(exc).split(": ", 1)[1])
        if len(read) % _COLLECT == 0:
            gc.collect()  # a parser's objects hold cycles, and the import collects cycles seldom
    session.memo["documents_parsed"] = session.memo.get("documents_parsed", 0) + len(read)
    session.memo["documents_known"] = session.memo.get("documents_known", 0) + len(known)
    if session.writing and read:
        stored_documents.save(session.conn, read)
    return hashes


def _give_hashes(session: Session, name: str, found: dict[tuple, str]) -> None:
    """Set each record's document hash; a record that had another one is updated (audit log)."""
    rtype = BY_NAME[name]
    table = rtype.model.__table__
    key_cols = [table.c[k] for k in rtype.key]
    keys = sorted(found)
    changed, audit, batch = [], [], session.batch_id
    counts = session.result.counts.setdefault(name, {"new": 0, "updated": 0, "unchanged": 0})
    for i in range(0, len(keys), _LOOKUP):
        part = keys[i : i + _LOOKUP]
        where: Any = tuple_(*key_cols).in_(part) if len(key_cols) > 1 else key_cols[0].in_([k[0] for k in part])
        stmt = select(*key_cols, table.c.sha256, table.c.created_batch, table.c.updated_batch).where(where)
        for row in session.conn.execute(stmt):
            key = tuple(row[: len(key_cols)])
            old, created, updated = row[len(key_cols) :]
            if old == found[key]:
                continue
            changed.append({**{f"k_{k}": v for k, v in zip(rtype.key, key, strict=True)}, "sha": found[key]})
            if created != batch and old is not None:
                audit.append((batch, name, ":".join(key), "sha256", old, found[key]))
                if updated != batch:  # the row itself was unchanged: its document was not
                    counts["unchanged"] -= 1
                    counts["updated"] += 1
    if changed:
        where = and_(*[table.c[k] == bindparam(f"k_{k}") for k in rtype.key])
        values: dict[str, Any] = {"sha256": bindparam("sha"), "updated_batch": batch}
        session.conn.execute(update(table).where(where).values(values), changed)
    bulk_insert(
        session.conn,
        AuditEntry.__table__,
        ("batch_id", "record_type", "record_key", "column", "old_value", "new_value"),
        audit,
    )


def _note_unlisted(session: Session, listed: set[str]) -> None:
    """A note for each file of the documents folders that no row lists (it is not read)."""
    if session.folder is None:
        return
    for name, under in FOLDERS.items():
        top = session.folder / under
        if not top.is_dir():
            continue
        for folder, _, names in os.walk(top):
            for file in sorted(names):
                relative = (Path(folder) / file).relative_to(session.folder).as_posix()
                if relative not in listed:
                    session.result.notes.append(f"{relative}: not listed in {name}.csv, so not read")
