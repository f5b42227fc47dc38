"""The session engine used with a fast shared cache (settings: SESSION_ENGINE).

Django's cached-database sessions, reading the session and the data version
(core/page_cache.py) in one round trip to the cache: every signed-in request needs both
(the version files the signed-in login and kept pages), and asking for them apart doubled
the time a request spends waiting on the cache.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from core import page_cache


class SessionStore(CachedDBStore):
    def load(self) -> dict[str, Any]:
        try:
            found = self._cache.get_many([self.cache_key, page_cache.VERSION_KEY])  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 (as Django's engine: an unusable key resets)
            found = {}
        page_cache.remember_version(found.get(page_cache.VERSION_KEY))
        data = found.get(self.cache_key)
        if data is None:
            return super().load()
        return data  # type: ignore[no-any-return]
