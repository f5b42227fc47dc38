"""Signed-in pages served again from a cache until anything in the database changes.

A page such as the home page or a team's outcomes costs tens of milliseconds to build (its
queries, then a template of a few hundred nodes) and is read far more often than anything
it shows is written. ``cached_page`` keeps the rendered answer, per viewer, under a key
that holds the **data version**: a token every write to the database replaces. So:

- a page is never older than the last write: any INSERT, UPDATE or DELETE through Django's
  connection (ORM saves, ``QuerySet.update``, bulk writes, raw SQL) replaces the token when
  its transaction commits, and again when the writing request (or task, or command) ends
  and before the writer reads the token itself (so a writer sees its own change at once,
  also inside a transaction that has not committed);
- a viewer only ever gets what was built for them: the key holds their login, the
  request's path, query and htmx headers, and the CSRF cookie (the page's forms carry a
  token made from it, and a new sign-in gets a new one);
- answers that are not plain pages are not kept: anything but a 200, a response that sets
  a cookie, a request with messages waiting to be shown, a request with no CSRF cookie.

The token lives in ``caches["shared"]`` (every web process sees one value, also when the
default cache is per-process memory); pages live in ``caches["default"]``. The token is a
fresh random value rather than a counter, so two writers can never leave one value that a
reader built an older page under. Writes to the session, cache and login-lockout tables
change nothing a page shows and keep the token.

Only views whose whole answer is a pure function of the database, the viewer and the
request may use this. A view that records each read (the fairness audit's access log)
calls ``kept_page`` or ``kept_api_answer`` itself and records the read after it, kept
answer or not (the log tables are among those that keep the token). Views that stream
files or depend on the clock beyond the date must not.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone

VERSION_KEY = "levelhead:data-version"
# A kept page is dropped after this long even if nothing changed (bounds memory, and the
# date in the key already turns pages over at midnight).
PAGE_TIMEOUT = 15 * 60
# Tables whose writes change nothing a page shows: sign-in state, caches, and what
# `migrate` records about itself (written before the cache table may exist).
_IGNORED_TABLES = (
    "django_session",
    "org_signin",
    "levelhead_cache",
    "axes_",
    "django_migrations",
    "django_content_type",
    "auth_permission",
    # Records of reads (who opened which document or audit, SPEC §6): a read is logged on
    # every audit page, and no kept page shows these rows (only the admin, never kept).
    "org_accesslog",
    "audit_auditrun",
)
# While `migrate` runs the shared cache's table may not exist yet; the version is replaced
# once when it is done instead (migrate_finished).
_migrating = False
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# Per thread: whether it wrote since the version was last replaced, and the version this
# request works from. The version is not replaced inside the execute-wrapper itself: the
# statement's cursor may still be open (INSERT … RETURNING on SQLite), and the database
# cache would write on the same connection under it.
_dirty = threading.local()
_VARY_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_HX_TRIGGER", "HTTP_HX_BOOSTED")


def data_version() -> str:
    """The current data version (made on first use), after this thread's own writes.

    Read once per request: the value is kept for the rest of the request (a request works
    from one version; a write it makes replaces the value and the memo)."""
    flush_writes()
    memo = getattr(_dirty, "version", None)
    if memo is not None:
        return str(memo)
    shared = caches["shared"]
    version = shared.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add, not set: two processes starting at once agree on one value.
        if not shared.add(VERSION_KEY, version, None):
            version = shared.get(VERSION_KEY) or version
    _dirty.version = version
    return str(version)


def remember_version(version: str | None) -> None:
    """Take a version read along with something else (the session) as this request's."""
    if version is not None and not getattr(_dirty, "wrote", False):
        _dirty.version = version


def forget_version(**kwargs: Any) -> None:
    """``request_started``/``request_finished`` receiver: the next read asks the cache."""
    _dirty.version = None


def bump_data_version() -> None:
    """Replace the data version: every kept page becomes unreachable."""
    _dirty.version = None
    caches["shared"].set(VERSION_KEY, uuid.uuid4().hex, None)


def _is_data_write(sql: str) -> bool:
    head = sql.lstrip()[:8].upper()
    if not head.startswith(_WRITE_VERBS):
        return False
    return not any(table in sql for table in _IGNORED_TABLES)


def flush_writes(**kwargs: Any) -> None:
    """Replace the version if this thread wrote since the last time. Runs at the end of
    every request (``request_finished``), before any version is read, after each
    background task and when a command's process exits."""
    if getattr(_dirty, "wrote", False):
        _dirty.wrote = False
        bump_data_version()


def watch_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """A connection execute-wrapper: notes a data write, and replaces the data version
    when its transaction commits."""
    result = execute(sql, params, many, context)
    if not _migrating and isinstance(sql, str) and _is_data_write(sql):
        _dirty.wrote = True
        connection = context["connection"]
        if connection.in_atomic_block:
            transaction.on_commit(bump_data_version, using=connection.alias)
    return result


def migrate_started(sender: Any, **kwargs: Any) -> None:
    """``pre_migrate`` receiver (sent once per app, before any migration runs)."""
    global _migrating
    _migrating = True


