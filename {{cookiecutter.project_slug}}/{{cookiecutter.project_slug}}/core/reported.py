"""One event per error: a server's log record of an error Sentry already reported
builds no second event.

After the framework's integration has reported an unhandled error, the server logs it as
well: uvicorn's "Exception in ASGI application" (logger `uvicorn.error`), gunicorn's
"Error handling request" (`gunicorn.error`). The SDK's logging integration would build a
second event from that record, frames, variables and all, and only then drop it as a
duplicate (an `event_processor` discard in the client reports). So `before_send` marks
each exception it sees (`mark_reported`), and `ReportedErrorFilter`, on the loggers of
`SERVER_ERROR_LOGGERS`, passes a record of a marked exception on under
`<logger>.reported`, a child logger whose records reach the same handlers (the console
keeps its traceback) but which Sentry ignores. Records of errors never reported (a
failing start-up or lifespan) stay as they are and still become events.
"""

import logging
from contextlib import suppress

from sentry_sdk.integrations.logging import ignore_logger
from sentry_sdk.types import Hint

# Where servers log an error the framework's integration has already reported.
SERVER_ERROR_LOGGERS = ("uvicorn.error", "gunicorn.error")
REPORTED_SUFFIX = ".reported"
_MARK = "__sentry_reported__"


def mark_reported(hint: Hint) -> None:
    """Remember that the exception of `hint["exc_info"]` (if any) has an event."""
    exc_info = hint.get("exc_info")
    error = exc_info[1] if exc_info else None
    if isinstance(error, BaseException):
        # An exception type without attributes stays unmarked.
        with suppress(AttributeError):
            setattr(error, _MARK, True)


def was_reported(error: BaseException | None) -> bool:
    """Whether an event was built for `error` (see `mark_reported`)."""
    return error is not None and getattr(error, _MARK, False) is True


class ReportedErrorFilter(logging.Filter):
    """On a server's error logger: a record of a reported error is handed on to the
    `.reported` child logger (same handlers, no Sentry event) and not handled here."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not was_reported(error) or record.name.endswith(REPORTED_SUFFIX):
            return True
        record.name += REPORTED_SUFFIX
        logging.getLogger(record.name).handle(record)
        return False


_FILTER = ReportedErrorFilter()


def install() -> None:
    """Put the filter on every logger of SERVER_ERROR_LOGGERS (once) and have Sentry
    ignore their `.reported` children."""
    for name in SERVER_ERROR_LOGGERS:
        ignore_logger(name + REPORTED_SUFFIX)
        logging.getLogger(name).addFilter(_FILTER)
