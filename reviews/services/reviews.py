"""Narrative reviews: a manager starts, saves and submits a draft; the subject
acknowledges it once released."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.errors import ConflictError, ImmutableError, InvalidStateError, StaleVersionError
from org.models import Activity, Person
from org.services import activity_record
from org.tenure import tenure_band
from org.types import User
from reviews.lint import review_blockers
from reviews.models import Assessment, Evidence, Review, ReviewCycle
from reviews.selectors import review_can_write
from reviews.services.actors import actor_person
from reviews.services.contents import review_contents_store
from reviews.services.self_assessments import review_self_assessment_problem
from rubrics.models import Competency, Level, Rating


def _where_they_stand(subject: Person, cycle: ReviewCycle) -> dict[str, Any]:
    """What a review records of its subject's place, at creation and again at submission
    (the audit reports a cycle as it was): team, function, manager, the tenure band at
    the end of the cycle and the location."""
    return {
        "team_id": subject.team_id,
        "function": subject.function,
        "manager_id": subject.parent_id,
        "tenure_band": tenure_band(subject.start_date, on=cycle.ends_on),
        "location": subject.location,
    }


@transaction.atomic
def review_create(*, actor: User, cycle: ReviewCycle, subject: Person) -> Review:
    """A manager starts a review of someone in their chain, pinned to the cycle's rubric
    version for the subject's ladder."""
    me = actor_person(actor)
    if not Person.objects.descendants(me).filter(pk=subject.pk).exists():
        raise ValidationError({"subject": ["You can review people in your reporting chain only."]})
    if cycle.status != ReviewCycle.Status.OPEN:
        raise InvalidStateError(f"Reviews are written while a cycle is open; it is {cycle.status}.")
    if subject.ladder_id is None or not subject.level:
        raise ValidationError(
            {"subject": ["This person has no ladder and level to review against."]}
        )
    version = cycle.rubric_versions.filter(ladder_id=subject.ladder_id).first()
    if version is None:
        raise ValidationError({"subject": ["The cycle pins no rubric for this person's ladder."]})
    if Review.objects.filter(cycle=cycle, subject=subject).exists():
        raise ValidationError({"subject": ["This person already has a review in this cycle."]})
    review = Review.objects.create(
        cycle=cycle,
        subject=subject,
        author=me,
        rubric_version=version,
        level=subject.level,
        **_where_they_stand(subject, cycle),
    )
    # With history rows, so an assessment's history starts where the review did.
    bulk_create_with_history(
        [
            Assessment(review=review, competency=c.key, order=c.order)
            for c in Competency.objects.filter(version=version).order_by("order", "key")
        ],
        Assessment,
        default_user=actor,
    )
    review_contents_store(review)
    activity_record(
        actor=actor,
        action=Activity.Action.REVIEW_CREATED,
        target=review,
        new={"subject": subject.pk, "cycle": cycle.pk},
    )
    return review


def review_write_refusal(review: Review) -> ConflictError | None:
    """Why the review cannot be written now, or None when it can: only drafts change, and
    only while their cycle is open (a draft left behind when the cycle moved on stays as
    it is, so calibration and the audit of a closed cycle never change under anyone)."""
    if review.status in (
        Review.Status.RELEASED,
        Review.Status.ACKNOWLEDGED,
        Review.Status.CALIBRATED,
    ):
        return ImmutableError(f"The review is {review.status} and cannot change.")
    if review.status != Review.Status.DRAFT:
        return InvalidStateError(f"The review is {review.status}; only drafts can change.")
    cycle_status = review.cycle.status
    if cycle_status != ReviewCycle.Status.OPEN:
        return InvalidStateError(
            f"Reviews are written while their cycle is open; this cycle is {cycle_status}, "
            "so the draft can no longer change."
        )
    return None


def _lock_for_write(*, actor: User, review: Review, version: int | None) -> Review:
    """Lock the row and check who may write, the state and the version read."""
    locked = Review.objects.select_for_update().select_related("cycle").get(pk=review.pk)
    if not review_can_write(user=actor, review=locked):
        raise PermissionDenied("Only managers above this person can change their review.")
    refusal = review_write_refusal(locked)
    if refusal is not None:
        raise refusal
    if version is not None and version != locked.version:
        raise StaleVersionError(
            f"Someone saved this review since you opened it (you have version {version}, "
            f"it is now at version {locked.version}). Nothing was changed."
        )
    return locked


