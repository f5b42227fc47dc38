"""The lease of background builds (core.background_documents), in-process: a live build that was
given up on cannot overwrite the newer attempt, a build merely waiting for a worker is
not queued twice, and one whose task was taken by a worker that died at once is queued
again. (A real worker killed with SIGKILL: tests/test_build_crash_recovery.py.)"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calibration import documents
from calibration.models import SessionPacket
from core.background_documents import LeaseLost, build_claim
from tests.calibration.conftest import run_task_worker
from tests.calibration.test_documents import pdf_text

LEASE = 2.0  # seconds; the default is 120


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
