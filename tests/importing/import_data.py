"""Records and store queries shared by the import's tests."""

from __future__ import annotations

import sqlalchemy as sa

AREAS = [{"area_code": "850", "name": "Area 850"}]
COMMISSIONERS = [
    {"commissioner_code": "QRL", "name": "ICB", "kind": "health"},
    {"commissioner_code": "850-SC", "name": "SC", "kind": "social_care"},
]
APPEAL = {
    "appeal_id": "A1",
    "area_code": "850",
    "case_ref": "C1",
    "decision_type": "plan_issued",
    "decision_date": "2019-01-10",
    "registered_on": "2019-02-01",
    "health_issue": "yes",
    "social_care_issue": "no",
    "status": "open",
    "closed_on": "",
}


def query(db: str, sql: str) -> list[tuple]:
    """The rows `sql` reads from the store at `db`."""
    engine = sa.create_engine(db.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(sql))]
    engine.dispose()
    return rows


def count(db: str, table: str) -> int:
    return query(db, f"select count(*) from {table}")[0][0]


def indexes(db: str) -> dict[str, set[str]]:
    """Each record table's index names in the store."""
    engine = sa.create_engine(db.replace("postgresql://", "postgresql+psycopg://"))
    inspector = sa.inspect(engine)
    found = {t: {i["name"] for i in inspector.get_indexes(t)} for t in ("areas", "appeals", "recorded_exceptions")}
    engine.dispose()
    return found


def errors(result) -> list[str]:
    """The problems an import printed one by one (after the causes, when it grouped some)."""
    lines = [line.strip() for line in result.stderr.splitlines()[1:]]
    if "Each problem:" in lines:
        lines = lines[lines.index("Each problem:") + 1 :]
    return [line for line in lines if line and not line.startswith("… and ")]


def causes(result) -> list[str]:
    """The causes an import printed first."""
    lines = [line.strip() for line in result.stderr.splitlines()[1:]]
    if "By cause:" not in lines:
        return []
    return [line[2:] for line in lines[lines.index("By cause:") + 1 : lines.index("Each problem:") - 1]]


def many_decisions(n: int) -> list[dict]:
    """`n` decision letters with ISO and day-first dates, booleans in several spellings, blanks."""
    return [
        {
            "decision_id": f"D{i:05d}",
            "area_code": "850",
            "case_ref": f"C{i % 700:04d}",
            "decision_type": "plan_issued" if i % 3 else "refuse_assessment",
            "decision_date": f"2019-03-{1 + i % 28:02d}" if i % 2 else f"{1 + i % 28}/4/2019",
            "rights_notice": ["yes", "no", "", "TRUE"][i % 4],
        }
        for i in range(1, n + 1)
    ]
