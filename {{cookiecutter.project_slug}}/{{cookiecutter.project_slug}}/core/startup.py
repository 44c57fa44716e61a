"""How every entry point refuses a bad setting: one line naming the variable on
stderr, exit status 3, no traceback.

The web app (uvicorn, gunicorn), the workers and the management commands all
read the settings through `settings_or_exit()` or `refuse_bad_settings()`; they
pass the project's whole `features.Settings`, so that every variable is checked.
"""

import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from .settings import ServiceSettings, SettingsError, read_settings

S = TypeVar("S", bound=ServiceSettings)

# gunicorn's arbiter and uvicorn's --workers supervisor both read 3 as "failed to
# boot" and stop, instead of restarting the worker forever.
STARTUP_FAILURE = 3


@contextmanager
def refuse_bad_settings() -> Iterator[None]:
    """Turn a `SettingsError` raised inside into one line and exit status 3."""
    try:
        yield
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr, flush=True)
        _stop_uvicorn_reloader()
        raise SystemExit(STARTUP_FAILURE) from None


def settings_or_exit(settings_class: type[S]) -> S:
    """The settings, for entry points: a bad value ends the process in one line."""
    with refuse_bad_settings():
        return read_settings(settings_class)


def _stop_uvicorn_reloader() -> None:
    """Stop `uvicorn --reload` as well: it would wait for a code change, which cannot
    fix a variable, holding the port while serving nothing."""
    # The app runs in a child spawned by the reloader, with the reloader's argv.
    reloader = multiprocessing.parent_process()
    if reloader is None or "uvicorn" not in sys.argv[0] or "--reload" not in sys.argv:
        return
    # Only the reloader itself: if it is gone, the parent is whoever adopted us.
    if os.getppid() == reloader.pid:
        os.kill(reloader.pid, signal.SIGTERM)
