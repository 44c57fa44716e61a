"""The envelope recorder itself (no Bugsink needed): parsing and a real SDK client."""

from __future__ import annotations

import gzip
import json
import zlib

import sentry_sdk

from tests.e2e.recorder import Recorder, decompress, parse_envelope


def test_parse_envelope_with_and_without_lengths() -> None:
    binary = b"\x00\x01\n\x02 binary with a newline"
    body = b"\n".join(
        [
            json.dumps({"event_id": "abc", "sent_at": "2024-01-01T00:00:00Z"}).encode(),
            json.dumps({"type": "event", "length": 15}).encode(),
            b'{"message":"x"}',
            json.dumps({"type": "attachment", "length": len(binary)}).encode(),
            binary,
            json.dumps({"type": "session"}).encode(),
            b'{"status":"ok"}',
        ]
    )
    header, items = parse_envelope(body)
    assert header["event_id"] == "abc"
    assert [item.type for item in items] == ["event", "attachment", "session"]
    assert items[0].payload == {"message": "x"}
    assert items[1].raw == binary and items[1].payload is None
    assert items[2].payload == {"status": "ok"}


def test_decompress() -> None:
    data = b"hello envelope"
    assert decompress(gzip.compress(data), "gzip") == data
    assert decompress(zlib.compress(data), "deflate") == data
    assert decompress(data, "") == data


def test_records_what_a_real_sdk_client_sends() -> None:
    with Recorder() as recorder:
        dsn = recorder.dsn_for("http://publickey@example.invalid:9/42")
        assert dsn == f"http://publickey@127.0.0.1:{recorder.port}/42"
        client = sentry_sdk.Client(dsn=dsn, default_integrations=False)
        try:
            client.capture_event({"message": "recorded", "level": "error"})
            client.flush(timeout=5)
        finally:
            client.close(timeout=5)
        events = recorder.wait_for(lambda item: True, timeout=5, item_type="event")
    assert not recorder.errors, recorder.errors
    assert events and events[0].payload["message"] == "recorded"
    assert recorder.envelopes[0].path == "/api/42/envelope/"
    assert recorder.envelopes[0].upstream_status == 200
