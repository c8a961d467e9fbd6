"""The pages of signing in and out, and of refusals that come before any data: in words for
people, with what to do next. None of them shows a record."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse

ASK_DEFAULT = "the person who runs send-monitor in your organisation"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("monitor.web", "templates/auth"),
        autoescape=select_autoescape(default=True),
    )


def page(
    title: str,
    *paragraphs: str,
    status: int = 200,
    form: dict | None = None,
    link: dict | None = None,
) -> HTMLResponse:
    html = _environment().get_template("page.html").render(title=title, paragraphs=paragraphs, form=form, link=link)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _ask(admin_email: str) -> str:
    return f"the send-monitor administrator ({admin_email})" if admin_email else ASK_DEFAULT


def no_role(*, subject: str, email: str | None, admin_email: str, csrf_token: str) -> HTMLResponse:
    """403: signed in, but no role (or only grants that have ended)."""
    who = f"{email} (sign-in identifier {subject})" if email else f"sign-in identifier {subject}"
    return page(
        "You do not have access to the dashboards",
        f"You are signed in as {who}, but you have no role in send-monitor, or the access you had has ended.",
        f"Ask {_ask(admin_email)} to give you access for your area or organisation. "
        "Give them the e-mail address or sign-in identifier above.",
        status=403,
        form={"action": "/logout", "csrf_token": csrf_token, "label": "Sign out"},
    )


def sign_in_failed(reason: str, *, status: int = 400) -> HTMLResponse:
    return page(
        "Sign-in did not work",
        reason,
        status=status,
        link={"href": "/login", "label": "Sign in again"},
    )


def sign_out_form(csrf_token: str) -> HTMLResponse:
    return page(
        "Sign out",
        "Sign out of send-monitor and of your organisation's sign-in service on this browser.",
        form={"action": "/logout", "csrf_token": csrf_token, "label": "Sign out"},
    )


def signed_out() -> HTMLResponse:
    return page(
        "You have signed out",
        "Close the browser if others use this computer.",
        link={"href": "/login", "label": "Sign in again"},
    )


def form_refused() -> HTMLResponse:
    """403: a POST without this session's CSRF token, or from another site."""
    return page(
        "This form could not be accepted",
        "It has expired or did not come from send-monitor. Go back, reload the page and try again.",
        status=403,
    )


def unavailable(admin_email: str) -> HTMLResponse:
    """503: who is signed in cannot be read (the store or the web database failed)."""
    return page(
        "The dashboards cannot be shown at the moment",
        "Send-monitor cannot read who is signed in just now.",
        f"Try again in a few minutes. If it keeps happening, tell {_ask(admin_email)}.",
        status=503,
    )


def log_unavailable(admin_email: str) -> HTMLResponse:
    """503: the access log cannot be written, so no page may be served."""
    return page(
        "This page cannot be shown at the moment",
        "Every page view is recorded, and the record cannot be written just now.",
        f"Try again in a few minutes. If it keeps happening, tell {_ask(admin_email)}.",
        status=503,
    )
