"""Documents built in the background (the calibration packet, the fairness audit PDF).

Each is a row per state of the data it shows (a ``state_key``), with ``status`` (queued,
running, done, failed), ``progress`` (0–100), ``error`` and ``requested_by``. Asking for
the document finds the row for the current state or creates and queues it; a failed build
is queued again. The worker (`manage.py db_worker`) builds it, reporting progress on the
row; the page polls a fragment (``_build_status.html``) and the API answers 202 with the
same status until the document is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

Build = TypeVar("Build", bound=models.Model)


def build_request(
    model: type[Build], *, key: dict[str, Any], user: Any, enqueue: Callable[[int], Any]
) -> Build:
    """The build row for ``key`` (the document and its state): found, or created (or a
    failed one reset) and queued once the transaction commits."""
    manager = model._default_manager
    row: Any = manager.filter(**key).first()
    if row is not None and row.status != FAILED:
        return row
    try:
        with transaction.atomic():
            if row is None:
                row = manager.create(**key, requested_by=user)
            else:
                row.status, row.progress, row.error, row.requested_by = QUEUED, 0, "", user
                row.save(update_fields=["status", "progress", "error", "requested_by"])
    except IntegrityError:
        # Someone asked for the same document at the same moment: use theirs.
        return manager.get(**key)
    pk = row.pk
    transaction.on_commit(lambda: enqueue(pk))
    return row


def build_run(model: type[Build], pk: int, build: Callable[[Any], Any]) -> int:
    """Run ``build(row)`` for a queued row (a row already done is left as it is). A
    failure is written on the row, for the user to see and ask again, then re-raised."""
    manager = model._default_manager
    row: Any = manager.get(pk=pk)
    if row.status == DONE:
        return pk
    try:
        build(row)
    except Exception as exc:
        manager.filter(pk=pk).update(status=FAILED, error=str(exc)[:2000])
        raise
    return pk


def build_status_body(row: Any, *, noun: str, url: str) -> dict[str, Any]:
    """The body of a 202 answer while the document is not ready."""
    messages = {
        QUEUED: f"Queued: the {noun} will be built in the background.",
        RUNNING: f"Building the {noun}.",
        FAILED: f"The build failed: {row.error}. Ask again to retry.",
    }
    return {
        "status": row.status,
        "progress": row.progress,
        "detail": messages.get(str(row.status), ""),
        "url": url,
    }
