"""Helpers for tests that start real server processes on loopback."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


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


@contextlib.contextmanager
def oidc_provider() -> Iterator[str]:
    """A real OpenID provider on loopback (oidc-provider-mock), for as long as the block
    runs: its base URL, which is also its issuer."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(f"{base}/.well-known/openid-configuration", what="The OpenID provider")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def gunicorn_processes(count: int, env: dict[str, str], cwd: Path) -> Iterator[list[str]]:
    """``count`` gunicorn processes of one worker each serving Levelhead with ``env``, on
    their own loopback ports, until the block ends: their base URLs."""
    ports = [free_port() for _ in range(count)]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "1", "-b", f"127.0.0.1:{p}"],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for p in ports
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            wait_until_answers(f"{base}/login/", what="The web process")
        yield bases
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)
