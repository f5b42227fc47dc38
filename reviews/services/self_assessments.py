"""Self-assessments (SPEC §11.1): the subject starts one per open cycle, saves drafts with
the version they read, and submits it; submitted, it never changes. Also the cycle's
self-assessment settings, which HR sets."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.errors import ConflictError, ImmutableError, InvalidStateError, StaleVersionError
from core.validation import check, plausible_date
from org.models import Activity, Person
from org.selectors import is_hr
from org.services import activity_record
from org.types import User
from reviews.models import Evidence, Review, ReviewCycle, SelfAssessment, SelfAssessmentItem
from reviews.services.actors import actor_person
from rubrics.models import Competency, Rating

# Activity actions (the text and ratings are in the self-assessment's own history).
CREATED = Activity.Action.SELF_ASSESSMENT_CREATED
UPDATED = Activity.Action.SELF_ASSESSMENT_UPDATED
SUBMITTED = Activity.Action.SELF_ASSESSMENT_SUBMITTED
CYCLE_SETTINGS = Activity.Action.CYCLE_SELF_ASSESSMENT_SETTINGS


@transaction.atomic
def self_assessment_create(
    *, actor: User, cycle: ReviewCycle, subject: Person | None = None
) -> SelfAssessment:
    """The actor starts their own self-assessment of an open cycle, pinned to the cycle's
    rubric version for their ladder, one empty item per competency. Naming someone else
    as ``subject`` is refused (403): only the subject writes their own."""
    me = actor_person(actor)
    if subject is not None and subject.pk != me.pk:
        raise PermissionDenied("You can write your own self-assessment only.")
    if cycle.status != ReviewCycle.Status.OPEN:
        raise InvalidStateError(
            f"Self-assessments are written while a cycle is open; it is {cycle.status}."
        )
    if me.ladder_id is None or not me.level:
        raise ValidationError({"cycle": ["You have no ladder and level to assess against."]})
    version = cycle.rubric_versions.filter(ladder_id=me.ladder_id).first()
    if version is None:
        raise ValidationError({"cycle": ["The cycle pins no rubric for your ladder."]})
    if SelfAssessment.objects.filter(cycle=cycle, subject=me).exists():
        raise ValidationError({"cycle": ["You already have a self-assessment in this cycle."]})
    sa = SelfAssessment.objects.create(cycle=cycle, subject=me, rubric_version=version)
    bulk_create_with_history(
        [
            SelfAssessmentItem(self_assessment=sa, competency=c.key, order=c.order)
            for c in Competency.objects.filter(version=version).order_by("order", "key")
        ],
        SelfAssessmentItem,
        default_user=actor,
    )
    activity_record(actor=actor, action=CREATED, target=sa, new={"cycle": cycle.pk})
    return sa


def self_assessment_write_refusal(sa: SelfAssessment) -> ConflictError | None:
    """Why it cannot be written now, or None: submitted ones never change; drafts change
    while their cycle is open."""
    if sa.status == SelfAssessment.Status.SUBMITTED:
        return ImmutableError("The self-assessment is submitted and cannot change.")
    if sa.cycle.status != ReviewCycle.Status.OPEN:
        return InvalidStateError(
            f"Self-assessments are written while their cycle is open; it is {sa.cycle.status}."
        )
    return None


def _lock_for_write(*, actor: User, sa: SelfAssessment, version: int | None) -> SelfAssessment:
    locked = SelfAssessment.objects.select_for_update().select_related("cycle").get(pk=sa.pk)
    me = actor_person(actor)
    if locked.subject_id != me.pk:
        raise PermissionDenied("Only the person it is about writes a self-assessment.")
    refusal = self_assessment_write_refusal(locked)
    if refusal is not None:
        raise refusal
    if version is not None and version != locked.version:
        raise StaleVersionError(
            f"This self-assessment was saved since you opened it (you have version {version}, "
            f"it is now at version {locked.version}). Nothing was changed."
        )
    return locked


def _validate(
    locked: SelfAssessment,
    narrative: dict[str, str] | None,
    assessments: list[dict[str, Any]] | None,
) -> dict[str, int]:
    """Refuse anything not of the pinned rubric or not the subject's own evidence; the
    competencies' order on success."""
    version_id = locked.rubric_version_id
    rating_keys = set(Rating.objects.filter(version_id=version_id).values_list("key", flat=True))
    comp_order = dict(Competency.objects.filter(version_id=version_id).values_list("key", "order"))
    errors: dict[str, Any] = {}
    if narrative is not None:
        unknown = set(narrative) - set(SelfAssessment.NARRATIVE_SECTIONS)
        if unknown:
            errors["narrative"] = [f"Unknown sections: {', '.join(sorted(unknown))}."]
    evidence_ids: set[int] = set()
    item_errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for item in assessments or []:
        key = item["competency"]
        if key not in comp_order:
            item_errors.setdefault(key, []).append("Not a competency of this rubric.")
        if key in seen:
            item_errors.setdefault(key, []).append("Listed twice.")
        seen.add(key)
        if item.get("rating") and item["rating"] not in rating_keys:
            item_errors.setdefault(key, []).append(f"Unknown rating '{item['rating']}'.")
        evidence_ids |= set(item.get("evidence") or [])
    if evidence_ids:
        found = set(
            Evidence.objects.filter(pk__in=evidence_ids, person=locked.subject_id).values_list(
                "pk", flat=True
            )
        )
        missing = evidence_ids - found
        if missing:
            item_errors.setdefault("evidence", []).append(
                "Cite evidence from your own library only; unknown: "
                + ", ".join(str(i) for i in sorted(missing))
                + "."
            )
    for key, messages in item_errors.items():
        errors[f"assessments.{key}"] = messages
    if errors:
        raise ValidationError(errors)
    return comp_order


