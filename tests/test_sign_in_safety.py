"""Sign-in safety: bad usernames, the login throttle behind proxies, and shared state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from org.api import LoginThrottle
from tests.processes import gunicorn_processes

ROOT = Path(__file__).resolve().parent.parent
TOKEN_URL = "/api/v1/auth/token/"

# Longer than any username (150) and than django-axes' username column (255).
OVERLONG = "x" * 300


@pytest.mark.parametrize(
    ("url", "usual_error"),
    [
        ("/login/", "Please enter a correct username and password"),
        ("/admin/login/", "Please enter the correct username and password for a staff account"),
    ],
)
def test_an_overlong_username_gets_the_usual_sign_in_error(world, settings, url, usual_error):
    settings.AXES_ENABLED = True  # the 500 came from axes recording the failure
    response = Client().post(url, {"username": OVERLONG, "password": "wrong"})
    assert response.status_code == 200
    assert usual_error in response.content.decode()


def test_an_overlong_username_is_refused_by_the_token_endpoint_too(world, settings):
    settings.AXES_ENABLED = True
    response = Client().post(
        "/api/v1/auth/token/",
        {"username": OVERLONG, "password": "wrong"},
        content_type="application/json",
    )
    assert response.status_code == 400


# --- the login throttle and the lockout, behind proxies -----------------------------------


def _login_rate() -> int:
    """How many token requests a minute the configured throttle allows."""
    allowed, _ = LoginThrottle().parse_rate(
        django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"]
    )
    assert allowed is not None
    return allowed


def _ask_for_a_token(client: Client, forwarded_for: str | None, **extra: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = client.post(
        TOKEN_URL,
        {"username": "sam", "password": "wrong"},
        content_type="application/json",
        headers=headers,
        **extra,
    )
    return response.status_code


def test_a_spoofed_forwarded_for_does_not_reset_the_login_throttle(world):
    # No proxy is trusted by default: whatever the client writes in X-Forwarded-For,
    # every request comes from the same REMOTE_ADDR and is counted together.
    client = Client()
    allowed = _login_rate()
    statuses = [
        _ask_for_a_token(client, f"198.51.100.{i}, 192.0.2.{i}") for i in range(allowed + 1)
    ]
    assert 429 not in statuses[:allowed]
    assert statuses[allowed] == 429


def test_behind_one_trusted_proxy_the_lockout_keys_on_the_client_not_the_account(world, settings):
    # TRUSTED_PROXIES=1: gunicorn sees the load balancer (10.0.0.1) for everyone, and the
    # client is the address the balancer appended to X-Forwarded-For.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.AXES_ENABLED = True
    attacker, real_user = Client(), Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(
            "/login/",
            {"username": "engineer", "password": "wrong"},
            headers={"X-Forwarded-For": f"10.9.9.{i}, 203.0.113.66"},
            REMOTE_ADDR="10.0.0.1",
        )
    # The attacker's address is locked out for that account, whatever it writes on the left.
    locked = attacker.post(
        "/login/",
        {"username": "engineer", "password": "pw-for-tests"},
        headers={"X-Forwarded-For": "10.9.9.99, 203.0.113.66"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert locked.status_code == 429
    # The engineer, at their own address behind the same balancer, still signs in.
    signed_in = real_user.post(
        "/login/",
        {"username": "engineer", "password": "pw-for-tests"},
        headers={"X-Forwarded-For": "203.0.113.7"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert signed_in.status_code == 302
    assert real_user.get("/").status_code == 200


def test_without_a_trusted_proxy_a_spoofed_forwarded_for_does_not_lift_a_lockout(world, settings):
    settings.AXES_ENABLED = True
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/login/",
            {"username": "engineer", "password": "wrong"},
            headers={"X-Forwarded-For": f"198.51.100.{i}"},
        )
    again = client.post(
        "/login/",
        {"username": "engineer", "password": "pw-for-tests"},
        headers={"X-Forwarded-For": "198.51.100.200"},
    )
    assert again.status_code == 429


# --- two real web processes behind one (pretend) load balancer ----------------------------

RATE = 4  # LOGIN_THROTTLE_RATE for the two servers below, per minute


@pytest.fixture(scope="module")
def two_web_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Two gunicorn processes on one SQLite database with the default (per-process) cache,
    configured as behind one load balancer (TRUSTED_PROXIES=1)."""
    db = tmp_path_factory.mktemp("two-processes") / "db.sqlite3"
    env = {
        k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        DEBUG="true",
        AXES_ENABLED="false",  # the throttle alone is under test here
        TRUSTED_PROXIES="1",
        LOGIN_THROTTLE_RATE=f"{RATE}/min",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "createcachetable"], cwd=ROOT, env=env, check=True)
    with gunicorn_processes(2, env, ROOT) as bases:
        yield bases


def _token_status(base: str, forwarded_for: str) -> int:
    request = urllib.request.Request(
        f"{base}{TOKEN_URL}",
        data=json.dumps({"username": "nobody", "password": "wrong"}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_two_web_processes_share_one_login_count(two_web_processes):
    # The balancer sends requests to either process in turn; the client also writes a
    # fake address of its own on the left of X-Forwarded-For each time.
    statuses = [
        _token_status(two_web_processes[i % 2], f"198.51.100.{i}, 203.0.113.7")
        for i in range(RATE + 1)
    ]
    assert 429 not in statuses[:RATE]
    assert statuses[RATE] == 429
    # Another client behind the same balancer has its own count.
    assert _token_status(two_web_processes[0], "203.0.113.8") != 429
    assert _token_status(two_web_processes[1], "203.0.113.8") != 429
