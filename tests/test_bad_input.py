"""No client input, however malformed or large, produces a 500 (SPEC §4): bodies that are too
deep, not finite, not text or too big answer 400 (or 413), on every JSON endpoint, the anonymous
token endpoint included, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from org.models import Team
from reviews.models import Evidence

TOKEN_URL = "/api/v1/auth/token/"


def _deep(levels: int) -> bytes:
    return b'{"name": ' + b"[" * levels + b"]" * levels + b"}"


# Bodies no endpoint may answer with a 500. Each is raw bytes sent as application/json.
BAD_BODIES: dict[str, bytes] = {
    "nested 1,000 levels": _deep(1_000),
    "nested 50,000 levels": _deep(50_000),
    "nested 100 levels": _deep(100),
    "nested in a key's value": b'{"username": "a", "password": {"x": ' + b"[" * 5000 + b"]" * 5000
    + b"}}",
    "NaN": b'{"name": NaN, "slug": "x"}',
    "Infinity": b'{"name": "Team", "slug": "x", "parent": Infinity}',
    "-Infinity": b'{"name": "Team", "slug": "x", "parent": -Infinity}',
    "1e400 in a number": b'{"name": "Team", "slug": "x", "parent": 1e400}',
    "integer beyond 64 bits": b'{"name": "Team", "slug": "x", "parent": 99999999999999999999999}',
    "NUL escaped in a value": b'{"name": "Te\\u0000am", "username": "a\\u0000", "slug": "x"}',
    "NUL escaped in a key": b'{"na\\u0000me": "Team", "slug": "x"}',
    "raw NUL byte": b'{"name": "Te\x00am", "slug": "x"}',
    "lone surrogate": b'{"name": "Te\\ud800am", "username": "\\udfff", "slug": "x"}',
    "invalid UTF-8": b'{"name": "Te\xff\xfeam", "username": "\xc3\x28", "slug": "x"}',
    "not JSON at all": b"\x00\x01\x02",
}

# (who, method, url) for JSON endpoints across the apps.
ENDPOINTS = [
    ("anonymous", "post", TOKEN_URL),
    ("hr", "post", "/api/v1/teams/"),
    ("hr", "post", "/api/v1/ladders/"),
    ("engineer", "post", "/api/v1/evidence/"),
    ("hr", "post", "/api/v1/cycles/"),
]


def _client(world, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(getattr(world, role).user)
    return client


def _send(client: APIClient, method: str, url: str, body: bytes, **extra: Any):
    return getattr(client, method)(url, data=body, content_type="application/json", **extra)


def _counts() -> tuple[int, int]:
    return Team.objects.count(), Evidence.objects.count()


@pytest.mark.parametrize("who,method,url", ENDPOINTS)
@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_a_malformed_json_body_answers_400_and_writes_nothing(world, who, method, url, name):
    before = _counts()
    response = _send(_client(world, who), method, url, BAD_BODIES[name])
    assert response.status_code == 400, (name, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert _counts() == before


def test_the_depth_error_says_what_is_wrong(world):
    response = _send(_client(world, "hr"), "post", "/api/v1/teams/", _deep(100))
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_a_body_nested_a_little_is_still_accepted(world):
    body = json.dumps({"name": "Platform", "slug": "platform", "extra": [[[[{"a": [1]}]]]]})
    response = _send(_client(world, "hr"), "post", "/api/v1/teams/", body.encode())
    assert response.status_code == 201, response.content
    assert Team.objects.filter(slug="platform").exists()


def test_non_ascii_text_is_still_accepted(world):
    body = json.dumps({"name": "Équipe Ünïcode 東京", "slug": "equipe"}, ensure_ascii=False)
    response = _send(_client(world, "hr"), "post", "/api/v1/teams/", body.encode())
    assert response.status_code == 201, response.content
    assert Team.objects.get(slug="equipe").name == "Équipe Ünïcode 東京"


@pytest.mark.parametrize("who,method,url", ENDPOINTS)
def test_an_oversized_json_body_answers_413_and_writes_nothing(world, settings, who, method, url):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"name": "x" * 20_000, "slug": "big", "username": "a"}).encode()
    before = _counts()
    response = _send(_client(world, who), method, url, body)
    assert response.status_code == 413, response.content[:300]
    assert response.json()["code"] == "too_large"
    assert _counts() == before


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=BoUnDaRy"]
)
def test_an_oversized_form_body_answers_4xx_not_500(world, settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    if content_type.startswith("multipart"):
        body = (
            b"--BoUnDaRy\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n"
            + b"x" * 20_000
            + b"\r\n--BoUnDaRy--\r\n"
        )
    else:
        body = b"slug=big&name=" + b"x" * 20_000
    before = _counts()
    response = _client(world, "hr").post("/api/v1/teams/", data=body, content_type=content_type)
    assert response.status_code in (400, 413), response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert _counts() == before


@pytest.mark.parametrize(
    "body",
    [b"name=Te%00am&slug=nul", b"name=Te%FF%FEam&slug=bad-utf8", b"name=Team&slug=sl%00ug"],
)
def test_a_bad_form_body_answers_400(world, body):
    before = _counts()
    response = _client(world, "hr").post(
        "/api/v1/teams/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400, response.content[:300]
    assert _counts() == before
