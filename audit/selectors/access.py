"""Who may read the fairness audit, and which cycles it covers.

HR and superusers only. Everyone else gets 404, so that the audit's existence is not
revealed (SPEC §3): the pages answer Http404 and the API turns it into the same 404
(core.api.exception_handler). Anonymous callers never get this far: the pages send them
to sign in and the API answers 401 (IsAuthenticated).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from org.selectors import is_hr
from org.types import User, Viewer, signed_in
from reviews.models import ReviewCycle


def audit_reader_require(*, user: Viewer) -> User:
    """``user`` when they may read the audit; Http404 for anyone else. One query the
    first time for a user object (is_hr caches its answer on it), none after."""
    if not is_hr(user):
        raise Http404("No such page.")
    return signed_in(user)


def audited_cycles(*, user: Viewer) -> QuerySet[ReviewCycle]:
    """Cycles an audit can be run for (every cycle past draft), newest first."""
    audit_reader_require(user=user)
    return _audited_cycles()


def _audited_cycles() -> QuerySet[ReviewCycle]:
    return ReviewCycle.objects.exclude(status=ReviewCycle.Status.DRAFT).order_by(
        "-starts_on", "-id"
    )


def audited_cycle_get(*, user: Viewer, pk: int) -> ReviewCycle:
    """One of ``audited_cycles`` for a page's URL; Http404 for any other id."""
    cycle = audited_cycles(user=user).filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such cycle.")
    return cycle


def audit_cycle_get(*, user: Viewer, pk: int) -> ReviewCycle:
    """The cycle the API is asked about (of any status); an unknown id is a bad
    parameter (400), not a missing page."""
    audit_reader_require(user=user)
    cycle = ReviewCycle.objects.filter(pk=pk).first()
    if cycle is None:
        raise ValidationError({"cycle": ["No such cycle."]})
    return cycle


def cycles_before(starts_on: datetime.date) -> QuerySet[ReviewCycle]:
    """Audited cycles that started before ``starts_on``, latest first."""
    return _audited_cycles().filter(starts_on__lt=starts_on)


def previous_cycle(cycle: ReviewCycle) -> ReviewCycle | None:
    """The latest audited cycle that started before this one (one query)."""
    return cycles_before(cycle.starts_on).first()


def cycle_summary(cycle: ReviewCycle) -> dict[str, Any]:
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "starts_on": cycle.starts_on.isoformat(),
        "ends_on": cycle.ends_on.isoformat(),
        "status": cycle.status,
    }
