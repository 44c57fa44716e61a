"""What the alert tests share: the issues link, a failure holding secrets that no
alert may carry, and a free port on 127.0.0.1 for the stand-in servers."""

import socket

ISSUES_URL = "https://sentry.example/organizations/acme/issues/"
# What the failing code had in hand: no alert may carry any of it.
SECRETS = ("4111 1111 1111 1111", "jane@example.com", "hunter2")


def failure() -> ValueError:
    """An error whose message holds every one of `SECRETS`."""
    return ValueError(
        f"card {SECRETS[0]} of {SECRETS[1]} declined, password {SECRETS[2]}"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
