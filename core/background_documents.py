"""Documents built in the background (the calibration packet, the fairness audit PDF).

Each is a row per state of the data it shows (a ``state_key``) on the abstract model
``BackgroundDocument``: ``status`` (queued, running, done, failed), ``progress`` (0–100),
``error``, ``requested_by``, and the lease fields below. Asking for the document finds the
row for the current state or creates and queues it; a failed build is queued again. The
worker (`manage.py worker`, which runs django-tasks' `db_worker`) builds it, reporting
progress on the row; the page polls a fragment (``_build_status.html``) and the API
answers 202 with the same status until the document is ready.

**The lease.** A worker killed mid-build (``kill -9``, out of memory) cannot say so, and its
row would read "running 70%" for ever. So a build keeps ``heartbeat_at`` fresh while it runs
(at every progress report and from a thread, every quarter of ``BUILD_LEASE_SECONDS``); a
row queued or running whose heartbeat is older than the lease is *lost*. The next request
for it queues it again (a new task), and a worker starting up (`manage.py worker`) sweeps
every lost row the same way. Each queuing bumps ``attempt`` and the task carries it: a
worker only claims the row for its own attempt, with a conditional update, and every write
of a build is conditional on it, so a build that was given up on (and re-queued) while
still alive stops at its next write instead of overwriting the newer one.
"""

from __future__ import annotations

import datetime
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django.apps import apps
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DatabaseError, IntegrityError, connections, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

logger = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ERROR_MAX_LENGTH = 2000
LOST_ERROR = "The background worker stopped while building it"


class BackgroundDocument(models.Model):
    """The fields every background document shares (see the module docstring)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The task building the current attempt (its result row, for django-tasks-db).
    task_id = models.CharField(max_length=64, blank=True)
    # Bumped each time the row is queued; a task builds only the attempt it was given.
    attempt = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written when queued, when claimed and while building; older than the lease = lost.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # The dotted path of the django-tasks task that builds one attempt; `manage.py worker`
    # finds every concrete subclass through it (core never imports the apps above it).
    build_task_path: ClassVar[str] = ""

    class Meta:
        abstract = True

    @classmethod
    def build_task(cls) -> Any:
        return import_string(cls.build_task_path)


Build = TypeVar("Build", bound=BackgroundDocument)


class LeaseLost(Exception):
    """This build's row was given up on and queued again (or finished by another worker)."""


def lease_duration() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.BUILD_LEASE_SECONDS)


def _task_still_waiting(task: Any, task_id: str) -> bool:
    try:
        return bool(task.get_result(task_id).status == TaskResultStatus.READY)
    except TaskResultDoesNotExist:
        return False


def build_is_lost(row: BackgroundDocument, task: Any) -> bool:
    """No heartbeat for longer than the lease while queued or running. A queued row whose
    task still waits in the queue is only waiting for a worker, not lost; one whose task
    was taken (by a worker that died before claiming the row) or never enqueued is."""
    if row.status not in (QUEUED, RUNNING):
        return False
    beat = row.heartbeat_at or row.created_at
    if beat is not None and beat > timezone.now() - lease_duration():
        return False
    if row.status == QUEUED and row.task_id:
        return not _task_still_waiting(task, row.task_id)
    return True


def _end_task_result(task_id: str) -> None:
    """django-tasks-db leaves the result of a task whose worker was killed RUNNING for
    ever; mark it failed, so that the task list tells the truth. (Other backends track
    their own workers' deaths.)"""
    if not task_id or not apps.is_installed("django_tasks_db"):
        return
    try:
        uuid.UUID(task_id)
    except ValueError:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{__name__}.LeaseLost",
        traceback=f"{LOST_ERROR}: no heartbeat for {settings.BUILD_LEASE_SECONDS} s.",
    )


def _enqueue(model: type[BackgroundDocument], task: Any, pk: int, attempt: int) -> None:
    result = task.enqueue(pk, attempt)
    model._default_manager.filter(pk=pk, attempt=attempt).update(task_id=str(result.id))


def _requeue(
    model: type[Build], row: Build, *, user: AbstractBaseUser | None, task: Any
) -> tuple[Build, bool]:
    """Queue ``row`` (failed or lost) again as a new attempt, once even if several
    requests or sweeps find it at the same moment (the update is conditional on the
    attempt they read). Returns the row as it is now, and whether this call queued it."""
    manager = model._default_manager
    lost = row.status in (QUEUED, RUNNING)
    fields: dict[str, Any] = {
        "status": QUEUED,
        "progress": 0,
        "error": "",
        "task_id": "",
        "attempt": F("attempt") + 1,
        "heartbeat_at": timezone.now(),
        "started_at": None,
        "finished_at": None,
    }
    if getattr(user, "pk", None):  # a sweep keeps whoever asked
        fields["requested_by"] = user
    with transaction.atomic():
        taken = manager.filter(pk=row.pk, attempt=row.attempt, status=row.status).update(**fields)
        fresh = manager.get(pk=row.pk)
        if taken:
            if lost:
                _end_task_result(row.task_id)
            pk, attempt = fresh.pk, fresh.attempt
            transaction.on_commit(lambda: _enqueue(model, task, pk, attempt))
    return fresh, bool(taken)


