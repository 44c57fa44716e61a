"""What only the Django glue does: host validation and form bodies."""

import httpx2

from .conftest import CapturingTransport


def test_disallowed_host_is_not_reported(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    response = client.get("/health", headers={"Host": "evil.example.com"})
    assert response.status_code == 400
    assert transport.events == []


def test_form_bodies_of_failing_requests_are_scrubbed(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    response = client.post(
        "/api/v1/test/error",
        data={
            "error_type": "exception",
            "message": "for leak.me@example.com",
            "password": "hunter2-form",
        },
    )
    assert response.status_code == 500
    (event,) = transport.events
    assert event["request"]["data"]
    text = repr(event)
    assert "hunter2-form" not in text
    assert "leak.me@example.com" not in text
