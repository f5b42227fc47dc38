"""A background build whose worker dies mid-way (kill -9, out of memory) is not left
"running" for ever (core.background_documents: the lease).

Real worker processes run against this test's database (see ``database_url``); one is
killed with SIGKILL in the middle of a build (tests/hanging_worker.py holds it there), and
the build must be queued again, by the next request or by a worker starting up, and
finished by a fresh worker. The lease rules themselves are tested in-process in
tests/calibration/test_build_lease.py.
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
from calibration.models import SessionPacket
from tests.audit import seventeen
from tests.calibration.conftest import build_calibration
from tests.factories import build_world

ROOT = Path(__file__).resolve().parents[1]
LEASE = 2.0  # seconds; the default is 120
WORKER_OPTIONS = ["--no-startup-delay", "--no-reload", "--interval", "0.1"]


# --- Harness --------------------------------------------------------------------------


@pytest.fixture
def database_url(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL that worker processes can open, shared with this test.

    PostgreSQL: the test database itself. SQLite: the test database lives in this
    process's memory, so it is copied (empty) to a file and this process works on the
    file for the whole test, the data included; the in-memory one, never written, is
    switched back afterwards. (Flushing it would fail on the rubric immutability
    triggers had the test's rows been committed there.)"""
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


# The cast and the sessions are created in the shared database.
@pytest.fixture
def world(database_url: str) -> Any:
    return build_world()


@pytest.fixture
def calib(world: Any) -> Any:
    return build_calibration(world)


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


def test_a_packet_whose_worker_was_killed_is_queued_again_by_the_next_request(
    database_url, world, calib, api_for, settings, tmp_path
):
    settings.BUILD_LEASE_SECONDS = LEASE
    member = api_for("other_manager")
    url = f"/api/v1/calibration-sessions/{calib.session.pk}/packet.pdf"

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


def test_a_starting_worker_sweeps_a_report_pdf_whose_worker_was_killed(
    database_url, world, client_for, settings, tmp_path
):
    settings.BUILD_LEASE_SECONDS = LEASE
    org = seventeen(world)
    hr = client_for("hr")

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
