"""Roles granted in the store: who a grant names, its end date, and a person's roles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from monitor.store import open_store
from monitor.web.grants import GrantError, Person, current_grants, grant, granted_roles, revoke
from tests.web.conftest import seed_codes
from tests.web.oidc_provider import sign_in

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url):
    seed_codes(db_url)
    engine = open_store(db_url)
    yield engine
    engine.dispose()


def _grant(store, person: str, role: str, until: date | None = None) -> str:
    with store.begin() as conn:
        return grant(conn, Person.parse(person), role, until, today=TODAY, by="admin", now=NOW)


def _roles(store, subject, email=None, verified=False, today=TODAY):
    with store.connect() as conn:
        return granted_roles(conn, subject, email, verified, today)


def test_a_grant_by_subject_gives_its_role(store):
    assert _grant(store, "lead-sub", "area:850") == "lead-sub now has area 850 with no end date"
    assert _roles(store, "lead-sub") == {"area:850"}
    assert _roles(store, "someone-else") == set()


def test_a_grant_by_e_mail_counts_only_when_the_address_is_verified(store):
    _grant(store, "Lead@Example.org", "area:851")
    assert _roles(store, "any-sub", "lead@example.org", verified=True) == {"area:851"}
    assert _roles(store, "any-sub", "LEAD@example.org", verified=True) == {"area:851"}
    assert _roles(store, "any-sub", "lead@example.org", verified=False) == set()
    assert _roles(store, "lead@example.org") == set()  # a subject is not an e-mail address


def test_a_grant_ends_after_its_last_day(store):
    _grant(store, "inspector-sub", "inspector:850", until=date(2027, 1, 31))
    assert _roles(store, "inspector-sub", today=date(2027, 1, 31)) == {"inspector:850"}
    assert _roles(store, "inspector-sub", today=date(2027, 2, 1)) == set()


def test_an_inspector_grant_must_have_an_end_date(store):
    with pytest.raises(GrantError, match="an inspection role needs an end date"):
        _grant(store, "inspector-sub", "inspector:850")


@pytest.mark.parametrize(
    "person, role, until, message",
    [
        ("x", "area:999", None, "the store has no area 999"),
        ("x", "commissioner:NOPE", None, "the store has no commissioner NOPE"),
        ("x", "admin", None, "'admin' is not a role"),
        ("x", "area:850", date(2026, 12, 6), "the end date 6 December 2026 has passed"),
        ("a@b", "area:850", None, "a@b is not an e-mail address"),
        ("  ", "area:850", None, "give the person's e-mail address or sign-in subject"),
    ],
)
def test_a_grant_that_cannot_work_is_refused_in_words(store, person, role, until, message):
    with pytest.raises(GrantError, match=message):
        _grant(store, person, role, until)
    with store.connect() as conn:
        assert current_grants(conn) == []


def test_granting_again_changes_the_end_date_and_revoking_keeps_the_row(store):
    _grant(store, "sub-1", "area:850", until=date(2027, 1, 1))
    assert _grant(store, "sub-1", "area:850", until=date(2027, 3, 1)) == "sub-1 keeps area 850, now until 1 March 2027"
    assert _grant(store, "sub-1", "area:850", until=date(2027, 3, 1)) == "sub-1 already has area 850 until 1 March 2027"
    with store.begin() as conn:
        assert revoke(conn, Person.parse("sub-1"), "area:850", by="admin", now=NOW) == "sub-1 no longer has area 850"
        assert current_grants(conn) == []
    assert _roles(store, "sub-1") == set()
    with store.begin() as conn, pytest.raises(GrantError, match="sub-1 has no grant of area 850"):
        revoke(conn, Person.parse("sub-1"), "area:850", by="admin", now=NOW)


# --- through sign-in --------------------------------------------------------------------------


def _grant_in(site, person: str, role: str, until: date | None = None) -> None:
    engine = open_store(site.cfg.database_url)
    with engine.begin() as conn:
        grant(conn, Person.parse(person), role, until, today=TODAY, by="admin", now=NOW)
    engine.dispose()


def test_a_person_with_no_role_gets_a_page_saying_so_and_whom_to_ask(site):
    with site.client() as client:
        response = sign_in(client, site.base_url, "norole", "/case/R-1")
    assert response.status_code == 403
    assert "You do not have access to the dashboards" in response.text
    assert "access@example.org" in response.text and "norole@example.org" in response.text
    assert "case R-1" not in response.text


def test_roles_are_the_tokens_and_the_stored_grants_together(site):
    _grant_in(site, "lead850", "commissioner:QRL")
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        assert client.get(site.base_url).text == "signed in as lead850; roles area:850 commissioner:QRL"


def test_an_e_mail_grant_needs_the_provider_to_have_verified_the_address(site):
    _grant_in(site, "granted@example.org", "area:851")
    with site.client() as client:
        sign_in(client, site.base_url, "granted")
        assert client.get(site.base_url).text == "signed in as granted; roles area:851"
    with site.client() as client:  # the same address, unverified
        assert sign_in(client, site.base_url, "unverified").status_code == 403


def test_an_inspectors_access_ends_with_the_last_day_of_the_grant_even_mid_session(site):
    _grant_in(site, "granted@example.org", "inspector:850", until=date(2026, 12, 7))
    site.clock.now = datetime(2026, 12, 7, 23, 50, tzinfo=UTC)  # 23:50 in London (GMT)
    with site.client() as client:
        sign_in(client, site.base_url, "granted")
        assert client.get(f"{site.base_url}case/R-1").status_code == 200
        site.clock.advance(minutes=20)
        assert client.get(f"{site.base_url}case/R-1").status_code == 403


def test_an_inspector_role_from_the_id_token_lasts_only_as_long_as_the_session(site):
    with site.client() as client:
        sign_in(client, site.base_url, "inspector")
        assert client.get(site.base_url).text == "signed in as inspector; roles inspector:850"
        site.clock.advance(minutes=31)
        assert client.get(site.base_url).status_code == 302
    engine = open_store(site.cfg.database_url)
    with engine.connect() as conn:
        assert current_grants(conn) == []  # nothing of the token's roles was kept
    engine.dispose()
