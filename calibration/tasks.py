"""Background tasks (django-tasks; run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from calibration.models import SessionPacket


@task()
def build_packet(packet_id: int) -> int:
    """Build one packet. Idempotent: a packet already done is left as it is."""
    from calibration.documents import packet_build

    packet = SessionPacket.objects.select_related("session", "session__cycle").get(pk=packet_id)
    if packet.status == SessionPacket.Status.DONE:
        return packet.pk
    try:
        packet_build(packet)
    except Exception as exc:  # the failure is shown to the user, who can ask again
        SessionPacket.objects.filter(pk=packet_id).update(
            status=SessionPacket.Status.FAILED, error=str(exc)[:2000]
        )
        raise
    return packet.pk
