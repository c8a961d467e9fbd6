"""One e-mail check for the whole program: what it accepts and what it refuses, with why."""

from __future__ import annotations

import pytest

from monitor.addresses import check_address, valid_address


def test_a_plain_address_is_kept_as_written():
    assert check_address("Send-Team@Area850.example.org") == "Send-Team@Area850.example.org"
    assert valid_address("send-team@area850.example.org")


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("user@-example.org", "hyphen immediately after the @-sign"),
        ("a@b.org\nBcc: x@y.org", "plain ASCII letters"),
        ("a@b.org, c@d.org", "invalid characters"),
        ("Name <a@b.org>", "display name"),
        ("a b@c.org", "invalid characters"),
        ("nobody", "must have an @-sign"),
        ("a@b.org\r", "plain ASCII letters"),
        ("a@\tb.org", "plain ASCII letters"),
        ("a..b@example.org", "two periods in a row"),
        ("someone@localhost", "should have a period"),
        ("someone@mail.invalid", "special-use or reserved name"),
        ("zoë@example.org", "plain ASCII letters"),
    ],
)
def test_an_unusable_address_is_refused_saying_why(bad, why):
    with pytest.raises(ValueError, match=why):
        check_address(bad)
    assert not valid_address(bad)


@pytest.mark.parametrize("nothing", ["", None])
def test_no_address_is_not_valid(nothing):
    assert not valid_address(nothing)
