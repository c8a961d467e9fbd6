"""Debian's Chromium signs in on the provider's own login page, and signs out of both."""

from __future__ import annotations

import pytest


@pytest.fixture
def page(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser.new_context().new_page()
        finally:
            browser.close()


def test_chromium_signs_in_at_the_provider_and_out_of_both(site, page):
    page.goto(f"{site.base_url}case/R-1")
    assert page.url.startswith(site.provider.issuer)  # the provider's own login page
    page.fill("input[name=login]", "lead850")
    page.fill("input[name=password]", "any password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.base_url}case/R-1")
    assert page.text_content("body") == "case R-1"

    page.goto(f"{site.base_url}logout")
    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"{site.provider.issuer}/**")  # the provider asks to end its own session
    page.click("button:has-text('Yes, sign me out')")
    page.wait_for_url(f"{site.base_url}signed-out*")
    assert page.text_content("h1") == "You have signed out"

    page.goto(f"{site.base_url}case/R-1")  # signed out of both: the provider asks again
    assert page.url.startswith(site.provider.issuer)
    assert page.locator("input[name=login]").count() == 1


def _violations(page) -> list:
    """axe-core's findings on the page (every impact level), as (rule, first nodes)."""
    from axe_playwright_python.sync_playwright import Axe

    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in Axe().run(page).response["violations"]]


def test_the_sign_in_pages_pass_axe_and_break_no_content_security_rule(site, page):
    refused: list[str] = []  # what the Content-Security-Policy refused
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
    page.goto(f"{site.base_url}case/R-1")
    page.fill("input[name=login]", "norole")
    page.fill("input[name=password]", "any password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.base_url}case/R-1")
    assert page.text_content("h1") == "You do not have access to the dashboards"
    for path in ("case/R-1", "logout", "signed-out"):
        page.goto(f"{site.base_url}{path}")
        assert not refused, refused
        assert not _violations(page), path
