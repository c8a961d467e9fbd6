"""SMTP transport only: one connection, one message at a time, and what the server said.

Each send ends in one of four outcomes:

- ``sent``         the server accepted the message (250 after the data).
- ``temporary``    a 4xx reply, a timeout or a dropped connection *before the end of the
                   message data was sent*: the server cannot have accepted it; try again later.
- ``permanent``    a 5xx reply to the sender, the recipient or the data: do not retry.
- ``unconfirmed``  the whole message was sent but the server's reply never came (a timeout
                   or a dropped connection while waiting for it): it may have been delivered.

A broken connection is closed and the next send opens a new one. The session is encrypted
with STARTTLS (`starttls`) or from the start (`ssl`); the configuration refuses a login
without either unless `allow_plain_auth` says so.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

from monitor.config import SmtpConfig

_NETWORK = (OSError, socket.timeout, smtplib.SMTPServerDisconnected)


@dataclass(frozen=True)
class Outcome:
    status: str  # sent, temporary, permanent, unconfirmed
    code: int | None = None
    error: str | None = None


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}"[:300]


def _network(exc: BaseException) -> str:
    if isinstance(exc, (socket.timeout, TimeoutError)) or "timed out" in str(exc):
        return "timed out waiting for the server"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    return f"{type(exc).__name__}: {exc}"[:300]


class SmtpTransport:
    """One SMTP session, opened on the first send and re-opened after a broken connection."""

    def __init__(self, config: SmtpConfig):
        self.config = config
        self.server: smtplib.SMTP | None = None

    def connect(self) -> Outcome | None:
        """Open the session (None on success, else why not: always `temporary`)."""
        c = self.config
        try:
            if c.ssl:
                self.server = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=ssl.create_default_context())
            else:
                self.server = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            self.server.ehlo()
            if c.starttls:
                self.server.starttls(context=ssl.create_default_context())
                self.server.ehlo()
            if c.username:
                self.server.login(c.username, c.password.get_secret_value())
        except smtplib.SMTPResponseException as exc:
            self.close()
            return Outcome(
                "temporary",
                exc.smtp_code,
                f"the SMTP server {c.host}:{c.port} refused the session: {_reply(exc.smtp_code, exc.smtp_error)}",
            )
        except (*_NETWORK, smtplib.SMTPException) as exc:
            self.close()
            return Outcome("temporary", None, f"cannot use the SMTP server {c.host}:{c.port}: {_network(exc)}")
        return None

    def send(self, message: EmailMessage, sender: str, recipient: str) -> Outcome:
        if self.server is None:
            failed = self.connect()
            if failed:
                return failed
        server = self.server
        assert server is not None  # connect() succeeded
        stage = "before"
        try:
            for command in (lambda: server.mail(sender), lambda: server.rcpt(recipient)):
                code, reply = command()
                if code != 250 and code != 251:
                    return self._refused(code, reply)
            server.putcmd("data")
            code, reply = server.getreply()
            if code != 354:
                return self._refused(code, reply)
            data = re.sub(rb"(?m)^\.", b"..", message.as_bytes(policy=SMTP_POLICY))
            if not data.endswith(b"\r\n"):
                data += b"\r\n"
            server.send(data + b".\r\n")
            stage = "after"
            code, reply = server.getreply()
        except ValueError as exc:  # an address smtplib will not put on the wire
            return Outcome("permanent", None, f"unusable address: {type(exc).__name__}")
        except _NETWORK as exc:
            self.close()
            if stage == "after":
                return Outcome("unconfirmed", None, f"no reply after the message was sent: {_network(exc)}")
            return Outcome("temporary", None, _network(exc))
        if code == 250:
            return Outcome("sent", code)
        return self._refused(code, reply, after_data=True)

    def _refused(self, code: int, reply: bytes, after_data: bool = False) -> Outcome:
        """A reply other than success: 5xx permanent, anything else temporary; the session is reset."""
        if code == -1 or code == 421:  # the server is closing the connection
            self.close()
        elif not after_data:
            assert self.server is not None  # called within a session
            try:
                self.server.rset()
            except _NETWORK:
                self.close()
        return Outcome("permanent" if 500 <= code < 600 else "temporary", code, _reply(code, reply))

    def close(self) -> None:
        if self.server is None:
            return
        try:
            self.server.quit()
        except (*_NETWORK, smtplib.SMTPException):
            try:
                self.server.close()
            except OSError:
                pass
        self.server = None
