"""A packet shows one state of its session. Once a packet for a newer state is built,
the older ones are deleted (as superseded audit report PDFs are): they show decisions as
they no longer are. A build still queued or running is left alone."""

from __future__ import annotations

from calibration import documents, services
from calibration.models import SessionPacket
from tests.calibration.conftest import run_task_worker


def _decide(world, case) -> None:
    services.case_decide(
        actor=world.other_manager.user,
        case=case,
        version=case.version,
        calibrated_rating="meets",
    )


def test_building_a_packet_for_a_newer_state_deletes_the_older_one(
    world, calib, api_for, django_capture_on_commit_callbacks
):
    member = api_for("other_manager")
    url = f"/api/v1/calibration-sessions/{calib.session.pk}/packet.pdf"
    with django_capture_on_commit_callbacks(execute=True):
        assert member.get(url).status_code == 202
        other = documents.packet_request(user=world.manager.user, session=calib.other_session)
    run_task_worker()
    assert member.get(url).status_code == 200
    [old] = SessionPacket.objects.filter(session=calib.session)

    _decide(world, calib.teammate_case)  # the session's state changes
    with django_capture_on_commit_callbacks(execute=True):
        waiting = member.get(url)
    assert waiting.status_code == 202  # the old packet is not offered for the new state
    assert SessionPacket.objects.filter(pk=old.pk).exists()  # kept until the new one is built
    run_task_worker()

    assert member.get(url).status_code == 200
    [current] = SessionPacket.objects.filter(session=calib.session)
    assert current.pk != old.pk and current.status == SessionPacket.Status.DONE
    # Another session's packet is not this one's to delete.
    assert SessionPacket.objects.get(pk=other.pk).status == SessionPacket.Status.DONE


def test_a_build_still_waiting_is_not_deleted_by_a_newer_one(
    world, calib, django_capture_on_commit_callbacks
):
    waiting = documents.packet_request(user=world.other_manager.user, session=calib.session)
    _decide(world, calib.teammate_case)
    with django_capture_on_commit_callbacks(execute=True):
        newer = documents.packet_request(user=world.other_manager.user, session=calib.session)
    assert newer.pk != waiting.pk
    run_task_worker()  # builds only the newer one: the first was never enqueued

    assert SessionPacket.objects.get(pk=newer.pk).status == SessionPacket.Status.DONE
    assert SessionPacket.objects.get(pk=waiting.pk).status == SessionPacket.Status.QUEUED
