"""`manage.py worker`: the background-task worker. It first queues again every document
build whose worker died mid-way (config.builds: the lease), then runs django-tasks-db's
`db_worker` with the same options (`--batch`, `--interval`, `--queue-name`, ...)."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from audit.models import ReportPdf
from audit.tasks import build_report_pdf
from calibration.models import SessionPacket
from calibration.tasks import build_packet
from config.builds import build_sweep

# Every document built in the background, with the task that builds it.
BUILDS = ((SessionPacket, build_packet), (ReportPdf, build_report_pdf))


class Command(DbWorkerCommand):
    help = (
        "Queue again the document builds whose worker stopped (no heartbeat for "
        "BUILD_LEASE_SECONDS), then run the background-task worker (db_worker)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        swept = sum(build_sweep(model, task) for model, task in BUILDS)
        if options.get("verbosity", 1):
            self.stdout.write(f"Queued again {swept} build(s) whose worker had stopped.")
        super().handle(*args, **options)
