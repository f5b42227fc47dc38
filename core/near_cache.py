"""Keys read on every request, kept in the process until Redis says they changed.

Every signed-in request reads two small values from Redis: its session and the data
version (core/page_cache.py). Asking Redis is a network round trip, which on a busy
machine costs more than the rest of a small request. Both values change rarely (a sign-in,
a sign-out, a write), so each process keeps what it read and asks Redis to tell it when
any key under the tracked prefixes changes: Redis's client-side caching in broadcast mode
(``CLIENT TRACKING ON BCAST PREFIX …``, Redis 6 or later). One connection per process
both enables the tracking and receives the notices (``REDIRECT`` to itself, then
``SUBSCRIBE __redis__:invalidate``).

Before any kept value is used, the notices that have arrived are read (a non-blocking
read of that socket: about a microsecond). Redis sends a notice when the key changes,
before the writer's reply reaches the writer; so a request that starts after a write
has finished (a redirect after a form, another process's next request) never sees the
value from before it. The process that wrote drops its own kept value at once
(``forget``). Anything unexpected (the connection drops, a reply that does not parse,
a flush) empties the store and, while the connection is down, every read goes to Redis
as before; a kept value is also read again after ``MAX_AGE`` seconds whatever happens.

What is kept is the raw bytes Redis holds; the cache backend unpickles them for each
read, so no request gets an object another request changed.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import hiredis

# A kept value is read again from Redis after this long, notice or not.
MAX_AGE = 30.0
# At most this many keys per process (sessions are the many): the store is emptied, not
# grown, when it is full.
MAX_KEYS = 20_000
# After a failed connection, Redis is asked directly for this long before trying again.
RETRY_AFTER = 1.0

_CHANNEL = b"__redis__:invalidate"

# A key never read is absent from the store; a key read and not found in Redis is kept
# with the value None (Redis notices its creation like any change).


def _command(*args: Any) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        raw = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(parts)


class NearCache:
    """The kept values of one Redis server for one set of key prefixes, per process."""

    def __init__(self, connection: dict[str, Any], prefixes: Sequence[str]) -> None:
        self._connection = connection
        self._prefixes = tuple(prefixes)
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, bytes | None]] = {}
        self._socket: socket.socket | None = None
        self._reader: Any = None
        self._pid = 0
        self._retry_at = 0.0

    def tracks(self, key: str) -> bool:
        return key.startswith(self._prefixes)

    # --- The notices ------------------------------------------------------------------

    def _connect(self) -> bool:
        self._close()
        if time.monotonic() < self._retry_at:
            return False
        kwargs = self._connection
        try:
            if kwargs.get("path"):
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(kwargs.get("socket_connect_timeout") or 2.0)
                sock.connect(kwargs["path"])
            else:
                sock = socket.create_connection(
                    (kwargs.get("host") or "localhost", int(kwargs.get("port") or 6379)),
                    timeout=kwargs.get("socket_connect_timeout") or 2.0,
                )
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._socket, self._reader = sock, hiredis.Reader()
            if kwargs.get("password"):
                auth = [kwargs["username"]] if kwargs.get("username") else []
                self._ask("AUTH", *auth, kwargs["password"])
            client_id = self._ask("CLIENT", "ID")
            prefixes = [arg for prefix in self._prefixes for arg in ("PREFIX", prefix)]
            self._ask("CLIENT", "TRACKING", "ON", "REDIRECT", client_id, "BCAST", *prefixes)
            self._ask("SUBSCRIBE", _CHANNEL)
            sock.setblocking(False)
        except (OSError, hiredis.HiredisError, ValueError):
            self._close()
            self._retry_at = time.monotonic() + RETRY_AFTER
            return False
        self._pid = os.getpid()
        return True

    def _ask(self, *args: Any) -> Any:
        assert self._socket is not None
        self._socket.sendall(_command(*args))
        while True:
            reply = self._reader.gets()
            if reply is not False:
                if isinstance(reply, hiredis.ReplyError):
                    raise ValueError(str(reply))
                return reply
            data = self._socket.recv(65536)
            if not data:
                raise ConnectionError("Redis closed the connection")
            self._reader.feed(data)

    def _close(self) -> None:
        if self._socket is not None:
            try:
                self._socket.close()
            except OSError:
                pass
        self._socket = self._reader = None
        self._values.clear()

    def _drain(self) -> bool:
        """Apply the notices that have arrived; False when no notices can be trusted
        (then nothing is kept and Redis is asked directly)."""
        if self._socket is None or self._pid != os.getpid():
            # A forked child shares its parent's socket: it opens its own.
            self._socket = None
            if not self._connect():
                return False
        assert self._socket is not None
        try:
            while True:
                data = self._socket.recv(65536)
                if not data:
                    raise ConnectionError("Redis closed the connection")
                self._reader.feed(data)
        except BlockingIOError:
            pass
        except (OSError, hiredis.HiredisError):
            self._close()
            return False
        try:
            while (notice := self._reader.gets()) is not False:
                self._apply(notice)
        except hiredis.HiredisError:
            self._close()
            return False
        return True

    def _apply(self, notice: Any) -> None:
        if not (isinstance(notice, list) and len(notice) == 3 and notice[1] == _CHANNEL):
            return
        keys = notice[2]
        if keys is None:  # FLUSHDB / FLUSHALL
            self._values.clear()
            return
        for key in keys:
            self._values.pop(key.decode(), None)

    # --- Reads and writes -----------------------------------------------------------

    def get_many(
        self, keys: Sequence[str], fetch: Callable[[list[str]], list[bytes | None]]
    ) -> dict[str, bytes] | None:
        """The raw values of ``keys`` (each under a tracked prefix) that exist, kept or
        fetched (``fetch`` reads the missing ones from Redis, in order); None when the
        notices cannot be trusted: the caller asks Redis itself."""
        with self._lock:
            if not self._drain():
                return None
            now = time.monotonic()
            found: dict[str, bytes] = {}
            missing = []
            for key in keys:
                kept = self._values.get(key)
                if kept is None or now - kept[0] > MAX_AGE:
                    missing.append(key)
                elif kept[1] is not None:
                    found[key] = kept[1]
            if missing:
                if len(self._values) + len(missing) > MAX_KEYS:
                    self._values.clear()
                for key, raw in zip(missing, fetch(missing), strict=True):
                    self._values[key] = (now, raw)
                    if raw is not None:
                        found[key] = raw
            return found

    def forget(self, keys: Iterable[str]) -> None:
        """This process changed ``keys``: its kept values go now (the notice follows)."""
        with self._lock:
            for key in keys:
                self._values.pop(key, None)

    def forget_all(self) -> None:
        with self._lock:
            self._values.clear()

    def close(self) -> None:
        with self._lock:
            self._close()
