"""SMTP: a login only over TLS (STARTTLS or SMTPS) unless the configuration allows it in clear,
and SMTPS speaks TLS from the first byte."""

from __future__ import annotations

import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from conftest import SAMPLE
from test_alerts import ok, write_config

from benchmarks.pgserver import free_port
from monitor.alerts.smtp import SmtpTransport
from monitor.config import SmtpConfig


def test_a_login_without_tls_is_refused_unless_allowed(sqlite_url, smtp, tmp_path):
    config = write_config(tmp_path, sqlite_url, smtp.port, smtp={"username": "monitor"})
    refused = ok("alerts", "--dry-run", config=config, code=1)
    assert refused.stderr.count("\n") == 1
    assert '[smtp] username = "monitor": logging in without TLS sends the password in clear' in refused.stderr
    both = write_config(tmp_path, sqlite_url, smtp.port, smtp={"starttls": True, "ssl": True})
    assert "choose one: starttls = true (port 587) or ssl = true (port 465)" in ok("check", config=both, code=1).stderr
    allowed = write_config(tmp_path, sqlite_url, smtp.port, smtp={"username": "monitor", "allow_plain_auth": True})
    ok("import", SAMPLE, config=allowed)


@pytest.fixture
def smtps(tmp_path):
    """An SMTPS server (TLS from the first byte) with a self-signed certificate."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    class Accept:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    port = free_port()
    controller = Controller(Accept(), hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def test_smtps_speaks_tls_from_the_first_byte_and_checks_the_certificate(smtps):
    """A plain client gets no greeting from an SMTPS port; with ssl = true the TLS handshake
    happens first, and a certificate nobody vouches for is refused before any login."""
    plain = SmtpTransport(SmtpConfig(host="127.0.0.1", port=smtps, timeout=2))
    assert plain.connect().status == "temporary"
    tls = SmtpTransport(
        SmtpConfig(host="127.0.0.1", port=smtps, ssl=True, username="monitor", timeout=5, **{"from": "m@example.org"})
    )
    refused = tls.connect()
    assert refused is not None and "CERTIFICATE_VERIFY_FAILED" in refused.error
