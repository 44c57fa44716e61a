"""A quiet, honest log of the SDK's sending.

- `OutageReportingTransport`, the SDK's HTTP transport, logs one warning when Sentry
  stops answering (a network error or a 5xx) and one line when it answers again,
  instead of a line per lost event. It sends apart from the request or job that
  happened to start its thread: Sentry's own requests are no span, breadcrumb or
  log line of theirs.
- `TRANSPORT_OPTIONS`: the transport above, and gzip at level 1 instead of the SDK's 9
  (a 70 KB error event: 0.2 ms instead of 1.5 ms of CPU, for a few KB more on the wire).
- `install_log_filters()`: urllib3's "Retrying ... /envelope/" warnings (three per
  event while Sentry is unreachable) are dropped, since the outage is reported above;
  with SENTRY_DEBUG on, each SDK debug line is printed once, by the SDK's own handler,
  not again by the root logger's.
"""

import contextvars
import logging
import threading
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import sentry_sdk
import urllib3
from sentry_sdk.consts import EndpointType
from sentry_sdk.integrations.logging import ignore_logger
from sentry_sdk.transport import HttpTransport

logger = logging.getLogger(__name__)

SDK_LOGGER = "sentry_sdk.errors"
URLLIB3_LOGGER = "urllib3.connectionpool"
# Sentry's ingestion path: /api/<project>/envelope/.
ENVELOPE_PATH_END = "/envelope/"


class Outage:
    """Whether Sentry is answering, as the transport last saw it; reports changes.

    `failed(reason)` logs a warning on the first failure of an outage only;
    `answered()` logs once that Sentry answers again, with the count of failures.
    """

    def __init__(self, where: str) -> None:
        self.where = where
        self.failures = 0
        self._lock = threading.Lock()

    def failed(self, reason: str) -> None:
        with self._lock:
            self.failures += 1
            first = self.failures == 1
        if first:
            logger.warning(
                "Sentry is unreachable at %s (%s): events are lost until it answers "
                "again (reported once per outage)",
                self.where,
                reason,
            )

    def answered(self) -> None:
        with self._lock:
            failures, self.failures = self.failures, 0
        if failures:
            logger.warning(
                "Sentry answers again at %s (%d sends failed meanwhile)",
                self.where,
                failures,
            )


class OutageReportingTransport(HttpTransport):
    """The SDK's HTTP transport, reporting each outage once (see `Outage`)."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        dsn = self.parsed_dsn
        where = f"{dsn.scheme}://{dsn.host}" if dsn is not None else "?"
        self.outage = Outage(where)

    def _request(
        self,
        method: str,
        endpoint_type: EndpointType,
        body: Any,
        headers: Mapping[str, str],
    ) -> urllib3.BaseHTTPResponse:
        # The sending thread starts inside whichever request or job sends first, and
        # the threading integration hands it that context (Sentry's scope, the log
        # fields) for good; the SDK skips its own requests only when the DSN names no
        # port (a local tracker's often does). So each send runs in a context of its
        # own.
        send = partial(super()._request, method, endpoint_type, body, headers)
        return contextvars.Context().run(self._send_apart, send)

    def _send_apart(
        self, send: Callable[[], urllib3.BaseHTTPResponse]
    ) -> urllib3.BaseHTTPResponse:
        """`send()` in an isolation scope of its own (its breadcrumbs go nowhere),
        each outage reported once."""
        with sentry_sdk.isolation_scope():
            try:
                response = send()
            except Exception as error:
                self.outage.failed(type(error).__name__)
                raise
        if response.status >= 500:
            self.outage.failed(f"HTTP {response.status}")
        else:
            self.outage.answered()
        return response


TRANSPORT_OPTIONS: dict[str, Any] = {
    "transport": OutageReportingTransport,
    "_experiments": {"transport_compression_level": 1},
}


class RetryWarningFilter(logging.Filter):
    """On urllib3's pool logger: drops its retry warnings for Sentry envelopes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Retrying"):
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        return not (args and str(args[-1]).endswith(ENVELOPE_PATH_END))


_RETRY_FILTER = RetryWarningFilter()


def install_log_filters() -> None:
    """See the module docstring; safe to call more than once."""
    logging.getLogger(URLLIB3_LOGGER).addFilter(_RETRY_FILTER)
    # The outage lines come from the transport's thread: never Sentry events.
    ignore_logger(__name__)
    # The SDK prints its own lines (when SENTRY_DEBUG is on) with its own handler.
    logging.getLogger(SDK_LOGGER).propagate = False
