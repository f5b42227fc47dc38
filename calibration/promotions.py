"""Approved promotions take effect (SPEC §10.6).

A cycle's calibration approves promotions; once the cycle is finalized (or released), HR
applies them: each approved person's level is set to the approved level once, on the
effective date, and the step is recorded in their level history (org.LevelChange: who,
when, from, to, and why: the case). Applying again records nothing new. A change dated
in the future waits: ``level_changes_take_effect`` (run daily by ``manage.py
apply_level_changes``, and whenever promotions are applied) sets the level when its day
comes, so pages show the new level from the effective date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from calibration.models import CalibrationCase, CalibrationSession
from core.errors import InvalidStateError
from org.models import LevelChange, Person
from org.selectors import is_hr
from org.services import person_lock, person_update
from org.types import Viewer, signed_in
from reviews.models import ReviewCycle

APPLICABLE = (ReviewCycle.Status.FINALIZED, ReviewCycle.Status.RELEASED)


@dataclass(frozen=True)
class Promotion:
    """One approved promotion of a cycle, and what applying it does (or did)."""

    case: CalibrationCase
    person: Person
    from_level: str
    to_level: str
    change: LevelChange | None  # recorded already


def _require_hr(user: Viewer) -> None:
    if not is_hr(user):
        raise PermissionDenied("Only HR can apply promotions.")


def approved_promotions(*, user: Viewer, cycle: ReviewCycle) -> list[Promotion]:
    """The cycle's approved promotions, one per person (when a review was calibrated in
    two finalized sessions, the later decision counts), by name. Three queries."""
    _require_hr(user)
    decided = (
        CalibrationCase.objects.filter(
            kind=CalibrationCase.Kind.PROMOTION,
            review__cycle=cycle,
            session__status=CalibrationSession.Status.FINALIZED,
        )
        .select_related("subject", "session")
        .order_by("session__finalized_at", "session_id", "pk")
    )
    latest: dict[int, CalibrationCase] = {}
    for case in decided:
        latest[case.review_id] = case
    approved = [
        c
        for c in latest.values()
        if c.promotion_decision == CalibrationCase.PromotionDecision.APPROVED
    ]
    changes = LevelChange.objects.in_bulk([c.pk for c in approved], field_name="source_case_id")
    rows = [
        Promotion(
            case=case,
            person=case.subject,
            from_level=(changes[case.pk].from_level if case.pk in changes else case.subject.level),
            to_level=case.target_level,
            change=changes.get(case.pk),
        )
        for case in approved
    ]
    return sorted(rows, key=lambda p: (p.person.full_name, p.person.pk))


@transaction.atomic
def promotions_apply(
    *, actor: Viewer, cycle: ReviewCycle, effective_on: datetime.date
) -> list[LevelChange]:
    """Record every approved promotion of ``cycle`` not recorded yet, effective on
    ``effective_on`` (the level changes now when that day has come). All or nothing: a
    promotion that cannot apply (its level is not on the person's ladder any more)
    refuses the whole call with a 400 naming the person. Returns the new records."""
    _require_hr(actor)
    hr = signed_in(actor)
    locked = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.status not in APPLICABLE:
        raise InvalidStateError(
            f"Promotions apply once the cycle is finalized or released; it is {locked.status}."
        )
    recorded = []
    for promotion in approved_promotions(user=hr, cycle=locked):
        if promotion.change is not None:
            continue
        case = promotion.case
        recorded.append(
            LevelChange.objects.create(
                person=promotion.person,
                from_level=promotion.person.level,
                to_level=promotion.to_level,
                effective_on=effective_on,
                reason=(f"Promotion approved in calibration: {case.session.name}, case {case.pk}")[
                    :300
                ],
                source_case_id=case.pk,
                recorded_by=hr,
            )
        )
    level_changes_take_effect()
    for change in recorded:
        change.refresh_from_db()
    return recorded


@transaction.atomic
def level_changes_take_effect(*, today: datetime.date | None = None) -> int:
    """Set the level of everyone whose recorded change is due (``effective_on`` on or
    before today) and not yet applied; the number applied. Safe to run at any time and
    from several processes at once (the rows are locked)."""
    today = today or timezone.localdate()
    due = list(
        LevelChange.objects.select_for_update()
        .filter(applied_at__isnull=True, effective_on__lte=today)
        .select_related("person", "recorded_by")
        .order_by("effective_on", "pk")
    )
    for change in due:
        person = person_lock(change.person_id)
        try:
            person_update(actor=change.recorded_by, person=person, level=change.to_level)
        except ValidationError as exc:
            raise ValidationError(
                {"promotions": [f"{person.full_name}: {m}" for m in exc.messages]}
            ) from exc
        change.applied_at = timezone.now()
        change.save(update_fields=["applied_at"])
    return len(due)
