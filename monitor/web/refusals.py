"""The pages that refuse: 403 (no role, or the national page without the national role),
404 (no such page, or another body's: the same answer for both) and 503 (the access log
could not be written). They show no data and say what to do."""

from __future__ import annotations

from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – SEND extended appeals monitor</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<header role="banner"><div class="header"><div class="width-container header__inner">
<a href="/" class="header__service">SEND extended appeals monitor</a>
<a href="/logout" class="header__meta">Sign out</a>
</div></div></header>
<div class="width-container"><main class="main" id="main-content">
<h1>{title}</h1>
{body}
</main></div>
</body>
</html>
"""
HEADERS = {"Cache-Control": "private, no-store"}


class Refusals:
    """The refusal pages, with whom to ask for access (`contact`: an e-mail address, or none)."""

    def __init__(self, contact: str = ""):
        if contact:
            self.ask = Markup('<a href="mailto:{0}">{0}</a>').format(contact)
        else:
            self.ask = Markup("the person who runs send-monitor for your organisation")

    def _page(self, status: int, title: str, body: Markup) -> HTMLResponse:
        return HTMLResponse(_PAGE.format(title=escape(title), body=body), status_code=status, headers=HEADERS)

    def forbidden(self, no_role: bool = False) -> HTMLResponse:
        if no_role:
            return self._page(
                403,
                "You have no access yet",
                Markup("<p>You are signed in, but no role is in force for you, so no findings are shown.</p>")
                + Markup("<p>To see your area's or organisation's pages, ask {} to grant you a role.</p>").format(
                    self.ask
                ),
            )
        return self._page(
            403,
            "This page is for national users",
            Markup("<p>The national overview and its downloads are for people with the national role.</p>")
            + Markup('<p><a href="/">Go to your own pages</a>, or ask {} for the national role.</p>').format(self.ask),
        )

    def not_found(self) -> HTMLResponse:
        return self._page(
            404,
            "Page not found",
            Markup('<p>There is no page at this address that you can see. <a href="/">Go to your own pages</a>.</p>'),
        )

    def unavailable(self) -> HTMLResponse:
        return self._page(
            503,
            "Sorry, the service is unavailable",
            Markup("<p>The record of who looked at what could not be written, so no page is shown. Try again in a")
            + Markup(" few minutes; if it goes on, tell {}.</p>").format(self.ask),
        )

    def not_ready(self) -> HTMLResponse:
        return self._page(
            503,
            "No findings yet",
            Markup("<p>No check has run on this store yet, so there is nothing to show. The pages appear once the")
            + Markup(" first check ends; if this goes on, tell {}.</p>").format(self.ask),
        )

    def page_unavailable(self) -> HTMLResponse:
        return self._page(
            503,
            "Sorry, this page cannot be shown just now",
            Markup("<p>It could not be made (the store of findings did not answer, or a report did not print).")
            + Markup(" Try again in a few minutes; if it goes on, tell")
            + Markup(" {}.</p>").format(self.ask),
        )
