"""One check of an e-mail address, used at import, in the configuration and before sending.

`email-validator` decides, without looking anything up in the DNS: one plain address in
ASCII, no display name, list, quoted part, IP literal or reserved domain (`.test`,
`.invalid`, `localhost`).
"""

from __future__ import annotations


def check_address(text: str) -> str:
    """`text` itself when it is one usable address; otherwise ValueError saying why (for
    "not one e-mail address (…)")."""
    from email_validator import EmailNotValidError, validate_email  # imported on first use: start-up stays quick

    if not text.isascii() or not text.isprintable():
        raise ValueError("write it in plain ASCII letters, e.g. send-team@example.org")
    try:
        validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        reason = str(exc).rstrip(".")
        raise ValueError(reason[:1].lower() + reason[1:]) from None
    return text


def valid_address(text: str | None) -> bool:
    """Whether `text` is one usable address (see `check_address`)."""
    if not text:
        return False
    try:
        check_address(text)
    except ValueError:
        return False
    return True
