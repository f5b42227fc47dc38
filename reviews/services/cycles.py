"""Review cycles: HR creates them, edits drafts and moves them along (SPEC §5)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import ImmutableError, InvalidStateError
from core.hooks import Hook
from core.validation import check, plausible_date
from org.models import Activity, Person
from org.selectors import is_hr
from org.services import activity_record
from org.types import User
from reviews.models import Review, ReviewCycle
from rubrics.models import Ladder, RubricVersion

Status = ReviewCycle.Status

# The moves a cycle may make (SPEC §5); anything else answers 409 invalid_state.
CYCLE_TRANSITIONS = {
    Status.DRAFT: {Status.OPEN},
    Status.OPEN: {Status.CALIBRATING},
    Status.CALIBRATING: {Status.FINALIZED},
    Status.FINALIZED: {Status.RELEASED},
    Status.RELEASED: set(),
}


def _require_hr(actor: User, what: str) -> None:
    if not is_hr(actor):
        raise PermissionDenied(f"Only HR can {what}.")


def _validate_versions(versions: list[RubricVersion]) -> None:
    ladders = [v.ladder_id for v in versions]
    if len(ladders) != len(set(ladders)):
        raise ValidationError({"rubric_versions": ["Pin one rubric version per ladder."]})


def _snapshot(cycle: ReviewCycle) -> dict[str, Any]:
    """What a cycle edit can change, as JSON for the activity row."""
    return {
        "name": cycle.name,
        "starts_on": cycle.starts_on.isoformat(),
        "ends_on": cycle.ends_on.isoformat(),
        "rubric_versions": sorted(v.pk for v in cycle.rubric_versions.all()),
    }


@transaction.atomic
def cycle_create(
    *,
    actor: User,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    rubric_versions: list[RubricVersion] | None = None,
) -> ReviewCycle:
    _require_hr(actor, "create review cycles")
    check("starts_on", starts_on, plausible_date)
    check("ends_on", ends_on, plausible_date)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": ["The cycle must end on or after its start."]})
    versions = list(rubric_versions or [])
    _validate_versions(versions)
    cycle = ReviewCycle.objects.create(
        name=name, starts_on=starts_on, ends_on=ends_on, created_by=actor
    )
    cycle.rubric_versions.set(versions)
    activity_record(
        actor=actor, action=Activity.Action.CYCLE_CREATED, target=cycle, new={"name": name}
    )
    return cycle


@transaction.atomic
def cycle_update(*, actor: User, cycle: ReviewCycle, **changes: Any) -> ReviewCycle:
    """Name and dates change while a cycle is a draft; the pinned versions too."""
    _require_hr(actor, "change review cycles")
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status in (Status.FINALIZED, Status.RELEASED):
        raise ImmutableError(f"The cycle is {cycle.status} and cannot change.")
    if cycle.status != Status.DRAFT and set(changes) - {"name"}:
        raise InvalidStateError("Only a draft cycle's dates and rubric versions can change.")
    before = _snapshot(cycle)
    for f in ("name", "starts_on", "ends_on"):
        if f in changes:
            setattr(cycle, f, changes[f])
    check("starts_on", cycle.starts_on, plausible_date)
    check("ends_on", cycle.ends_on, plausible_date)
    if cycle.ends_on < cycle.starts_on:
        raise ValidationError({"ends_on": ["The cycle must end on or after its start."]})
    cycle.save()
    if "rubric_versions" in changes:
        versions = list(changes["rubric_versions"])
        _validate_versions(versions)
        cycle.rubric_versions.set(versions)
    after = _snapshot(cycle)
    changed = [k for k in after if after[k] != before[k]]
    activity_record(
        actor=actor,
        action=Activity.Action.CYCLE_UPDATED,
        target=cycle,
        old={k: before[k] for k in changed},
        new={k: after[k] for k in changed},
    )
    return cycle


def ladders_in_use() -> set[int]:
    """Ladders with at least one active person on them."""
    return set(
        Person.objects.filter(is_active=True, ladder__isnull=False)
        .values_list("ladder_id", flat=True)
        .distinct()
    )


def cycle_open_problems(cycle: ReviewCycle) -> list[str]:
    versions = list(cycle.rubric_versions.select_related("ladder"))
    problems = [
        f"{v.ladder.name} version {v.number} is {v.status}; pin a published version."
        for v in versions
        if v.status != RubricVersion.Status.PUBLISHED
    ]
    pinned = {v.ladder_id for v in versions}
    for ladder in Ladder.objects.filter(pk__in=ladders_in_use() - pinned).order_by("name"):
        problems.append(f"{ladder.name} is in use but no rubric version is pinned for it.")
    return problems


def _nothing_pending(cycle: ReviewCycle) -> list[str]:
    return []


# What still stands between a cycle and finalizing it outside reviews (calibration: its
# sessions not finalized yet). Answered by calibration (calibration.apps).
cycle_finalize_problems: Hook[[ReviewCycle], list[str]] = Hook(
    "cycle_finalize_problems", _nothing_pending
)


@transaction.atomic
def cycle_transition(*, actor: User, cycle: ReviewCycle, to: str) -> ReviewCycle:
    _require_hr(actor, "move review cycles")
    # Lock the cycle: two transitions at once must not both pass their checks.
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    current = Status(cycle.status)
    if to not in Status.values:
        raise ValidationError({"to": [f"Unknown status '{to}'."]})
    if to not in CYCLE_TRANSITIONS[current]:
        allowed = ", ".join(sorted(CYCLE_TRANSITIONS[current])) or "nothing (it is final)"
        article = "An" if current[0] in "aeiou" else "A"
        raise InvalidStateError(
            f"{article} {current} cycle cannot move to {to}; it can move to {allowed}."
        )
    problems: list[str] = []
    if to == Status.OPEN:
        problems = cycle_open_problems(cycle)
    elif to == Status.FINALIZED:
        problems = cycle_finalize_problems(cycle)
    if problems:
        raise InvalidStateError(" ".join(problems))
    old = cycle.status
    cycle.status = to
    cycle.save(update_fields=["status"])
    now = timezone.now()
    if to == Status.RELEASED:
        # Submitted reviews never calibrated keep the author's rating as final.
        for review in cycle.reviews.filter(
            status__in=(Review.Status.SUBMITTED, Review.Status.CALIBRATED)
        ):
            review.final_rating = review.final_rating or review.overall_rating
            review.status = Review.Status.RELEASED
            review.released_at = now
            review.version += 1
            review.save(update_fields=["final_rating", "status", "released_at", "version"])
    activity_record(
        actor=actor,
        action=Activity.Action.CYCLE_TRANSITION,
        target=cycle,
        old={"status": old},
        new={"status": to},
    )
    return cycle
