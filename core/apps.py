import atexit

from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django_tasks_db.compat import task_finished


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import page_cache

        # Every write to the database replaces the data version kept pages are filed under.
        connection_created.connect(
            page_cache.install_write_watch, dispatch_uid="levelhead-write-watch"
        )
        pre_migrate.connect(page_cache.migrate_started, dispatch_uid="levelhead-migrate-start")
        post_migrate.connect(page_cache.migrate_finished, dispatch_uid="levelhead-migrate-end")
        request_finished.connect(page_cache.flush_writes, dispatch_uid="levelhead-flush-writes")
        request_started.connect(page_cache.forget_version, dispatch_uid="levelhead-version-in")
        request_finished.connect(page_cache.forget_version, dispatch_uid="levelhead-version-out")
        # A background task ends (the worker's own writes are not in a request).
        task_finished.connect(page_cache.flush_writes, dispatch_uid="levelhead-task-writes")
        # A command (seed_demo, an import) ends: what it wrote shows on the next page.
        atexit.register(page_cache.flush_writes)
