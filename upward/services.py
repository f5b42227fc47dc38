"""Writes for upward feedback (SPEC §11.4): asking, answering, closing.

Answering writes the answer and flips the respondent's invitation in one transaction, and
writes nothing else: no activity row, no log line, no timestamp. That the respondent has
answered is all the invitation says; what they answered is in a row that names no one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import InvalidStateError
from core.validation import check, long_text, plausible_date
from org.models import Activity, Person
from org.selectors import person_for_user
from org.services import activity_record
from org.types import User
from reviews.models import ReviewCycle
from upward import selectors
from upward.models import Frequency, UpwardAnswer, UpwardInvitation, UpwardRound

COMMENT_MAX = 2000


@transaction.atomic
def round_create(
    *,
    actor: User,
    subject: Person,
    cycle: ReviewCycle | None = None,
    competencies: list[str] | None = None,
    closes_on: datetime.date | None = None,
) -> UpwardRound:
    """HR, or someone above ``subject`` in the chain, asks the subject's direct reports."""
    choices = selectors.subject_choices(user=actor)
    if not choices.exists():
        raise PermissionDenied("You can ask for upward feedback on managers in your chain only.")
    if not choices.filter(pk=subject.pk).exists():
        raise ValidationError(
            {"subject": ["Choose a manager in your reporting line who has reports."]}
        )
    invitees = selectors.invitees_for(subject)
    needed = selectors.threshold()
    if len(invitees) < needed:
        raise ValidationError(
            {
                "subject": [
                    f"{subject.full_name} has {len(invitees)} active direct "
                    f"report{'s' if len(invitees) != 1 else ''}. Anonymous feedback needs at "
                    f"least {needed}, so that no answer can be traced to one person."
                ]
            }
        )
    version = selectors.prompt_version(subject)
    if version is None:
        raise ValidationError(
            {
                "competencies": [
                    "There is no published Engineering Manager ladder with at least three "
                    "competencies to ask about. Publish one first."
                ]
            }
        )
    keys = _chosen_keys(version, competencies)
    check("closes_on", closes_on, plausible_date)
    if closes_on is not None and closes_on < timezone.localdate():
        raise ValidationError({"closes_on": ["Choose today or a later date."]})
    if UpwardRound.objects.filter(subject=subject, status=UpwardRound.Status.OPEN).exists():
        raise InvalidStateError(f"A round on {subject.full_name} is already open. Close it first.")
    me = person_for_user(actor)
    try:
        with transaction.atomic():
            upward_round = UpwardRound.objects.create(
                subject=subject,
                requested_by=me,
                requested_by_user=actor,
                cycle=cycle,
                rubric_version=version,
                prompts=selectors.prompts_for(version, subject, keys),
                closes_on=closes_on,
            )
    except IntegrityError as exc:  # another round opened at the same moment
        raise InvalidStateError(f"A round on {subject.full_name} is already open.") from exc
    UpwardInvitation.objects.bulk_create(
        UpwardInvitation(round=upward_round, respondent=p) for p in invitees
    )
    # How many were asked, never who: the invitations say that, to no one but themselves.
    activity_record(
        actor=actor,
        action=Activity.Action.UPWARD_ROUND_CREATED,
        target=upward_round,
        new={"subject": subject.pk, "invited": len(invitees), "prompts": keys},
    )
    return upward_round


def _chosen_keys(version: Any, competencies: list[str] | None) -> list[str]:
    options = [c.key for c in selectors.competency_options(version)]
    if not competencies:
        return options[: selectors.PROMPT_COUNT]
    unknown = [k for k in competencies if k not in options]
    if unknown:
        raise ValidationError(
            {"competencies": [f"Not a competency of this ladder: {', '.join(unknown)}."]}
        )
    if len(set(competencies)) != selectors.PROMPT_COUNT or len(competencies) != len(
        set(competencies)
    ):
        raise ValidationError({"competencies": ["Choose exactly three different competencies."]})
    return list(competencies)


def _clean_items(upward_round: UpwardRound, answers: Any) -> dict[str, dict[str, str]]:
    """``answers``: {prompt key: {"choice": …, "comment": …}} for every prompt."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": ["Send one answer per question, keyed by question."]})
    keys = [p["key"] for p in upward_round.prompts]
    extra = sorted(set(answers) - set(keys))
    if extra:
        raise ValidationError({"answers": [f"Not a question of this round: {', '.join(extra)}."]})
    allowed = set(Frequency.values)
    cleaned: dict[str, dict[str, str]] = {}
    errors: dict[str, list[str]] = {}
    for prompt in upward_round.prompts:
        key = prompt["key"]
        given = answers.get(key)
        if not isinstance(given, dict) or given.get("choice") not in allowed:
            errors[key] = ["Choose one of the answers (or \u201ccan't say\u201d)."]
            continue
        comment = given.get("comment") or ""
        if not isinstance(comment, str):
            errors[key] = ["A comment is text."]
            continue
        comment = comment.strip()
        if len(comment) > COMMENT_MAX:
            errors[key] = [f"Keep the comment under {COMMENT_MAX} characters."]
            continue
        try:
            long_text(comment)
        except ValidationError as exc:
            errors[key] = exc.messages
            continue
        cleaned[key] = {"choice": given["choice"], "comment": comment}
    if errors:
        raise ValidationError(errors)
    return cleaned


def round_is_open(upward_round: UpwardRound) -> bool:
    if upward_round.status != UpwardRound.Status.OPEN:
        return False
    return upward_round.closes_on is None or upward_round.closes_on >= timezone.localdate()


@transaction.atomic
def round_answer(*, actor: User, round: UpwardRound, answers: Any) -> None:
    """The invited respondent answers, once. Nothing returned: not even the new row's id
    goes back to the caller."""
    me = person_for_user(actor)
    locked = UpwardRound.objects.select_for_update().get(pk=round.pk)
    invitation = (
        UpwardInvitation.objects.select_for_update().filter(round=locked, respondent=me).first()
        if me is not None
        else None
    )
    if invitation is None:
        raise PermissionDenied("Only the people asked can answer.")
    if invitation.has_answered:
        raise InvalidStateError("You have already answered. Each person answers once.")
    if not round_is_open(locked):
        raise InvalidStateError("This round is closed.")
    items = _clean_items(locked, answers)
    UpwardAnswer.objects.create(round=locked, items=items)
    UpwardInvitation.objects.filter(pk=invitation.pk).update(has_answered=True)
    # Answers join the results in batches of at least the threshold: a reader comparing the
    # results before and after a change never sees fewer than that many new answers.
    waiting = UpwardAnswer.objects.filter(round=locked, shown=False)
    if waiting.count() >= selectors.threshold():
        waiting.update(shown=True)


@transaction.atomic
def round_close(*, actor: User, round: UpwardRound) -> UpwardRound:
    """Whoever asked (or HR) closes the round: no more answers. Answers still held back
    (fewer than the threshold since the last batch) stay out of the results."""
    if not selectors.round_can_close(user=actor, round=round):
        raise PermissionDenied("Only whoever asked, or HR, can close this round.")
    locked = UpwardRound.objects.select_for_update().get(pk=round.pk)
    if locked.status == UpwardRound.Status.CLOSED:
        raise InvalidStateError("This round is already closed.")
    locked.status = UpwardRound.Status.CLOSED
    locked.save(update_fields=["status"])
    activity_record(
        actor=actor,
        action=Activity.Action.UPWARD_ROUND_CLOSED,
        target=locked,
        old={"status": UpwardRound.Status.OPEN},
        new={"status": UpwardRound.Status.CLOSED},
    )
    return locked
