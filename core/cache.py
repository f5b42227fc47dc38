"""The Redis cache backend the project uses for ``CACHE_URL=redis://…``.

Two differences from Django's own:

- Django's backend builds a new ``redis.Redis`` client object for every cache call (the
  connection pool is reused, the client is not). Building one sets up a table of about
  two hundred response callbacks, which cost more than the network round trip itself.
  This one keeps one client per connection pool and process (the client is thread-safe
  and holds no connection of its own; the pool hands one out per command).
- The keys every signed-in request reads (its session, the data version) are kept in the
  process between requests and dropped the moment Redis notices a change to them
  (core/near_cache.py), so a request that changes nothing asks Redis nothing. Setting
  ``LEVELHEAD_NEAR_CACHE=false`` turns this off.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.utils.functional import cached_property

from core.near_cache import NearCache

# The keys kept near (before the backend's key prefix and version): the data version
# (core.page_cache.VERSION_KEY) and the cached-database sessions (Django's
# sessions.backends.cached_db.KEY_PREFIX).
NEAR_PREFIXES = ("levelhead:data-version", "django.contrib.sessions.cached_db")

# One NearCache per server and set of prefixes, per process: the default and the shared
# cache name the same server in production and share one.
_near_caches: dict[tuple[str, tuple[str, ...]], NearCache] = {}


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self.near: NearCache | None = None

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def connection_kwargs(self) -> dict[str, Any] | None:
        """How to reach the server, for the notices' own connection; None over TLS."""
        pool = self._get_connection_pool(False)  # type: ignore[attr-defined]
        if "SSL" in pool.connection_class.__name__:
            return None
        return dict(pool.connection_kwargs)

    # --- Reads: near when every key is tracked --------------------------------------

    def _near_many(self, keys: list[str]) -> dict[str, Any] | None:
        near = self.near
        if near is None or not all(near.tracks(key) for key in keys):
            return None
        raw = near.get_many(keys, lambda missing: self.get_client(None).mget(missing))
        if raw is None:
            return None
        return {key: self._serializer.loads(value) for key, value in raw.items()}  # type: ignore[attr-defined]

    def get(self, key: Any, default: Any) -> Any:
        found = self._near_many([key])
        if found is None:
            return super().get(key, default)
        return found.get(key, default)

    def get_many(self, keys: Any) -> Any:
        keys = list(keys)
        found = self._near_many(keys)
        return super().get_many(keys) if found is None else found

    # --- Writes: this process's kept values go at once ------------------------------

    def _forget(self, keys: Any) -> None:
        if self.near is not None:
            self.near.forget(keys)

    def add(self, key: Any, value: Any, timeout: Any) -> Any:
        self._forget([key])
        return super().add(key, value, timeout)

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        self._forget([key])
        super().set(key, value, timeout)
        self._forget([key])

    def touch(self, key: Any, timeout: Any) -> Any:
        self._forget([key])
        return super().touch(key, timeout)

    def delete(self, key: Any) -> Any:
        answer = super().delete(key)
        self._forget([key])
        return answer

    def incr(self, key: Any, delta: Any) -> Any:
        answer = super().incr(key, delta)
        self._forget([key])
        return answer

    def set_many(self, data: Any, timeout: Any) -> None:
        super().set_many(data, timeout)
        self._forget(list(data))

    def delete_many(self, keys: Any) -> None:
        keys = list(keys)
        super().delete_many(keys)
        self._forget(keys)

    def clear(self) -> Any:
        answer = super().clear()
        if self.near is not None:
            self.near.forget_all()
        return answer


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    @cached_property
    def _cache(self) -> RedisCacheClient:
        client = RedisCacheClient(self._servers, **self._options)  # type: ignore[attr-defined]
        client.near = self._near_cache(client)
        return client

    def _near_cache(self, client: RedisCacheClient) -> NearCache | None:
        if not getattr(settings, "LEVELHEAD_NEAR_CACHE", True) or len(self._servers) != 1:  # type: ignore[attr-defined]
            return None
        connection = client.connection_kwargs()
        if connection is None:
            return None  # the notices' connection speaks plain TCP or a Unix socket
        prefixes = tuple(self.make_key(prefix) for prefix in NEAR_PREFIXES)
        registry_key = (self._servers[0], prefixes)  # type: ignore[attr-defined]
        near = _near_caches.get(registry_key)
        if near is None:
            near = _near_caches[registry_key] = NearCache(connection, prefixes)
        return near
