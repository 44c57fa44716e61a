"""Which SDK integrations run: only those the service uses (a lower floor).

`init_sentry` turns the SDK's defaults and its auto-enabling off
(`LEAN_OPTIONS`) and enables `base_integrations()` plus what each feature lists (the
framework's, the database's, the worker's and its queue's). Left out, because the README
promises nothing from them and each costs on every request or event: release-health
sessions (a session started and ended around each request), the list of installed
packages and the process's argv on every event, and the integrations the SDK would
enable only because a package happens to be installed (httpx in the dev tools, ...).
The measured effect is in benchmarks/BENCHMARKS.md.
"""

from typing import Any

from sentry_sdk.integrations import Integration
from sentry_sdk.integrations.atexit import AtexitIntegration
from sentry_sdk.integrations.dedupe import DedupeIntegration
from sentry_sdk.integrations.excepthook import ExcepthookIntegration
from sentry_sdk.integrations.stdlib import StdlibIntegration
from sentry_sdk.integrations.threading import ThreadingIntegration

LEAN_OPTIONS: dict[str, Any] = {
    "default_integrations": False,
    "auto_session_tracking": False,
}


def base_integrations() -> list[Integration]:
    """What every process keeps of the SDK's defaults (logging is set up by
    `init_sentry` itself): duplicate events dropped, uncaught errors of scripts
    reported, events flushed at exit, outgoing HTTP and subprocess spans and
    breadcrumbs, the request's scope in the threads it starts."""
    return [
        DedupeIntegration(),
        ExcepthookIntegration(),
        AtexitIntegration(),
        StdlibIntegration(),
        ThreadingIntegration(),
    ]
