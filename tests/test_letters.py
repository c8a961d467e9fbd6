"""The Letters and Local Offer section's data, from the demo's documents."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import SAMPLE, cli

from monitor.letters import letters_section
from monitor.store import open_store

AS_OF = date(2020, 6, 30)


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    db = f"sqlite:///{tmp_path_factory.mktemp('letters') / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    assert cli("check", "--as-of", AS_OF.isoformat(), db=db).exit_code == 0
    engine = open_store(db)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def test_templates_in_use_by_date_what_each_lacks_and_how_many_letters(conn):
    section = letters_section(conn, "852", AS_OF)
    assert [(t.template_id, t.status) for t in section.templates] == [
        ("REFUSE-v2", None),  # last used before the trial: no finding
        ("EHCP-FINAL-v7", "met"),
        ("REFUSE-v3", "breached"),
    ]
    refuse = section.templates[2]
    assert refuse.reason == "letter template REFUSE-v3 lacks: health-and-social-care, advice, mediation"
    assert refuse.decision_types == "refuse_plan"
    assert all(t.decisions > 0 for t in section.templates)
    assert section.local_offer is None
    assert section.unmatched > 0  # e.g. refusals to assess: no template for them


def test_local_offer_only(conn):
    section = letters_section(conn, "851", AS_OF)
    assert section.templates == () and section.unmatched == 0
    assert section.local_offer.status == "breached"
    assert section.local_offer.reason == "the Local Offer lacks: how-to-ask"
    assert section.local_offer.pages == (("LO-851-1", "https://localoffer.example.org/appeals"),)


def test_an_area_without_documents_has_no_section(conn):
    assert letters_section(conn, "850", date(2020, 4, 30)) is None  # its page was saved on 1 May 2020
    assert letters_section(conn, "850", AS_OF).local_offer.status == "met"
