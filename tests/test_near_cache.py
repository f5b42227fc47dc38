"""Sessions and the data version kept in each process until Redis notices a change
(core/near_cache.py): a request that changes nothing asks Redis nothing, and a change made
anywhere (another process, another machine) is seen by the next request that starts after
it. Runs against the real Redis server every machine of the project has, and, at the end,
two real gunicorn processes sharing it."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from core import near_cache
from core.near_cache import NearCache
from tests.processes import gunicorn_processes

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def server() -> Iterator[redis.Redis]:
    """Another client of the same server: what another process would write through."""
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def prefix(server: redis.Redis) -> Iterator[str]:
    # Its own prefix: parallel test processes share the server.
    name = f"near-test:{uuid.uuid4().hex}:"
    yield name
    keys = list(server.scan_iter(f"{name}*"))
    if keys:
        server.delete(*keys)


@pytest.fixture
def near(server: redis.Redis, prefix: str) -> Iterator[NearCache]:
    kept = NearCache(server.connection_pool.connection_kwargs, [prefix])
    yield kept
    kept.close()


class Fetches:
    """Reads from Redis, counted: what the near cache asks the server."""

    def __init__(self, server: redis.Redis) -> None:
        self.server, self.asked = server, 0

    def __call__(self, keys: list[str]) -> list[bytes | None]:
        self.asked += 1
        return self.server.mget(keys)


def test_a_value_read_once_is_kept_until_it_changes(near, server, prefix):
    fetch = Fetches(server)
    server.set(f"{prefix}session", b"alice")
    assert near.get_many([f"{prefix}session", f"{prefix}none"], fetch) == {
        f"{prefix}session": b"alice"
    }
    for _ in range(50):
        assert near.get_many([f"{prefix}session", f"{prefix}none"], fetch) == {
            f"{prefix}session": b"alice"
        }
    assert fetch.asked == 1


def test_a_change_from_elsewhere_is_seen_by_the_next_read(near, server, prefix):
    fetch = Fetches(server)
    key = f"{prefix}version"
    for value in range(200):
        # Set, created, deleted, expired: each is seen by the read that follows it.
        server.set(key, str(value))
        assert near.get_many([key], fetch) == {key: str(value).encode()}
        assert near.get_many([key], fetch) == {key: str(value).encode()}
    server.delete(key)
    assert near.get_many([key], fetch) == {}
    server.set(key, b"short-lived", px=1)
    time.sleep(0.01)
    assert server.get(key) is None  # Redis notices the expiry when the key is touched
    assert near.get_many([key], fetch) == {}
    assert fetch.asked <= 203


def test_the_writer_sees_its_own_write_at_once(near, server, prefix):
    fetch = Fetches(server)
    key = f"{prefix}version"
    server.set(key, b"before")
    assert near.get_many([key], fetch) == {key: b"before"}
    server.set(key, b"after")
    near.forget([key])  # what the cache backend does after its own write
    assert near.get_many([key], fetch) == {key: b"after"}


def test_a_lost_connection_reads_from_redis_until_it_is_back(near, server, prefix, monkeypatch):
    monkeypatch.setattr(near_cache, "RETRY_AFTER", 0.0)
    fetch = Fetches(server)
    key = f"{prefix}session"
    server.set(key, b"alice")
    assert near.get_many([key], fetch) == {key: b"alice"}
    for client in server.client_list():
        if "invalidate" in client.get("cmd", "") or client.get("sub") == "1":
            server.client_kill_filter(_id=client["id"])
    server.set(key, b"bob")  # no notice can reach the dropped connection
    # The drop is seen before the kept value is used: the caller asks Redis itself.
    assert near.get_many([key], fetch) is None
    assert near.get_many([key], fetch) == {key: b"bob"}
    server.set(key, b"carol")
    assert near.get_many([key], fetch) == {key: b"carol"}


def test_keys_outside_the_prefixes_are_never_kept(near, prefix):
    assert near.tracks(f"{prefix}anything")
    assert not near.tracks("levelhead:page:something")


def test_the_backend_keeps_the_session_and_version_keys(settings):
    from core import cache as cache_module
    from core.page_cache import VERSION_KEY

    assert VERSION_KEY in cache_module.NEAR_PREFIXES
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX

    assert KEY_PREFIX in cache_module.NEAR_PREFIXES


# --- Two web processes sharing one Redis ------------------------------------------------

SETUP = """
from django.contrib.auth.models import Group
from org.models import Person, Team, User
user = User.objects.create_user("hana", password="near-cache-test")
user.groups.add(Group.objects.get_or_create(name="HR")[0])
Person.objects.create(user=user, full_name="Hana Before", team=Team.objects.create(name="People"))
"""


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Two gunicorn processes on one SQLite database, sessions and pages in one Redis."""
    db = tmp_path_factory.mktemp("near-cache") / "db.sqlite3"
    redis_db = redis.Redis.from_url(REDIS_URL.rsplit("/", 1)[0] + "/14")
    redis_db.flushdb()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        CACHE_URL=REDIS_URL.rsplit("/", 1)[0] + "/14",
        DEBUG="true",
        AXES_ENABLED="false",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "createcachetable"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True)
    try:
        with gunicorn_processes(2, env, ROOT) as bases:
            yield bases
    finally:
        redis_db.flushdb()


