"""Real-browser tests: a demo server in a subprocess, driven by Debian's Chromium.

The server runs on its own throw-away SQLite database loaded with `seed_demo`, exactly
as `make run` serves it, so the browser sees what a first-time user sees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import free_port, wait_until_answers
from tests.processes import oidc_provider as start_oidc_provider

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[str]:
    """The demo server offers company sign-in through a real provider on loopback, as a
    company's Okta or Entra ID would be."""
    with start_oidc_provider() as base:
        yield base


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory, oidc_provider: str) -> Iterator[str]:
    db = tmp_path_factory.mktemp("e2e") / "demo.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DEBUG": "true",
        "AXES_ENABLED": "false",
        "OIDC_ISSUER": oidc_provider,
        "OIDC_CLIENT_ID": "levelhead-e2e",
        "OIDC_CLIENT_SECRET": "levelhead-e2e-secret",
        "OIDC_PROVIDER_NAME": "Example SSO",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "createcachetable"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(f"{base}/login/", tries=100, what="The demo server")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
