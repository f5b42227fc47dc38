"""Feedback requests: asked by a manager or the person, answered (as attributed evidence)
or declined by the colleague asked."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import InvalidStateError
from org.models import Activity, Person
from org.services import activity_record
from org.types import User
from reviews.models import Evidence, FeedbackRequest, ReviewCycle
from reviews.services.actors import actor_person


@transaction.atomic
def feedback_request_create(
    *,
    actor: User,
    cycle: ReviewCycle,
    subject: Person,
    respondent: Person,
    relationship: str,
    message: str = "",
) -> FeedbackRequest:
    """A manager (for someone in their chain) or the person themself asks for feedback."""
    me = actor_person(actor)
    if not (me.pk == subject.pk or Person.objects.descendants(me).filter(pk=subject.pk).exists()):
        raise ValidationError({"subject": ["Ask for feedback on yourself or your reports only."]})
    if respondent.pk == subject.pk:
        raise ValidationError({"respondent": ["Ask someone other than the person themself."]})
    if not respondent.is_active:
        raise ValidationError({"respondent": ["That person is no longer active."]})
    if cycle.status != ReviewCycle.Status.OPEN:
        raise InvalidStateError("Feedback is requested while a cycle is open.")
    if FeedbackRequest.objects.filter(cycle=cycle, subject=subject, respondent=respondent).exists():
        raise ValidationError({"respondent": ["Already asked for feedback on this person."]})
    fb = FeedbackRequest.objects.create(
        cycle=cycle,
        subject=subject,
        respondent=respondent,
        requested_by=me,
        relationship=relationship,
        message=message,
    )
    # Who was asked about whom; the message is between the asker and the respondent.
    activity_record(
        actor=actor,
        action=Activity.Action.FEEDBACK_REQUESTED,
        target=fb,
        new={
            "cycle": cycle.pk,
            "subject": subject.pk,
            "respondent": respondent.pk,
            "relationship": relationship,
        },
    )
    return fb


@transaction.atomic
def feedback_answer(
    *, actor: User, request: FeedbackRequest, owned: str, changed: str, more_of: str = ""
) -> FeedbackRequest:
    """The respondent answers; the answer becomes attributed evidence on the subject."""
    locked = (
        FeedbackRequest.objects.select_for_update()
        .select_related("subject", "respondent")
        .get(pk=request.pk)
    )
    me = actor_person(actor)
    if locked.respondent_id != me.pk:
        raise PermissionDenied("Only the person asked can answer.")
    if locked.status != FeedbackRequest.Status.PENDING:
        raise InvalidStateError(f"This request is already {locked.status}.")
    if not (owned.strip() or changed.strip()):
        raise ValidationError({"owned": ["Say what they owned or what changed because of them."]})
    kind = (
        Evidence.Kind.CROSS_FUNCTIONAL_FEEDBACK
        if locked.relationship == FeedbackRequest.Relationship.CROSS_FUNCTIONAL
        else Evidence.Kind.PEER_FEEDBACK
    )
    parts = [
        ("What they owned", owned),
        ("What changed because of their work", changed),
        ("What they could do more of", more_of),
    ]
    summary = "\n\n".join(f"**{label}:** {text.strip()}" for label, text in parts if text.strip())
    evidence = Evidence.objects.create(
        person=locked.subject,
        kind=kind,
        title=f"Feedback from {me.full_name}",
        occurred_on=timezone.localdate(),
        summary=summary,
        source=Evidence.Source.FEEDBACK,
        added_by=actor,
        attributed_to=me,
    )
    locked.owned, locked.changed, locked.more_of = owned, changed, more_of
    locked.status = FeedbackRequest.Status.ANSWERED
    locked.answered_at = timezone.now()
    locked.evidence = evidence
    locked.save()
    # That it was answered and where the answer went, not the answer itself.
    activity_record(
        actor=actor,
        action=Activity.Action.FEEDBACK_ANSWERED,
        target=locked,
        old={"status": FeedbackRequest.Status.PENDING},
        new={"status": FeedbackRequest.Status.ANSWERED, "evidence": evidence.pk},
    )
    return locked


@transaction.atomic
def feedback_decline(*, actor: User, request: FeedbackRequest) -> FeedbackRequest:
    locked = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
    if locked.respondent_id != actor_person(actor).pk:
        raise PermissionDenied("Only the person asked can decline.")
    if locked.status != FeedbackRequest.Status.PENDING:
        raise InvalidStateError(f"This request is already {locked.status}.")
    locked.status = FeedbackRequest.Status.DECLINED
    locked.save(update_fields=["status"])
    activity_record(
        actor=actor,
        action=Activity.Action.FEEDBACK_DECLINED,
        target=locked,
        old={"status": FeedbackRequest.Status.PENDING},
        new={"status": FeedbackRequest.Status.DECLINED},
    )
    return locked