def _call(
    opener: urllib.request.OpenerDirector,
    url: str,
    data: bytes | None = None,
    method: str | None = None,
    **headers: str,
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with opener.open(request, timeout=10) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


def test_a_write_in_one_process_is_seen_by_the_next_request_in_the_other(two_processes):
    a, b = two_processes
    opener = urllib.request.build_opener()
    json_type = {"Content-Type": "application/json"}
    login = json.dumps({"username": "hana", "password": "near-cache-test"}).encode()
    status, body = _call(opener, f"{a}/api/v1/auth/token/", login, "POST", **json_type)
    assert status == 200
    token = {"Authorization": f"Token {json.loads(body)['token']}"}
    people = json.loads(_call(opener, f"{b}/api/v1/people/", **token)[1])["results"]
    assert [p["full_name"] for p in people] == ["Hana Before"]
    me = people[0]["id"]
    for round_ in range(15):
        writer, reader = (a, b) if round_ % 2 == 0 else (b, a)
        name = f"Hana {round_}"
        change = json.dumps({"full_name": name}).encode()
        url = f"{writer}/api/v1/people/{me}/"
        assert _call(opener, url, change, "PATCH", **json_type, **token)[0] == 200
        # Both processes had this list kept; each serves the new name at once.
        for base in (reader, writer, reader):
            answer = json.loads(_call(opener, f"{base}/api/v1/people/", **token)[1])
            assert [p["full_name"] for p in answer["results"]] == [name], (round_, base)


def _csrf(page: bytes) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode())
    assert found
    return found.group(1)


def test_signing_out_in_one_process_ends_the_session_in_the_other_at_once(two_processes):
    a, b = two_processes
    for writer, reader in ((a, b), (b, a), (a, b)):
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = {"username": "hana", "password": "near-cache-test"}
        form["csrfmiddlewaretoken"] = _csrf(_call(browser, f"{writer}/login/")[1])
        referer = {"Referer": f"{writer}/login/"}
        assert (
            _call(
                browser,
                f"{writer}/login/",
                urllib.parse.urlencode(form).encode(),
                "POST",
                **referer,
            )[0]
            == 200
        )
        cookies = {cookie.name: cookie.value for cookie in jar}
        # The session cookie as a stolen copy would carry it, after the owner signs out.
        copy = {"Cookie": f"sessionid={cookies['sessionid']}"}
        plain = urllib.request.build_opener()
        for base in (reader, writer, reader):
            assert _call(plain, f"{base}/api/v1/me/", **copy)[0] == 200
        out = {"csrfmiddlewaretoken": _csrf(_call(browser, f"{writer}/")[1])}
        _call(
            browser,
            f"{writer}/logout/",
            urllib.parse.urlencode(out).encode(),
            "POST",
            Referer=f"{writer}/",
        )
        assert _call(plain, f"{reader}/api/v1/me/", **copy)[0] in (401, 403)
        assert _call(plain, f"{writer}/api/v1/me/", **copy)[0] in (401, 403)