@transaction.atomic
def self_assessment_update(
    *,
    actor: User,
    self_assessment: SelfAssessment,
    version: int,
    narrative: dict[str, str] | None = None,
    assessments: list[dict[str, Any]] | None = None,
) -> SelfAssessment:
    """Save a draft. ``version`` must be the one the writer read (optimistic locking);
    saving what is already saved writes nothing."""
    locked = _lock_for_write(actor=actor, sa=self_assessment, version=version)
    comp_order = _validate(locked, narrative, assessments)
    by_key = {i.competency: i for i in locked.items.prefetch_related("evidence")}
    changed = narrative is not None and any(getattr(locked, s) != t for s, t in narrative.items())
    for item in assessments or []:
        saved = by_key.get(item["competency"])
        if (
            saved is None
            or (item.get("rating") or "") != saved.rating
            or (item.get("narrative") or "") != saved.narrative
            or (
                "evidence" in item
                and set(item["evidence"] or []) != {e.pk for e in saved.evidence.all()}
            )
        ):
            changed = True
    if not changed:
        return locked
    for section, text in (narrative or {}).items():
        setattr(locked, section, text)
    for item in assessments or []:
        row = by_key.get(item["competency"]) or SelfAssessmentItem(
            self_assessment=locked, competency=item["competency"]
        )
        row.rating = item.get("rating") or ""
        row.narrative = item.get("narrative") or ""
        row.order = comp_order.get(item["competency"], 0)
        row._history_user = actor  # type: ignore[attr-defined]
        row.save()
        if "evidence" in item:
            row.evidence.set(item["evidence"] or [])
    locked.version += 1
    locked.save()
    activity_record(
        actor=actor,
        action=UPDATED,
        target=locked,
        old={"version": locked.version - 1},
        new={"version": locked.version},
    )
    return locked


def submit_problems(sa: SelfAssessment) -> dict[str, list[str]]:
    """What stops a self-assessment from being submitted: nothing written at all. Ratings
    and evidence are the subject's choice; one narrative section or one competency's
    narrative is the least a reader needs."""
    written = any(getattr(sa, s).strip() for s in SelfAssessment.NARRATIVE_SECTIONS) or any(
        i.narrative.strip() for i in sa.items.all()
    )
    if written:
        return {}
    return {
        "narrative": [
            "Write at least one narrative section or one competency's narrative before submitting."
        ]
    }


@transaction.atomic
def self_assessment_submit(
    *, actor: User, self_assessment: SelfAssessment, version: int | None = None
) -> SelfAssessment:
    locked = _lock_for_write(actor=actor, sa=self_assessment, version=version)
    problems = submit_problems(locked)
    if problems:
        raise ValidationError(problems)
    locked.status = SelfAssessment.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    activity_record(actor=actor, action=SUBMITTED, target=locked, new={"status": locked.status})
    return locked


def review_self_assessment_problem(review: Review) -> str | None:
    """Why a manager's review cannot be submitted yet for the self-assessment (SPEC
    §11.1), or None: when the cycle requires one, the subject's must be submitted unless
    its due date has passed (no due date: it never passes)."""
    cycle = review.cycle
    if not cycle.self_assessment_required:
        return None
    due = cycle.self_assessment_due
    if due is not None and timezone.localdate() > due:
        return None
    submitted = SelfAssessment.objects.filter(
        cycle_id=review.cycle_id,
        subject_id=review.subject_id,
        status=SelfAssessment.Status.SUBMITTED,
    ).exists()
    if submitted:
        return None
    when = f" (due {due:%-d %B %Y})" if due is not None else ""
    return (
        "This cycle requires the person's self-assessment before their review is "
        f"submitted; theirs is not submitted yet{when}."
    )


def check_self_assessment_settings(*, starts_on: datetime.date, due: datetime.date | None) -> None:
    if due is None:
        return
    check("self_assessment_due", due, plausible_date)
    if due < starts_on:
        raise ValidationError(
            {"self_assessment_due": ["The due date must be on or after the cycle's start."]}
        )


@transaction.atomic
def cycle_self_assessment_set(
    *,
    actor: User,
    cycle: ReviewCycle,
    required: bool | None = None,
    due: datetime.date | None | object = ...,
) -> ReviewCycle:
    """HR sets whether a cycle requires self-assessments and their due date, while the
    cycle is a draft or open (a due date may move while people write)."""
    if not is_hr(actor):
        raise PermissionDenied("Only HR can change review cycles.")
    locked = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    new_due = locked.self_assessment_due if due is ... else due
    assert new_due is None or isinstance(new_due, datetime.date)
    new_required = locked.self_assessment_required if required is None else required
    if (new_required, new_due) == (locked.self_assessment_required, locked.self_assessment_due):
        return locked
    if locked.status not in (ReviewCycle.Status.DRAFT, ReviewCycle.Status.OPEN):
        if locked.status in (ReviewCycle.Status.FINALIZED, ReviewCycle.Status.RELEASED):
            raise ImmutableError(f"The cycle is {locked.status} and cannot change.")
        raise InvalidStateError("Self-assessment settings change while a cycle is a draft or open.")
    check_self_assessment_settings(starts_on=locked.starts_on, due=new_due)
    old = {
        "self_assessment_required": locked.self_assessment_required,
        "self_assessment_due": str(locked.self_assessment_due or ""),
    }
    locked.self_assessment_required = new_required
    locked.self_assessment_due = new_due
    locked.save(update_fields=["self_assessment_required", "self_assessment_due"])
    activity_record(
        actor=actor,
        action=CYCLE_SETTINGS,
        target=locked,
        old=old,
        new={"self_assessment_required": new_required, "self_assessment_due": str(new_due or "")},
    )
    return locked
