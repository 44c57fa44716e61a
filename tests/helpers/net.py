"""Small networking helpers shared by the template's tests."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_http(
    url: str, timeout: float, *, alive: Callable[[], bool] | None = None
) -> int:
    """Poll ``url`` until it answers with any HTTP status; return that status.

    ``alive`` (optional) is called between attempts; when it returns False the
    wait stops early (the server process died).
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError(f"server died before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except (OSError, urllib.error.URLError) as error:
            last_error = error
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s: {last_error}")
