"""A background build whose worker dies mid-way (kill -9, out of memory) is not left
"running" for ever (config.builds: the lease).

The first tests run real worker processes against this test's database (PostgreSQL: the
test database itself; SQLite: a file copy of it, see ``shared_database``), kill one with
SIGKILL in the middle of a build, and check that the build is queued again (by the next
request, or by a worker starting up) and finished by a fresh worker. The last ones check
the lease rules in-process: a live build that was given up on cannot overwrite the newer
attempt, and a build merely waiting for a worker is not queued twice.
"""

from __future__ import annotations

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pypdfium2 as pdfium
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import ReportPdf
from calibration import documents
from calibration.models import SessionPacket
from config.builds import LeaseLost, build_claim
from tests.audit import seventeen
from tests.calibration.conftest import build_calibration, run_task_worker

ROOT = Path(__file__).resolve().parents[1]
LEASE = 2.0  # seconds; the default is 120
WORKER_OPTIONS = ["--no-startup-delay", "--no-reload", "--interval", "0.1"]


# --- Harness --------------------------------------------------------------------------


@pytest.fixture
def calib(world) -> Any:
    return build_calibration(world)


@contextmanager
def shared_database(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL a worker process can open, holding this test's (committed) data.

    PostgreSQL: the test database. SQLite: the test database lives in this process's
    memory, so it is copied to a file and this process works on the file until the end of
    the block (then goes back to the in-memory one, which pytest-django flushes)."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
        yield f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
        return
    assert connection.vendor == "sqlite"
    if not connection.is_in_memory_db():
        yield f"sqlite:///{s['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    original = connections[DEFAULT_DB_ALIAS]
    on_file = type(original)({**s, "NAME": str(path)}, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = on_file
    try:
        yield f"sqlite:///{path}"
    finally:
        on_file.close()
        connections[DEFAULT_DB_ALIAS] = original


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="true",
        AXES_ENABLED="false",
        BUILD_LEASE_SECONDS=str(LEASE),
    )
    return env


def start_hanging_worker(database_url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.hanging_worker", *WORKER_OPTIONS],
            cwd=ROOT,
            env=_env(database_url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def run_worker(command: str, database_url: str) -> str:
    """A fresh worker process that runs what is queued, then exits (``--batch``)."""
    done = subprocess.run(
        [sys.executable, "manage.py", command, "--batch", *WORKER_OPTIONS],
        cwd=ROOT,
        env=_env(database_url),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def wait_for(check: Callable[[], Any], *, what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"Timed out waiting for {what}.")


def kill_mid_build(model: type[Any], pk: int, database_url: str, log: Path) -> Any:
    """Start a worker, wait until it is building row ``pk`` past its first progress
    report, SIGKILL it, and return the row as the dead worker left it."""
    worker = start_hanging_worker(database_url, log)
    try:
        wait_for(
            lambda: (
                worker.poll() is None
                and model.objects.filter(pk=pk, status="running", progress__gt=1).exists()
            ),
            what=f"the worker to be building (its output: {log})",
        )
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    assert worker.returncode == -signal.SIGKILL
    return model.objects.get(pk=pk)


def wait_out_the_lease(row: Any) -> None:
    end = row.heartbeat_at + datetime.timedelta(seconds=LEASE + 0.2)
    time.sleep(max(0.0, (end - timezone.now()).total_seconds()))


def pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        return " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


# --- A real worker, killed ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_packet_whose_worker_was_killed_is_queued_again_by_the_next_request(
    world, calib, api_for, settings, tmp_path
):
    settings.BUILD_LEASE_SECONDS = LEASE
    member = api_for("other_manager")
    url = f"/api/v1/calibration-sessions/{calib.session.pk}/packet.pdf"

    with shared_database(tmp_path) as database_url:
        assert member.get(url).status_code == 202
        packet = SessionPacket.objects.get(session=calib.session)
        killed = kill_mid_build(SessionPacket, packet.pk, database_url, tmp_path / "w1.log")
        assert killed.attempt == 1 and killed.progress > 1

        # Right after the kill the row still reads "running"; nothing will write on it.
        body = member.get(url).json()
        assert (body["status"], body["progress"]) == ("running", killed.progress)
        assert DBTaskResult.objects.get(id=killed.task_id).status == "RUNNING"
        wait_out_the_lease(killed)

        # Past the lease, asking again queues a new attempt, with a new task.
        again = member.get(url)
        assert again.status_code == 202
        assert (again.json()["status"], again.json()["progress"]) == ("queued", 0)
        requeued = SessionPacket.objects.get(pk=packet.pk)
        assert requeued.attempt == 2 and requeued.task_id not in ("", killed.task_id)
        assert DBTaskResult.objects.get(id=killed.task_id).status == "FAILED"
        assert member.get(url).json()["status"] == "queued"  # asked again: the same attempt

        run_worker("db_worker", database_url)

        built = member.get(url)
        assert built.status_code == 200, built.content[:300]
        assert built["Content-Type"] == "application/pdf"
        assert "Erin Engineer" in pdf_text(built.content)
        assert SessionPacket.objects.get(pk=packet.pk).status == "done"
        assert DBTaskResult.objects.get(id=requeued.task_id).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_sweeps_a_report_pdf_whose_worker_was_killed(
    world, client_for, settings, tmp_path
):
    settings.BUILD_LEASE_SECONDS = LEASE
    org = seventeen(world)
    hr = client_for("hr")

    with shared_database(tmp_path) as database_url:
        assert hr.get(reverse("audit:pdf", args=[org.cycle.pk])).status_code == 200  # asks
        pdf = ReportPdf.objects.get(cycle=org.cycle)
        killed = kill_mid_build(ReportPdf, pdf.pk, database_url, tmp_path / "w1.log")
        wait_out_the_lease(killed)

        # Nobody asks again: the next worker to start queues it again and builds it.
        output = run_worker("worker", database_url)

        assert "Queued again 1 build(s)" in output
        built = ReportPdf.objects.get(pk=pdf.pk)
        assert (built.status, built.progress, built.attempt) == ("done", 100, 2)
        assert DBTaskResult.objects.get(id=killed.task_id).status == "FAILED"
        download = hr.get(reverse("audit:pdf-download", args=[org.cycle.pk]))
        assert download.status_code == 200 and download.content.startswith(b"%PDF")


# --- The lease, in-process -------------------------------------------------------------


def _age_heartbeat(packet: SessionPacket) -> None:
    SessionPacket.objects.filter(pk=packet.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=LEASE * 2)
    )


def test_a_live_build_given_up_on_cannot_overwrite_the_newer_attempt(
    world, calib, settings, django_capture_on_commit_callbacks
):
    """The first worker is alive but went longer than the lease without a heartbeat (a
    stalled step): the build is queued again, and the first worker's late writes change
    nothing; its task, run again by another worker, does not take the row back either."""
    settings.BUILD_LEASE_SECONDS = LEASE
    user = world.other_manager.user
    with django_capture_on_commit_callbacks(execute=True):
        packet = documents.packet_request(user=user, session=calib.session)
    first = build_claim(SessionPacket, packet.pk, packet.attempt)
    assert first is not None
    first.progress(30)
    _age_heartbeat(packet)

    with django_capture_on_commit_callbacks(execute=True):
        again = documents.packet_request(user=user, session=calib.session)

    assert (again.status, again.attempt, again.progress) == ("queued", 2, 0)
    with pytest.raises(LeaseLost):
        first.progress(50)
    with pytest.raises(LeaseLost):
        first.finish(pdf=b"%PDF-stale")
    assert not first.touch()
    assert build_claim(SessionPacket, packet.pk, 1) is None

    assert run_task_worker() == 2  # attempt 1's task (left alone), then attempt 2's
    built = SessionPacket.objects.get(pk=packet.pk)
    assert (built.status, built.attempt) == ("done", 2)
    assert bytes(built.pdf) != b"%PDF-stale" and "Erin Engineer" in pdf_text(bytes(built.pdf))


def test_a_build_waiting_for_a_worker_is_not_queued_twice(
    world, calib, settings, django_capture_on_commit_callbacks
):
    """No worker has run for longer than the lease: the task still waits in the queue, so
    asking again finds the same build instead of piling up tasks."""
    settings.BUILD_LEASE_SECONDS = LEASE
    user = world.other_manager.user
    with django_capture_on_commit_callbacks(execute=True):
        packet = documents.packet_request(user=user, session=calib.session)
    packet.refresh_from_db()
    _age_heartbeat(packet)

    with django_capture_on_commit_callbacks(execute=True):
        again = documents.packet_request(user=user, session=calib.session)

    assert (again.status, again.attempt, again.task_id) == ("queued", 1, packet.task_id)
    assert DBTaskResult.objects.count() == 1


def test_a_task_taken_by_a_worker_that_died_before_starting_is_queued_again(
    world, calib, settings, django_capture_on_commit_callbacks
):
    settings.BUILD_LEASE_SECONDS = LEASE
    user = world.other_manager.user
    with django_capture_on_commit_callbacks(execute=True):
        packet = documents.packet_request(user=user, session=calib.session)
    packet.refresh_from_db()
    DBTaskResult.objects.get(id=packet.task_id).claim("a-worker-killed-at-once")
    _age_heartbeat(packet)

    with django_capture_on_commit_callbacks(execute=True):
        again = documents.packet_request(user=user, session=calib.session)

    assert (again.status, again.attempt) == ("queued", 2)
    assert DBTaskResult.objects.get(id=packet.task_id).status == "FAILED"
    assert run_task_worker() == 1
    assert SessionPacket.objects.get(pk=packet.pk).status == "done"
