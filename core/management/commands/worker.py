"""`manage.py worker`: the background-task worker. It first queues again every document
build whose worker died mid-way (core.background_documents: the lease), then runs
django-tasks-db's `db_worker` with the same options (`--batch`, `--interval`, ...)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from core.background_documents import BackgroundDocument, build_sweep


def background_documents() -> list[type[BackgroundDocument]]:
    """Every installed model built in the background (a concrete BackgroundDocument)."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, BackgroundDocument) and model.build_task_path
    ]


class Command(DbWorkerCommand):
    help = (
        "Queue again the document builds whose worker stopped (no heartbeat for "
        "BUILD_LEASE_SECONDS), then run the background-task worker (db_worker)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        swept = sum(build_sweep(model, model.build_task()) for model in background_documents())
        if options.get("verbosity", 1):
            self.stdout.write(f"Queued again {swept} build(s) whose worker had stopped.")
        super().handle(*args, **options)
