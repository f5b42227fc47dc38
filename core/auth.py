"""Who is signed in, without a database query on every request.

Each request names its login by a session (the login's id) or an API token. Loading that
login is a query per request; ``CachedModelBackend`` and ``CachedTokenAuthentication``
keep the loaded row per process, filed under the data version (core/page_cache.py), so the
row is loaded again after any write anywhere: a changed password, a deactivated login, a
deleted token or a group change all count at the next request, on every process. What is
kept is the pickled row, so nothing a request sets on its user object reaches the next one.
"""

from __future__ import annotations

import pickle
from typing import Any

from django.contrib.auth.backends import ModelBackend
from rest_framework.authentication import TokenAuthentication

from core.page_cache import data_version

# Per process: {data version: {key: pickled row}}; one version's entries at a time.
_kept: dict[str, dict[Any, bytes]] = {}
# A version with more logins than this in one process stops keeping new ones.
MAX_KEPT = 5000


def _get(key: Any) -> Any | None:
    version = data_version()
    entries = _kept.get(version)
    if entries is None:
        _kept.clear()
        _kept[version] = entries = {}
    raw = entries.get(key)
    return None if raw is None else pickle.loads(raw)  # noqa: S301 (our own rows)


def _put(key: Any, value: Any) -> None:
    entries = _kept.get(data_version())
    if entries is not None and len(entries) < MAX_KEPT:
        entries[key] = pickle.dumps(value)


class CachedModelBackend(ModelBackend):
    """Django's model backend, with the signed-in login kept per data version."""

    def get_user(self, user_id: Any) -> Any:
        key = ("user", user_id)
        user = _get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                _put(key, user)
        return user


class CachedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, with the token's login kept per data version."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        cache_key = ("token", key)
        kept = _get(cache_key)
        if kept is None:
            kept = super().authenticate_credentials(key)
            _put(cache_key, kept)
        return kept
