"""Helpers for tests that start real server processes on loopback."""

from __future__ import annotations

import socket
import time
import urllib.request


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_answers(url: str, *, tries: int = 150, what: str = "The server") -> None:
    """Poll ``url`` every 0.2 s until it answers; fail the test if it never does."""
    for _ in range(tries):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} at {url} did not start.")