def migrate_finished(sender: Any, **kwargs: Any) -> None:
    """``post_migrate`` receiver: a data migration may have changed what pages show."""
    global _migrating
    if not _migrating:
        return
    _migrating = False
    try:
        bump_data_version()
    except DatabaseError:
        pass  # the first migrate: no cache table yet, and no page was ever kept


def install_write_watch(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: watch every connection's writes (once each)."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def _page_key(request: HttpRequest, csrf_cookie: str, name: str) -> str:
    parts = [
        name,
        str(request.user.pk),
        request.get_full_path(),
        csrf_cookie,
        timezone.localdate().isoformat(),
        *(request.META.get(header, "") for header in _VARY_HEADERS),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"levelhead:page:{data_version()}:{digest}"


def _cacheable_request(request: HttpRequest) -> str | None:
    """The CSRF cookie when this request may be answered from the cache, else None."""
    if not settings.LEVELHEAD_PAGE_CACHE:
        return None
    if request.method != "GET" or not request.user.is_authenticated:
        return None
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not csrf_cookie:
        return None
    storage = getattr(request, "_messages", None)
    if storage is not None and len(storage):
        return None
    return csrf_cookie


def _keepable(response: HttpResponseBase) -> bool:
    return (
        isinstance(response, HttpResponse)
        and not response.streaming
        and response.status_code == 200
        and not response.cookies
    )


def kept_page(
    request: HttpRequest, name: str, build: Callable[[], HttpResponseBase]
) -> HttpResponseBase:
    """``build()``'s 200 answer to this viewer at this address, kept until the data
    version changes: served from the cache when it is there, else built and kept."""
    csrf_cookie = _cacheable_request(request)
    if csrf_cookie is None:
        return build()
    key = _page_key(request, csrf_cookie, name)
    pages = caches["default"]
    kept = pages.get(key)
    if kept is not None:
        content, headers = kept
        answer = HttpResponse(content)
        for header, value in headers:
            answer[header] = value
        return answer
    response = build()
    if _keepable(response):
        assert isinstance(response, HttpResponse)
        pages.set(key, (response.content, list(response.items())), PAGE_TIMEOUT)
    return response


def cached_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Serve ``view``'s 200 answers again, per viewer, until the data version changes
    (``kept_page``).

    Put it under the view's access decorators (``login_required``, method checks), so
    those still run on every request.
    """
    name = f"{view.__module__}.{view.__qualname__}"

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return kept_page(request, name, lambda: view(request, *args, **kwargs))

    return wrapper


def _api_key(request: Any, name: str) -> str | None:
    """The key for a DRF GET rendered as JSON for a signed-in caller, else None."""
    if not settings.LEVELHEAD_PAGE_CACHE:
        return None
    renderer = getattr(request, "accepted_renderer", None)
    if request.method != "GET" or renderer is None or renderer.format != "json":
        return None
    if not request.user.is_authenticated:
        return None
    parts = [name, str(request.user.pk), request.get_full_path(), request.accepted_media_type]
    parts.append(timezone.localdate().isoformat())
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"levelhead:api:{data_version()}:{digest}"


class CachedReadsMixin:
    """For DRF viewsets: a list or detail answer kept per caller until the data version
    changes, as ``cached_page`` does for pages. Authentication, permissions and content
    negotiation still run on every request (the lookup happens in the handler); only the
    JSON rendering of a 200 is kept. The browsable API (HTML) is never kept."""

    def _kept_or_none(self, request: Any) -> HttpResponse | None:
        key = _api_key(request, f"{type(self).__module__}.{type(self).__qualname__}")
        request._levelhead_keep_as = key
        if key is None:
            return None
        kept = caches["default"].get(key)
        if kept is None:
            return None
        content, content_type = kept
        return HttpResponse(content, content_type=content_type)

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self._kept_or_none(request) or super().list(request, *args, **kwargs)  # type: ignore[misc]

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self._kept_or_none(request) or super().retrieve(request, *args, **kwargs)  # type: ignore[misc]

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        key = getattr(request, "_levelhead_keep_as", None)
        if key and response.status_code == 200 and hasattr(response, "render"):
            response.render()
            if not response.cookies:
                caches["default"].set(
                    key, (response.content, response["Content-Type"]), PAGE_TIMEOUT
                )
        return response


def kept_api_answer(request: Any, name: str, build: Callable[[], HttpResponseBase]) -> Any:
    """For an APIView's GET: ``build()``'s JSON answer (a plain HttpResponse holding the
    rendered body) kept per caller until the data version changes, as ``kept_page``.
    Anything else ``build`` answers (an error, the browsable API) is handed out as it is."""
    key = _api_key(request, name)
    if key is None:
        return build()
    answers = caches["default"]
    kept = answers.get(key)
    if kept is not None:
        content, content_type = kept
        return HttpResponse(content, content_type=content_type)
    response = build()
    if _keepable(response) and not hasattr(response, "render"):
        assert isinstance(response, HttpResponse)
        answers.set(key, (response.content, response["Content-Type"]), PAGE_TIMEOUT)
    return response
