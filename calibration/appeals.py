"""Appeals of released reviews (SPEC §11.3): the subject opens one, HR resolves it once.

Neither is ever edited: there is no update path. ``changed`` writes the new final rating
to the review, records it in the append-only decision log (beside the committee's
decision when a session calibrated the review) and, as the review's version moves, the
outcome letter is written again with it. The Activity trail says who opened or resolved
which appeal, never its reason, note or ratings.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from calibration.models import Appeal, DecisionLog
from calibration.selectors import appeals as appeal_selectors
from core.errors import ImmutableError, InvalidStateError
from core.validation import check, long_text
from org.models import Activity
from org.services import activity_record
from org.types import User
from reviews.models import Evidence, Review
from rubrics.models import Competency, Level, Rating

# Activity actions (org.models.Activity.Action lists the other apps' actions).
APPEAL_OPENED = Activity.Action.APPEAL_OPENED
APPEAL_RESOLVED = Activity.Action.APPEAL_RESOLVED
TEXT_LIMIT = 8000


def _text(value: str | None, field: str, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [missing]})
    if len(text) > TEXT_LIMIT:
        raise ValidationError({field: [f"Keep it under {TEXT_LIMIT:,} characters."]})
    check(field, text, long_text)
    return text


@transaction.atomic
def appeal_open(
    *, actor: User, review: Review, reason: str, evidence: list[Evidence] | None = None
) -> Appeal:
    """The subject appeals their released (or acknowledged) review, once. ``review`` comes
    from a review selector: one the actor may see (a subject sees theirs once released)."""
    appeal_selectors.appeal_open_check(user=actor, review=review)
    text = _text(reason, "reason", "Say why you are appealing: what you think is wrong.")
    cited = list(evidence or [])
    if any(e.person_id != review.subject_id for e in cited):
        raise ValidationError({"evidence": ["Cite items from your own evidence."]})
    try:
        # A savepoint: a second appeal sent at the same moment meets the unique review.
        with transaction.atomic():
            appeal = Appeal.objects.create(review=review, reason=text, opened_by=actor)
    except IntegrityError as exc:
        raise InvalidStateError(
            "This review already has an appeal: a review is appealed once."
        ) from exc
    appeal.evidence.set(cited)
    activity_record(
        actor=actor,
        action=APPEAL_OPENED,
        target=appeal,
        new={"review": review.pk, "evidence": len(cited)},
    )
    return appeal


def _rubric_refs(review: Review, refs: Any) -> list[dict[str, str]]:
    """At least one expectation (level × competency) of the review's pinned rubric, in a
    stable order without duplicates."""
    if not isinstance(refs, list) or not refs:
        raise ValidationError(
            {"rubric_refs": ["Cite at least one rubric expectation the resolution rests on."]}
        )
    version = review.rubric_version_id
    levels = set(Level.objects.filter(version_id=version).values_list("code", flat=True))
    comps = set(Competency.objects.filter(version_id=version).values_list("key", flat=True))
    out: dict[tuple[str, str], dict[str, str]] = {}
    bad = []
    for ref in refs:
        level = ref.get("level") if isinstance(ref, dict) else None
        comp = ref.get("competency") if isinstance(ref, dict) else None
        if level not in levels or comp not in comps:
            bad.append(f"{level} × {comp}")
            continue
        out.setdefault((level, comp), {"level": str(level), "competency": str(comp)})
    if bad:
        raise ValidationError(
            {"rubric_refs": [f"Not expectations of this rubric: {', '.join(bad)}."]}
        )
    return list(out.values())


@transaction.atomic
def appeal_resolve(
    *,
    actor: User,
    appeal: Appeal,
    resolution: str,
    resolution_note: str,
    rubric_refs: Any,
    rating: str = "",
) -> Appeal:
    """HR resolves an open appeal: ``upheld`` (the rating stands), ``changed`` (to
    ``rating``, a rating of the pinned rubric other than the current one) or ``withdrawn``
    (the subject took it back), always with a note that cites the rubric."""
    # Lock the appeal and its review: two HR colleagues resolving at once must not both
    # see it open (PostgreSQL locks the joined review row too).
    locked = (
        Appeal.objects.select_for_update()
        .select_related("review", "review__subject")
        .get(pk=appeal.pk)
    )
    refusal = appeal_selectors.appeal_resolve_refusal(user=actor, appeal=locked)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if locked.status == Appeal.Status.RESOLVED:
        raise ImmutableError("This appeal is resolved; a resolution is never changed.")
    review = locked.review
    errors: dict[str, list[str]] = {}
    if resolution not in Appeal.Resolution.values:
        errors["resolution"] = ["Choose upheld, changed or withdrawn."]
    note = ""
    try:
        note = _text(
            resolution_note,
            "resolution_note",
            "Write the note: what in the rubric the resolution rests on.",
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    current = review.final_rating or review.overall_rating
    rating = (rating or "").strip()
    if resolution == Appeal.Resolution.CHANGED:
        keys = set(
            Rating.objects.filter(version_id=review.rubric_version_id).values_list("key", flat=True)
        )
        if not rating:
            errors["rating"] = ["Choose the new final rating."]
        elif rating not in keys:
            errors["rating"] = [
                f"'{rating[:60]}' is not a rating of this rubric: {', '.join(sorted(keys))}."
            ]
        elif rating == current:
            errors["rating"] = ["That is the current final rating: resolve as upheld to keep it."]
    elif rating:
        errors["rating"] = ["Only a changed resolution takes a new rating."]
    try:
        refs = _rubric_refs(review, rubric_refs)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    locked.status = Appeal.Status.RESOLVED
    locked.resolution = resolution
    locked.resolution_note = note
    locked.rubric_refs = refs
    locked.resolved_by = actor
    locked.resolved_at = now
    if resolution == Appeal.Resolution.CHANGED:
        locked.from_rating, locked.to_rating = current, rating
        review.final_rating = rating
        # A new version: the outcome letter's PDF is kept per version, so it is written
        # again with the new rating.
        review.version += 1
        review.save(update_fields=["final_rating", "version", "updated_at"])
        case = appeal_selectors.appeal_rating_case(review)
        DecisionLog.objects.create(
            session=case.session if case else None,
            case=case,
            appeal=locked,
            actor=actor,
            action=DecisionLog.Action.APPEAL_CHANGED,
            field="final_rating",
            from_value=current,
            to_value=rating,
            rationale=note,
        )
    locked.save()
    activity_record(
        actor=actor,
        action=APPEAL_RESOLVED,
        target=locked,
        new={"review": review.pk, "status": locked.status},
    )
    return locked