@transaction.atomic
def review_update(
    *,
    actor: User,
    review: Review,
    version: int,
    narrative: dict[str, str] | None = None,
    assessments: list[dict[str, Any]] | None = None,
    overall_rating: str | None = None,
    promotion_to: str | None = None,
) -> Review:
    """Save a draft. ``version`` must be the one the writer read (optimistic locking)."""
    locked = _lock_for_write(actor=actor, review=review, version=version)
    version_obj = locked.rubric_version
    rating_keys = set(Rating.objects.filter(version=version_obj).values_list("key", flat=True))
    comp_order = dict(Competency.objects.filter(version=version_obj).values_list("key", "order"))
    errors: dict[str, Any] = {}
    if narrative is not None:
        unknown = set(narrative) - set(Review.NARRATIVE_SECTIONS)
        if unknown:
            errors["narrative"] = [f"Unknown sections: {', '.join(sorted(unknown))}."]
    if overall_rating and overall_rating not in rating_keys:
        errors["overall_rating"] = [
            f"'{overall_rating}' is not a rating of this rubric: {', '.join(sorted(rating_keys))}."
        ]
    if promotion_to:
        levels = dict(Level.objects.filter(version=version_obj).values_list("code", "order"))
        current = levels.get(locked.level)
        if promotion_to not in levels:
            errors["promotion_to"] = [f"'{promotion_to}' is not a level of this rubric."]
        elif current is not None and levels[promotion_to] <= current:
            errors["promotion_to"] = ["A promotion nominates a level above the current one."]
    evidence_ids: set[int] = set()
    if assessments is not None:
        seen: set[str] = set()
        item_errors: dict[str, list[str]] = {}
        for item in assessments:
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
                    "Cite evidence from this person's library only; unknown: "
                    + ", ".join(str(i) for i in sorted(missing))
                    + "."
                )
        # Django's ValidationError does not nest: one key per competency, "assessments.<key>".
        for key, messages in item_errors.items():
            errors[f"assessments.{key}"] = messages
    if errors:
        raise ValidationError(errors)

    by_key = {a.competency: a for a in locked.assessments.prefetch_related("evidence")}
    if not _changes_anything(
        locked,
        by_key,
        narrative=narrative,
        assessments=assessments,
        overall_rating=overall_rating,
        promotion_to=promotion_to,
    ):
        # Saving what is already saved writes nothing: no new version for a reader to
        # clash with, no history row (the editor saves the page before each submit).
        return locked
    if narrative is not None:
        for section, text in narrative.items():
            setattr(locked, section, text)
    if overall_rating is not None:
        locked.overall_rating = overall_rating
    if promotion_to is not None:
        locked.promotion_to = promotion_to
    if assessments is not None:
        for item in assessments:
            a = by_key.get(item["competency"]) or Assessment(
                review=locked, competency=item["competency"]
            )
            a.rating = item.get("rating") or ""
            a.narrative = item.get("narrative") or ""
            a.order = comp_order.get(item["competency"], 0)
            # Who saved it, also outside a request (simple-history reads this first).
            a._history_user = actor  # type: ignore[attr-defined]
            a.save()
            if "evidence" in item:
                a.evidence.set(item["evidence"] or [])
    locked.version += 1
    locked.save()
    # The HTML, findings and blockers of what was just written, stored with it.
    review_contents_store(locked)
    # The version only: the text and ratings are in the review's own history.
    activity_record(
        actor=actor,
        action=Activity.Action.REVIEW_UPDATED,
        target=locked,
        old={"version": locked.version - 1},
        new={"version": locked.version},
    )
    return locked


