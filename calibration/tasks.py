"""Background tasks (django-tasks; run by `manage.py worker`)."""

from __future__ import annotations

from django_tasks import task

from calibration.models import SessionPacket
from calibration.packet_build import packet_build
from core.background_documents import build_run


@task()
def build_packet(packet_id: int, attempt: int | None = None) -> int:
    """Build one attempt of a packet (core.background_documents: the lease). Idempotent: a packet
    done, taken by another worker or queued again since is left as it is."""
    return build_run(SessionPacket, packet_id, packet_build, attempt=attempt)
