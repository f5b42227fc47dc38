"""Reads for appeals of released reviews (SPEC §11.3), scoped by SPEC §3.

Who sees an appeal: the person reviewed, their manager chain (any depth) and HR. Nobody
else learns that it exists (404), committee members of the review's session included.
Every viewer who may see an appeal sees all of it (``APPEAL_FIELDS``): an appeal holds the
subject's reason, the evidence they cite and HR's resolution, never a demographic value.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from calibration.models import Appeal, CalibrationCase, CalibrationSession
from core.errors import InvalidStateError
from org.models import Person
from org.selectors import is_hr, person_for_user, person_in_chain
from org.types import Viewer
from reviews.models import Evidence, Review
from reviews.selectors import chain_ids
from rubrics.models import Rating

# What every viewer of an appeal gets (calibration.appeal_serializers.AppealSerializer).
APPEAL_FIELDS = (
    "id",
    "review",
    "subject",
    "cycle",
    "reason",
    "evidence",
    "status",
    "resolution",
    "resolution_note",
    "rubric_refs",
    "from_rating",
    "to_rating",
    "opened_at",
    "resolved_by",
    "resolved_at",
)
APPEALABLE_STATUSES = (Review.Status.RELEASED, Review.Status.ACKNOWLEDGED)


def appeal_visibility(user: Viewer) -> Q | None:
    """None for HR (every appeal); else the user's own and their reporting chain's."""
    if is_hr(user):
        return None
    me = person_for_user(user)
    if me is None:
        return Q(pk__in=[])
    return Q(review__subject=me) | Q(review__subject__in=chain_ids(me))


def appeal_list(*, user: Viewer) -> QuerySet[Appeal]:
    """The appeals ``user`` may see, open ones first then resolved, oldest first, with
    what the queue, the page and the API show of them, in a fixed number of queries."""
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    qs = (
        Appeal.objects.select_related(
            "review__cycle",
            "review__subject__team",
            "review__author",
            "resolved_by__person",
        )
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("occurred_on", "id"))
        )
        .order_by("status", "opened_at", "id")
    )
    visible = appeal_visibility(user)
    return qs if visible is None else qs.filter(visible)


def appeal_get(*, user: Viewer, pk: Any) -> Appeal:
    try:
        return appeal_list(user=user).get(pk=int(pk))
    except (Appeal.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such appeal.") from exc


def appeal_for_review(*, user: Viewer, review: Review) -> Appeal | None:
    """The appeal of ``review`` if ``user`` may see it (the review page asks this through
    reviews.appeal_hook). ``review`` comes from a review selector: one the user may see."""
    return appeal_list(user=user).filter(review_id=review.pk).first()


def appeal_open_check(*, user: Viewer, review: Review) -> None:
    """Raise why ``user`` may not appeal ``review`` now: PermissionDenied (403) for anyone
    but the person reviewed, InvalidStateError (409) before release or once appealed."""
    me = person_for_user(user)
    if me is None or me.pk != review.subject_id:
        raise PermissionDenied("Only the person reviewed can appeal their review.")
    if review.status not in APPEALABLE_STATUSES:
        raise InvalidStateError("A review can be appealed once its cycle is released.")
    if Appeal.objects.filter(review_id=review.pk).exists():
        raise InvalidStateError("This review already has an appeal: a review is appealed once.")


def appeal_can_open(*, user: Viewer, review: Review) -> bool:
    try:
        appeal_open_check(user=user, review=review)
    except (PermissionDenied, InvalidStateError):
        return False
    return True


def appeal_resolve_refusal(*, user: Viewer, appeal: Appeal) -> str | None:
    """Why ``user`` may not resolve ``appeal``, or None. HR resolves appeals (superusers
    hold HR's powers), but never one on a review they wrote, of someone they manage, or
    their own."""
    if not is_hr(user):
        return "Only HR resolves appeals."
    me = person_for_user(user)
    if me is None:
        return None
    review = appeal.review
    if me.pk == review.subject_id:
        return "You cannot resolve an appeal of your own review: another HR colleague will."
    if me.pk == review.author_id:
        return "You wrote this review, so another HR colleague resolves its appeal."
    subject = Person(pk=review.subject_id)
    if person_in_chain(manager=me, person=subject):
        return (
            "You are in this person's manager chain, so another HR colleague resolves their appeal."
        )
    return None


def appeal_rating_case(review: Review) -> CalibrationCase | None:
    """The rating case of ``review`` in the last finalized session that calibrated it:
    where a rating changed on appeal is logged beside the committee's decision."""
    return (
        CalibrationCase.objects.filter(
            review_id=review.pk,
            kind=CalibrationCase.Kind.RATING,
            session__status=CalibrationSession.Status.FINALIZED,
        )
        .select_related("session")
        .order_by("-session__finalized_at", "-id")
        .first()
    )


def appeal_evidence_choices(*, review: Review) -> QuerySet[Evidence]:
    """What the subject may cite in an appeal of ``review``: their own evidence items."""
    return Evidence.objects.filter(person_id=review.subject_id).order_by("-occurred_on", "-id")


def review_appeal(*, user: Viewer, review: Review) -> dict[str, Any] | None:
    """What the review page shows about an appeal (reviews.appeal_hook asks): the appeal
    the viewer may see, with its ratings' labels, or the subject's way to open one; None
    when there is neither."""
    appeal = appeal_for_review(user=user, review=review)
    if appeal is None:
        if not appeal_can_open(user=user, review=review):
            return None
        return {
            "appeal": None,
            "can_open": True,
            "url": reverse("calibration:appeal-open", args=[review.pk]),
        }
    labels = dict(
        Rating.objects.filter(
            version_id=review.rubric_version_id, key__in=[appeal.from_rating, appeal.to_rating]
        ).values_list("key", "label")
    )
    return {
        "appeal": appeal,
        "can_open": False,
        "url": reverse("calibration:appeal", args=[appeal.pk]),
        "from_label": labels.get(appeal.from_rating, appeal.from_rating),
        "to_label": labels.get(appeal.to_rating, appeal.to_rating),
    }


def letter_appeal_change(review: Review) -> Appeal | None:
    """The appeal that changed ``review``'s final rating, if one did: the outcome letter
    explains it (its readers are those of the letter: calibration.selectors.
    letter_review_get)."""
    return (
        Appeal.objects.filter(review_id=review.pk, resolution=Appeal.Resolution.CHANGED)
        .select_related("resolved_by__person")
        .first()
    )
