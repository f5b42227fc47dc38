"""Background tasks (django-tasks; run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from calibration.models import SessionPacket
from config.builds import build_run


@task()
def build_packet(packet_id: int) -> int:
    """Build one packet. Idempotent: a packet already done is left as it is."""
    from calibration.documents import packet_build

    return build_run(SessionPacket, packet_id, packet_build)