def _changes_anything(
    review: Review,
    saved: dict[str, Assessment],
    *,
    narrative: dict[str, str] | None,
    assessments: list[dict[str, Any]] | None,
    overall_rating: str | None,
    promotion_to: str | None,
) -> bool:
    """Whether a review_update would change the review (``saved``: its assessments by
    competency, with their evidence prefetched)."""
    if narrative is not None and any(getattr(review, s) != t for s, t in narrative.items()):
        return True
    if overall_rating is not None and overall_rating != review.overall_rating:
        return True
    if promotion_to is not None and promotion_to != review.promotion_to:
        return True
    for item in assessments or []:
        a = saved.get(item["competency"])
        if a is None:
            return True
        if (item.get("rating") or "") != a.rating or (item.get("narrative") or "") != a.narrative:
            return True
        if "evidence" in item and set(item["evidence"] or []) != {e.pk for e in a.evidence.all()}:
            return True
    return False


def submit_problems(review: Review) -> dict[str, Any]:
    """What stops a review from being submitted (SPEC §1.3): ``{"overall_rating": [...],
    "assessments.<competency>": [...]}``, every missing piece named. The rule itself is
    reviews.lint.submit_blockers, which the editor's quality panel lists too. When the
    cycle requires self-assessments, also ``{"self_assessment": [...]}`` while the
    subject's is not submitted and not yet due (SPEC §11.1)."""
    problems: dict[str, list[str]] = {}
    for blocker in review_blockers(review):
        # "assessments.<key>.rating" / ".evidence" → one key per competency.
        key = ".".join(blocker.field.split(".")[:2])
        problems.setdefault(key, []).append(blocker.message)
    waiting = review_self_assessment_problem(review)
    if waiting is not None:
        problems["self_assessment"] = [waiting]
    return problems


@transaction.atomic
def review_submit(*, actor: User, review: Review, version: int | None = None) -> Review:
    # A submission joins the cycle's audit population: lock the cycle first (the order
    # cycle_transition takes its locks in), so it cannot slip in while the cycle moves on.
    ReviewCycle.objects.select_for_update().filter(pk=review.cycle_id).first()
    locked = _lock_for_write(actor=actor, review=review, version=version)
    problems = submit_problems(locked)
    if problems:
        raise ValidationError(problems)
    subject = Person.objects.get(pk=locked.subject_id)
    for field, value in _where_they_stand(subject, locked.cycle).items():
        setattr(locked, field, value)
    locked.status = Review.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.version += 1
    locked.save(
        update_fields=[
            "status",
            "submitted_at",
            "version",
            "updated_at",
            "team",
            "function",
            "manager",
            "tenure_band",
            "location",
        ]
    )
    activity_record(
        actor=actor,
        action=Activity.Action.REVIEW_SUBMITTED,
        target=locked,
        # The status only: activity rows never carry ratings or review text (SPEC §1.6).
        new={"status": locked.status},
    )
    return locked


@transaction.atomic
def review_acknowledge(*, actor: User, review: Review, response: str = "") -> Review:
    locked = Review.objects.select_for_update().get(pk=review.pk)
    me = actor_person(actor)
    if locked.subject_id != me.pk:
        raise PermissionDenied("Only the person reviewed can acknowledge their review.")
    if locked.status != Review.Status.RELEASED:
        raise InvalidStateError(
            f"Only a released review can be acknowledged; it is {locked.status}."
        )
    locked.status = Review.Status.ACKNOWLEDGED
    locked.acknowledged_at = timezone.now()
    locked.acknowledgement = response
    locked.version += 1
    locked.save(
        update_fields=["status", "acknowledged_at", "acknowledgement", "version", "updated_at"]
    )
    # That it was acknowledged, not what the person wrote back.
    activity_record(
        actor=actor,
        action=Activity.Action.REVIEW_ACKNOWLEDGED,
        target=locked,
        old={"status": Review.Status.RELEASED},
        new={"status": Review.Status.ACKNOWLEDGED},
    )
    return locked


def reviews_bulk_insert(*, reviews: list[Review], batch_size: int = 2000) -> list[Review]:
    """Insert many ready-made reviews at once, for generated data only (``manage.py
    bench``): nothing is validated, no history or Activity is recorded, which is what makes
    ten thousand reviews take seconds. Real reviews go through ``review_create``.

    Their stored contents (reviews.contents) are left to derive: once their assessments
    are in, ``reviews_contents_rebuild`` derives them all, else each is derived when first
    read."""
    return Review.objects.bulk_create(reviews, batch_size=batch_size)
