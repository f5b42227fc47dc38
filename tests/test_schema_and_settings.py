from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def test_openapi_schema_validates_without_warnings(db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = out.getvalue()
    for path in (
        "/api/v1/people/{id}/demographics/",
        "/api/v1/rubric-versions/{id}/publish/",
        "/api/v1/rubric-versions/{id}/diff/",
        "/api/v1/auth/token/",
    ):
        assert path in schema


def test_api_docs_load_only_local_assets(db):
    html = Client().get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    external = [
        u
        for u in re.findall(r'(?:src|href)="([^"]+)"', html)
        if u.startswith(("http://", "https://", "//"))
    ]
    assert external == []


def _run_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_settings({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **base,
        "DEBUG": "false",
        "SECRET_KEY": "x7" * 40 + "-Qz9!kP",
        "ALLOWED_HOSTS": "levelhead.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("header", ["Content-Security-Policy", "X-Frame-Options"])
def test_pages_carry_security_headers(db, header):
    r = Client().get("/login/")
    assert header in r.headers
    if header == "Content-Security-Policy":
        assert "script-src 'self'" in r.headers[header]
        assert "unsafe-inline" not in r.headers[header]
