"""Settings read from the environment: each case starts a fresh interpreter, because the
settings module reads the environment once, at import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Variables these tests set themselves; whatever the developer's shell or CI holds for
# them must not leak into the child process.
_OWN_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "AXES_ENABLED",
    "SECURE_SSL_REDIRECT",
    "USE_X_FORWARDED_PROTO",
    "LEVELHEAD_REQUIRE_EVIDENCE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)
_PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "x7" * 40 + "-Qz9!kP"}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in _OWN_VARIABLES}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(["manage.py", "check"], env)


def _python(code: str, env: dict[str, str]) -> str:
    result = _run(["-c", "import django; django.setup()\n" + code], env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DEBUG", ""),
        ("DEBUG", "1"),
        ("DEBUG", "0"),
        ("DEBUG", "yes"),
        ("AXES_ENABLED", "off"),
        ("AXES_ENABLED", "ture"),
        ("SECURE_SSL_REDIRECT", "enabled"),
        ("USE_X_FORWARDED_PROTO", "https"),
        ("LEVELHEAD_REQUIRE_EVIDENCE", "nope"),
    ],
)
def test_a_boolean_that_is_not_true_or_false_stops_start_up(name, value):
    result = _check({**_PRODUCTION, name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must be true or false" in result.stderr
    assert repr(value) in result.stderr


def test_debug_false_with_a_secret_key_passes_the_check():
    result = _check(_PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("spelling", ["false", "False", "FALSE", " false "])
def test_every_false_spelling_turns_debug_off(spelling):
    # Debug off demands a secret key: refusing to start without one shows DEBUG read as off.
    result = _check({"DEBUG": spelling})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize("spelling", ["true", "TRUE", "True"])
def test_every_true_spelling_turns_debug_on(spelling):
    result = _check({"DEBUG": spelling})
    assert result.returncode == 0, result.stdout + result.stderr


# An API address: it renders no page, so it needs no collected static files.
_SECURE_REQUEST = """
from django.test import Client
response = Client().get("/api/v1/people/", HTTP_X_FORWARDED_PROTO="https")
print(response.status_code, response.headers.get("Location", ""))
"""


def test_x_forwarded_proto_is_ignored_by_default():
    # A client's own `X-Forwarded-Proto: https` over plain HTTP is not taken as HTTPS:
    # production still redirects it to the https address.
    out = _python(_SECURE_REQUEST, _PRODUCTION)
    assert out == "301 https://testserver/api/v1/people/"


def test_x_forwarded_proto_is_trusted_when_use_x_forwarded_proto_is_true():
    # Taken as HTTPS, the request is not redirected and reaches the API (401: no token).
    out = _python(_SECURE_REQUEST, {**_PRODUCTION, "USE_X_FORWARDED_PROTO": "true"})
    assert out == "401"


def test_x_forwarded_proto_false_keeps_the_header_untrusted():
    out = _python(_SECURE_REQUEST, {**_PRODUCTION, "USE_X_FORWARDED_PROTO": "false"})
    assert out == "301 https://testserver/api/v1/people/"


_BLOCKERS = """
from reviews.lint import AssessmentText, submit_blockers
blockers = submit_blockers(
    overall_rating="meets",
    assessments=[AssessmentText(competency="craft", rating="meets", narrative="", evidence_ids=())],
    competencies=[("craft", "Craft")],
)
print(",".join(sorted(b.code for b in blockers)) or "none")
"""


def test_a_review_without_evidence_is_refused_by_default():
    assert _python(_BLOCKERS, {}) == "no_evidence"


def test_levelhead_require_evidence_false_lets_a_review_without_evidence_through():
    assert _python(_BLOCKERS, {"LEVELHEAD_REQUIRE_EVIDENCE": "false"}) == "none"
