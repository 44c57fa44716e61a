"""validate-sentry-setup: each check type, and a real envelope to a local server."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from {{ cookiecutter.project_slug }}.core import scrubber
from {{ cookiecutter.project_slug }}.core.validate import main


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.received.append(self.rfile.read(length))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"id": "ok"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[int, list[bytes]]]:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Receiver.received
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_config_fails_in_production_without_dsn(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--environment", "production", "--check-type", "config"]) == 1
    assert "SENTRY_DSN is not set" in capsys.readouterr().out


def test_config_only_warns_in_development() -> None:
    assert main(["--environment", "development", "--check-type", "config"]) == 0


def test_bad_setting_fails_with_its_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENTRY_SAMPLE_RATE", "2")
    assert main(["--check-type", "config"]) == 1
    assert "SENTRY_SAMPLE_RATE" in capsys.readouterr().out


def test_security_flags_unsafe_production_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENTRY_DSN", "http://public@127.0.0.1:9/1")
    monkeypatch.setenv("SENTRY_DEBUG", "true")
    assert main(["--environment", "production", "--check-type", "security"]) == 1
    out = capsys.readouterr().out
    assert "SENTRY_DEBUG is on in production" in out
    assert "does not use https" in out


def test_security_passes_with_safe_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_DSN", "https://public@sentry.example.com/1")
    assert main(["--environment", "production", "--check-type", "security"]) == 0


def test_connectivity_sends_a_real_envelope(
    monkeypatch: pytest.MonkeyPatch, receiver: tuple[int, list[bytes]]
) -> None:
    port, received = receiver
    monkeypatch.setenv("SENTRY_DSN", f"http://public@127.0.0.1:{port}/1")
    assert main(["--check-type", "connectivity"]) == 0
    (body,) = received
    assert b"validate-sentry-setup connectivity check" in body


def test_connectivity_fails_on_a_closed_port(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENTRY_DSN", f"http://public@127.0.0.1:{_closed_port()}/1")
    assert main(["--check-type", "connectivity"]) == 1
    assert "could not reach Sentry" in capsys.readouterr().out


def test_performance_reports_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check-type", "performance", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "scrubbing a typical event takes" in out
    assert "transport queue holds" in out


def test_security_runs_the_shared_cases_through_the_installed_before_send(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENTRY_PII_MODE", "strict")
    assert main(["--check-type", "security", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "the installed before_send passes all" in out
    assert "(strict)" in out


def test_security_fails_when_a_shared_case_leaks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A project that emptied its key list: the key cases leak.
    monkeypatch.setattr(scrubber, "SENSITIVE_KEYS", [])
    assert main(["--check-type", "security"]) == 1
    out = capsys.readouterr().out
    assert "shared cases leak" in out
    assert "'login failed: password=hunter2 user=bob' sent as" in out
