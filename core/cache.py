"""The Redis cache backend the project uses for ``CACHE_URL=redis://…``.

Django's own backend builds a new ``redis.Redis`` client object for every cache call (the
connection pool is reused, the client is not). Building one sets up a table of about two
hundred response callbacks, which cost more than the network round trip itself; a signed-in
request reads its session through the cache, so that cost was paid on every request. This
subclass keeps one client per connection pool and process (the client is thread-safe and
holds no connection of its own; the pool hands one out per command).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
