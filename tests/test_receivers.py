"""The local HTTP receivers the tests and benchmarks send envelopes to answer at once.

An answer written in pieces (status line and headers, then the body) on a kept-alive
connection waits for the client's delayed ACK, about 40 ms on Linux: a receiver with
that fault takes in some 25 envelopes a second whatever the load, and the benchmark's
burst figures measure the receiver instead of the service. Each receiver here answers
100 small envelopes, one after the other, in well under what 100 delayed ACKs take
(4 s): a loose bound, a behaviour check rather than a benchmark.
"""

from __future__ import annotations

import http.client
import importlib.util
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest

from benchmarks._servers import Sink
from tests.e2e.recorder import Recorder
from tests.helpers.baking import Bake

REQUESTS = 100
# 100 delayed ACKs take 4 s; an answer in one write takes well under 1 ms.
LOOSE_BOUND_SECONDS = 2.0
ENVELOPE = b'{}\n{"type":"event","length":2}\n{}\n'


def sequential_round_trips(port: int, path: str) -> float:
    """Seconds for REQUESTS envelopes posted one after the other over one client
    connection (kept alive when the server allows it, reopened when it closes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    started = time.perf_counter()
    try:
        for _ in range(REQUESTS):
            connection.request(
                "POST",
                path,
                body=ENVELOPE,
                headers={"Content-Type": "application/x-sentry-envelope"},
            )
            response = connection.getresponse()
            response.read()
            assert response.status == 200
    finally:
        connection.close()
    return time.perf_counter() - started


@contextmanager
def benchmark_sink() -> Iterator[int]:
    with Sink() as sink:
        yield sink.port


@contextmanager
def envelope_recorder() -> Iterator[int]:
    with Recorder() as recorder:
        yield recorder.port


RECEIVERS: dict[str, Callable[[], Any]] = {
    "benchmark sink": benchmark_sink,
    "e2e recorder": envelope_recorder,
}


@pytest.mark.parametrize("receiver", RECEIVERS)
def test_receiver_answers_without_waiting_for_an_ack(receiver: str) -> None:
    with RECEIVERS[receiver]() as port:
        seconds = sequential_round_trips(port, "/api/1/envelope/")
    assert seconds < LOOSE_BOUND_SECONDS, (
        f"{receiver}: {REQUESTS} envelopes took {seconds:.2f} s"
    )


def _load_module(bake: Bake, relative: str) -> ModuleType:
    path = bake.path() / relative
    spec = importlib.util.spec_from_file_location("generated_receiver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_envelope_receiver_answers_without_waiting_for_an_ack(
    bake: Callable[..., Bake],
) -> None:
    """The worker tests' receiver (tests/envelope_receiver.py of a worker bake)."""
    module = _load_module(bake(worker="arq"), "tests/envelope_receiver.py")
    server = module.EnvelopeReceiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        seconds = sequential_round_trips(server.server_address[1], "/api/1/envelope/")
    finally:
        server.shutdown()
        server.server_close()
    assert seconds < LOOSE_BOUND_SECONDS, f"{REQUESTS} envelopes took {seconds:.2f} s"
    assert len(server.items) == REQUESTS
