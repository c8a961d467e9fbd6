"""Who gets which answer: every role against the national page, each area's page, report and
downloads, a case page and an explanation page of each area, and the commissioner's page
and downloads, served from the demo store. Each viewer's roles come from grants in the store
as on a given day (an inspector's before and after its end date); each answer but the
sign-in redirect writes one row to the access log."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from starlette.testclient import TestClient

from monitor.config import load_config
from monitor.paths import area_path, case_path, commissioner_path, explanation_path
from monitor.statuses import ACTION_STATUSES
from monitor.store import open_store
from monitor.web.access_log import AccessLog
from monitor.web.app import build_app
from monitor.web.grants import Person, grant, granted_roles, roles_of
from monitor.web.signin import SignIn
from monitor.web.viewer import Viewer
from monitor.web.webstore import open_web_database
from tests.conftest import SAMPLE, cli

AS_OF = "2020-06-30"
AREAS = ("850", "851", "852")
GRANTED_ON, END, AFTER = date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 1)
# who asks: (the person, the day), each granted one role, the inspector until END
ASKING = {
    "anonymous": None,
    "no role": ("nobody@example.org", GRANTED_ON),
    "area:850": ("lead850@example.org", GRANTED_ON),
    "area:851": ("lead851@example.org", GRANTED_ON),
    "commissioner:QRL": ("icb@example.org", GRANTED_ON),
    "inspector:850 before its end date": ("inspector@example.org", END),
    "inspector:850 after its end date": ("inspector@example.org", AFTER),
    "national": ("dfe@example.org", GRANTED_ON),
}
GRANTS = {
    "lead850@example.org": "area:850",
    "lead851@example.org": "area:851",
    "icb@example.org": "commissioner:QRL",
    "inspector@example.org": "inspector:850",
    "dfe@example.org": "national",
}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    db = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    assert cli("check", "--as-of", AS_OF, db=db).exit_code == 0
    with open_store(db).begin() as conn:
        for person, role in GRANTS.items():
            until = END if role.startswith("inspector:") else None
            grant(conn, Person.parse(person), role, until, today=GRANTED_ON, by="test", now=datetime.now(UTC))
    found = json.loads(cli("findings", "--format", "json", db=db).stdout)["findings"]
    return db, [f for f in found if f["status"] in ACTION_STATUSES]


@pytest.fixture(scope="module")
def pages(demo_store):
    """(path, what it is, its area, whether QRL has a duty on its case) for every page tried."""
    _db, actions = demo_store
    qrl_cases = {(f["area"], f["case_ref"]) for f in actions if f["owner"] == "QRL"}
    assert {a for a, _ in qrl_cases} >= {"850", "851"}
    tried = [(name, "national", None, False) for name in ("index.html", "national.csv", "national.xlsx")]
    for area in AREAS:
        folder = area_path(area)
        tried += [(folder + "index.html", "area", area, False), (folder + "report.html", "area", area, False)]
        tried += [(folder + name, "area", area, False) for name in ("findings.csv", "findings.json", "findings.xlsx")]
        with_qrl = area == "850"  # a case QRL has a duty on in 850; one it has none on elsewhere
        case = next(
            f
            for f in actions
            if f["area"] == area and f["case_ref"] and ((area, f["case_ref"]) in qrl_cases) == with_qrl
        )
        la_duty = next((f for f in actions if f["case_ref"] == case["case_ref"] and f["owner"] == area), case)
        tried.append((case_path(area, case["case_ref"]), "case", area, with_qrl))
        tried.append((explanation_path(area, la_duty["duty"], la_duty["subject"]), "case", area, with_qrl))
    for code in ("QRL", "QSL"):
        folder = commissioner_path(code)
        tried += [
            (folder + name, f"commissioner {code}", None, False)
            for name in ("index.html", "findings.csv", "findings.json")
        ]
    return tried


def viewer_of(db: str, role: str) -> Viewer | None:
    """The viewer asking as `role`: their roles as the store grants them on their day."""
    if ASKING[role] is None:
        return None
    person, day = ASKING[role]
    with open_store(db).connect() as conn:
        return Viewer(person, person, roles_of((), granted_roles(conn, person, person, True, day)))


def app_for(db: str, viewer: Viewer | None) -> tuple[TestClient, AccessLog]:
    """The app over the store for one viewer, writing the real access log beside the store."""
    access_log = AccessLog(open_web_database(db), 400)

    def log_access(request, who, **row):
        access_log.append(subject=who.subject, email=who.email, **row)

    app = build_app(load_config(db=db), open_store(db), sign_in=SignIn(lambda request: viewer, log_access))
    return TestClient(app, follow_redirects=False), access_log


def expected(role: str, what: str, area: str | None, qrl_on_case: bool) -> int:
    roles = EXPECTED_ROLES[role]
    if roles is None:
        return 302
    if not roles or what == "national" and "national" not in roles:
        return 403
    if "national" in roles:
        return 200
    own_area = {r.partition(":")[2] for r in roles if r.startswith(("area:", "inspector:"))}
    if area in own_area:
        return 200
    if "commissioner:QRL" in roles and (what == "commissioner QRL" or what == "case" and qrl_on_case):
        return 200
    return 404


EXPECTED_ROLES = {
    "anonymous": None,
    "no role": frozenset(),
    "area:850": frozenset({"area:850"}),
    "area:851": frozenset({"area:851"}),
    "commissioner:QRL": frozenset({"commissioner:QRL"}),
    "inspector:850 before its end date": frozenset({"inspector:850"}),
    "inspector:850 after its end date": frozenset(),  # an ended grant gives nothing
    "national": frozenset({"national"}),
}


@pytest.mark.parametrize("role", list(ASKING))
def test_each_role_gets_exactly_its_answers(role, demo_store, pages):
    db, _ = demo_store
    viewer = viewer_of(db, role)
    assert (viewer.roles if viewer else None) == EXPECTED_ROLES[role]
    client, access_log = app_for(db, viewer)
    before = len(list(access_log.entries()))
    got, want = {}, {}
    for path, what, area, qrl_on_case in pages:
        response = client.get("/" + path)
        got[path], want[path] = response.status_code, expected(role, what, area, qrl_on_case)
        if response.status_code == 302:
            assert response.headers["location"] == f"/login?next=/{path}"
        if response.status_code != 200:
            assert "C85" not in response.text  # a refusal shows no case reference
    assert got == want
    logged = [p for p, *_ in pages if got[p] != 302]
    rows = list(access_log.entries())[before:]
    assert [(r.path, r.outcome) for r in rows] == [("/" + p, got[p]) for p in logged]
    assert all(r.subject == viewer.subject for r in rows)


def test_a_case_page_shown_logs_its_case_and_area(demo_store, pages):
    db, _ = demo_store
    rows: list[dict] = []
    viewer = Viewer("subject-1", None, frozenset({"commissioner:QRL"}))
    app = build_app(
        load_config(db=db), open_store(db), sign_in=SignIn(lambda r: viewer, lambda r, w, **row: rows.append(row))
    )
    path = next(p for p, what, area, qrl in pages if what == "case" and qrl and "/cases/" in p)
    assert TestClient(app).get("/" + path).status_code == 200
    (row,) = rows
    assert row["area"] == "850" and row["outcome"] == 200 and len(row["case_refs"]) == 1
    assert path == case_path("850", row["case_refs"][0])


def test_an_area_user_sees_benchmarks_as_figures_never_other_areas_names(demo_store):
    db, _ = demo_store
    for code in AREAS:
        viewer = Viewer("s", None, frozenset({f"area:{code}"}))
        app = build_app(load_config(db=db), open_store(db), sign_in=SignIn(lambda r, v=viewer: v, lambda *a, **k: None))
        client = TestClient(app)
        for page in ("index.html", "report.html"):
            text = client.get("/" + area_path(code) + page).text
            assert "England" in text or page == "report.html"
            for other in AREAS:
                if other != code:
                    assert f"Area {other}" not in text and f"areas/{other}/" not in text
