"""A real `manage.py db_worker` process whose document builds hang when they reach the
layout step (WeasyPrint), after their progress reports, until the test kills the process
with SIGKILL (tests/test_build_crash_recovery.py). A live build keeps its lease meanwhile
(the heartbeat thread goes on beating), as one stuck in a long layout would.

Nothing is replaced but the layout call: the worker, the task, the claim, the progress
reports and the database are the real ones; the pause only makes the kill land mid-build
every time rather than by luck of timing. Run as
`python -m tests.hanging_worker [db_worker options]`.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402

import audit.pdf_build  # noqa: E402
import calibration.packet_build  # noqa: E402


def _hang(*args: Any, **kwargs: Any) -> Any:
    while True:  # until SIGKILL
        time.sleep(1)


# The layout step of each document, where it is looked up at build time.
calibration.packet_build.render_pdf = _hang
audit.pdf_build.report_pdf_pages = _hang

if __name__ == "__main__":
    call_command("db_worker", *sys.argv[1:])
