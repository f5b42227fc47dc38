"""Sessions read through Redis (settings with CACHE_URL=redis://…): a signed-in request
asks the database nothing about its session or its login, and signing out still ends the
session at once. Runs against the real Redis server every machine of the project has."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

REDIS = {
    "BACKEND": "core.cache.RedisCache",
    "LOCATION": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
}


@pytest.fixture
def redis_sessions(settings):
    # Its own key prefix: parallel test processes share the server.
    cache = {**REDIS, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    settings.CACHES = {"default": cache, "shared": dict(cache)}
    settings.SESSION_ENGINE = "core.sessions"
    settings.AXES_ENABLED = False
    for alias in ("default", "shared"):
        caches[alias].close()
        if hasattr(caches._connections, alias):  # type: ignore[attr-defined]
            delattr(caches._connections, alias)  # type: ignore[attr-defined]
    yield
    for alias in ("default", "shared"):
        caches[alias].clear()
        delattr(caches._connections, alias)  # type: ignore[attr-defined]


def _sign_in(client: Client) -> None:
    client.get("/login/")
    response = client.post("/login/", {"username": "engineer", "password": "pw-for-tests"})
    assert response.status_code == 302


def test_a_signed_in_request_asks_the_database_nothing_about_who_it_is(world, redis_sessions):
    client = Client()
    _sign_in(client)
    assert client.get("/api/v1/me/").json()["username"] == "engineer"

    with CaptureQueriesContext(connection) as asked:
        response = client.get("/api/v1/me/")

    assert response.json()["username"] == "engineer"
    assert [q["sql"] for q in asked.captured_queries] == []


def test_signing_out_ends_the_session_at_once(world, redis_sessions):
    client = Client()
    _sign_in(client)
    assert client.get("/api/v1/me/").status_code == 200
    cookie = client.cookies["sessionid"].value

    client.post("/logout/")
    stolen = Client()
    stolen.cookies["sessionid"] = cookie

    assert stolen.get("/api/v1/me/").status_code in (401, 403)
    assert stolen.get("/").status_code == 302


def test_deactivating_a_login_ends_its_session_in_redis_too(world, redis_sessions):
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX

    from org import services

    client = Client()
    _sign_in(client)
    assert client.get("/api/v1/me/").status_code == 200
    cookie = client.cookies["sessionid"].value
    assert caches["default"].get(KEY_PREFIX + cookie) is not None

    services.person_update(actor=world.hr.user, person=world.engineer, is_active=False)

    assert caches["default"].get(KEY_PREFIX + cookie) is None
    assert client.get("/api/v1/me/").status_code in (401, 403)
