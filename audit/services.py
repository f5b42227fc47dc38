"""Writes of the fairness audit: only the trail of who generated what, and when."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.models import AuditRun
from org.selectors import is_hr
from org.services import access_log_record
from org.types import User
from reviews.models import ReviewCycle


@transaction.atomic
def audit_run_record(
    *, actor: User, cycle: ReviewCycle, kind: str, params: dict[str, Any], path: str = ""
) -> AuditRun:
    """Log one generation of an outcome table or a report (SPEC §6): an AuditRun with
    what was asked for, and the matching who-viewed-what AccessLog row."""
    if not is_hr(actor):
        raise PermissionDenied("Only HR can run fairness audits.")
    run = AuditRun.objects.create(user=actor, cycle=cycle, kind=kind, params=params)
    access_log_record(user=actor, action=f"audit_{kind}", target=cycle, path=path)
    return run