def build_request(
    model: type[Build], *, key: dict[str, Any], user: AbstractBaseUser, task: Any
) -> Build:
    """The build row for ``key`` (the document and its state): found, or created and
    queued once the transaction commits; a failed or lost one is queued again."""
    manager = model._default_manager
    row = manager.filter(**key).first()
    if row is None:
        try:
            with transaction.atomic():
                row = manager.create(
                    **key, requested_by=user, attempt=1, heartbeat_at=timezone.now()
                )
        except IntegrityError:
            # Someone asked for the same document at the same moment: use theirs.
            return manager.get(**key)
        pk = row.pk
        transaction.on_commit(lambda: _enqueue(model, task, pk, 1))
        return row
    if row.status == FAILED or build_is_lost(row, task):
        return _requeue(model, row, user=user, task=task)[0]
    return row


def build_sweep(model: type[BackgroundDocument], task: Any) -> int:
    """Queue again every lost build of ``model`` (a worker starting up calls this, so a
    build whose worker was killed finishes without anyone asking again). Returns how
    many were queued."""
    cutoff = timezone.now() - lease_duration()
    candidates = model._default_manager.filter(status__in=[QUEUED, RUNNING]).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    swept = 0
    for row in candidates:
        if build_is_lost(row, task):
            swept += _requeue(model, row, user=None, task=task)[1]
    return swept


@dataclass(frozen=True)
class Lease:
    """A worker's claim on one attempt of a build. Every write goes through it and is
    conditional on the attempt still running: once the row was given up on, the next
    write raises ``LeaseLost`` and the build stops."""

    model: type[BackgroundDocument]
    pk: int
    attempt: int

    def _rows(self) -> models.QuerySet[Any]:
        return self.model._default_manager.filter(pk=self.pk, attempt=self.attempt, status=RUNNING)

    def touch(self) -> bool:
        """Renew the heartbeat; False once the lease is lost."""
        return bool(self._rows().update(heartbeat_at=timezone.now()))

    def write(self, **fields: Any) -> None:
        if not self._rows().update(heartbeat_at=timezone.now(), **fields):
            raise LeaseLost(f"{self.model.__name__} {self.pk}, attempt {self.attempt}")

    def progress(self, percent: int) -> None:
        self.write(progress=percent)

    def finish(self, **fields: Any) -> None:
        self.write(status=DONE, progress=100, finished_at=timezone.now(), **fields)

    def fail(self, error: str) -> None:
        self._rows().update(
            status=FAILED, error=error[:ERROR_MAX_LENGTH], finished_at=timezone.now()
        )


def build_claim(
    model: type[BackgroundDocument], pk: int, attempt: int | None = None
) -> Lease | None:
    """Take a queued row for building: None when it is not queued for this attempt (done,
    taken by another worker, or superseded by a newer attempt). ``attempt=None`` claims
    whatever attempt is queued (direct calls, tasks queued before attempts existed)."""
    manager = model._default_manager
    rows = manager.filter(pk=pk, status=QUEUED)
    if attempt is None:
        attempt = manager.filter(pk=pk).values_list("attempt", flat=True).first()
        if attempt is None:
            return None
    now = timezone.now()
    claimed = rows.filter(attempt=attempt).update(
        status=RUNNING, progress=1, started_at=now, heartbeat_at=now
    )
    return Lease(model, pk, attempt) if claimed else None


@contextmanager
def _kept_alive(lease: Lease) -> Iterator[None]:
    """Renew the heartbeat from a thread while the build runs: one step of it (WeasyPrint
    laying out a big document) can take longer than the lease, and progress reports
    alone would leave a live build looking lost."""
    stop = threading.Event()
    interval = max(settings.BUILD_LEASE_SECONDS / 4, 0.1)

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    if not lease.touch():
                        return
                except DatabaseError:  # a busy database: try again at the next beat
                    logger.warning("Could not renew the lease of %s", lease, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"lease-{lease.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def build_run(
    model: type[Build], pk: int, build: Callable[[Any, Lease], Any], *, attempt: int | None
) -> int:
    """Claim the row for ``attempt`` and run ``build(row, lease)``. A row that is not
    queued for this attempt is left alone. A failure is written on the row, for the user
    to see and ask again, then re-raised; a lost lease ends the build quietly."""
    lease = build_claim(model, pk, attempt)
    if lease is None:
        return pk
    row = model._default_manager.get(pk=pk)
    try:
        with _kept_alive(lease):
            build(row, lease)
    except LeaseLost:
        logger.warning(
            "%s %s: attempt %s was queued again; stopped.", model.__name__, pk, lease.attempt
        )
    except Exception as exc:
        lease.fail(str(exc))
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
