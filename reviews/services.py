"""Writes for the review cycle: cycles, evidence, reviews, feedback and check-ins.

Each function takes the acting user, checks the actor's right to act inside (create
paths are not covered by queryset scoping), raises ValidationError for bad input and a
ConflictError for writes the state forbids, and records what it did.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import ConflictError, ImmutableError, InvalidStateError, StaleVersionError
from core.hooks import Hook
from core.validation import check, past_date, plausible_date
from org.models import Activity, Person
from org.selectors import is_hr, person_for_user
from org.services import activity_record
from reviews.evidence_links import classify_url
from reviews.lint import review_blockers
from reviews.models import (
    Assessment,
    CheckIn,
    Evidence,
    FeedbackRequest,
    Review,
    ReviewCycle,
)
from reviews.selectors import person_can_add_evidence, review_can_write
from rubrics.models import Competency, Level, Rating, RubricVersion

Status = ReviewCycle.Status

# The moves a cycle may make (SPEC §5); anything else answers 409 invalid_state.
CYCLE_TRANSITIONS = {
    Status.DRAFT: {Status.OPEN},
    Status.OPEN: {Status.CALIBRATING},
    Status.CALIBRATING: {Status.FINALIZED},
    Status.FINALIZED: {Status.RELEASED},
    Status.RELEASED: set(),
}


def _require_hr(actor: Any, what: str) -> None:
    if not is_hr(actor):
        raise PermissionDenied(f"Only HR can {what}.")


def _check_person_writable(actor: Any, person: Person, what: str) -> None:
    """Someone the actor cannot see is "no such person" (400, existence not revealed);
    someone they can see but not write for is a 403."""
    from org.selectors import person_list

    if not person_list(user=actor).filter(pk=person.pk).exists():
        raise ValidationError({"person": ["No such person."]})
    if not person_can_add_evidence(user=actor, person=person):
        raise PermissionDenied(f"You can add {what} for yourself and your reports only.")


def _me(actor: Any) -> Person:
    me = person_for_user(actor)
    if me is None:
        raise PermissionDenied("Your account has no person record.")
    return me


# --- Cycles ----------------------------------------------------------------------------


def _validate_versions(versions: list[RubricVersion]) -> None:
    ladders = [v.ladder_id for v in versions]
    if len(ladders) != len(set(ladders)):
        raise ValidationError({"rubric_versions": ["Pin one rubric version per ladder."]})


@transaction.atomic
def cycle_create(
    *,
    actor: Any,
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
def cycle_update(*, actor: Any, cycle: ReviewCycle, **changes: Any) -> ReviewCycle:
    """Name and dates change while a cycle is a draft; the pinned versions too."""
    _require_hr(actor, "change review cycles")
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status in (Status.FINALIZED, Status.RELEASED):
        raise ImmutableError(f"The cycle is {cycle.status} and cannot change.")
    if cycle.status != Status.DRAFT and set(changes) - {"name"}:
        raise InvalidStateError("Only a draft cycle's dates and rubric versions can change.")
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
    from rubrics.models import Ladder

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
def cycle_transition(*, actor: Any, cycle: ReviewCycle, to: str) -> ReviewCycle:
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


# --- Evidence --------------------------------------------------------------------------

# Feedback evidence is someone else's word about the person: it exists only as the answer
# to a feedback request (feedback_answer), attributed to who gave it, never added by hand.
ANSWER_ONLY_KINDS = frozenset(
    {Evidence.Kind.PEER_FEEDBACK, Evidence.Kind.CROSS_FUNCTIONAL_FEEDBACK}
)
# The kinds a person or their manager may choose when adding evidence themselves.
HAND_KIND_CHOICES = [(v, label) for v, label in Evidence.Kind.choices if v not in ANSWER_ONLY_KINDS]


def _check_hand_kind(kind: str) -> None:
    if kind not in Evidence.Kind.values:
        raise ValidationError({"kind": [f"Unknown kind '{kind}'."]})
    if kind in ANSWER_ONLY_KINDS:
        label = Evidence.Kind(kind).label
        raise ValidationError(
            {
                "kind": [
                    f"{label} comes only from answering a feedback request; ask for feedback "
                    "instead of adding it by hand."
                ]
            }
        )


def _validate_url(url: str) -> None:
    if url and not url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": ["Evidence links must start with http:// or https://."]})


@transaction.atomic
def evidence_create(
    *,
    actor: Any,
    person: Person,
    title: str,
    occurred_on: datetime.date,
    kind: str = "",
    url: str = "",
    summary: str = "",
    outcome_team: Any = None,
    outcome_start: datetime.date | None = None,
    outcome_end: datetime.date | None = None,
) -> Evidence:
    """The person and anyone above them in the chain add evidence; a recognised link
    sets the kind when none is given."""
    _check_person_writable(actor, person, "evidence")
    check("occurred_on", occurred_on, past_date)
    check("outcome_start", outcome_start, plausible_date)
    check("outcome_end", outcome_end, plausible_date)
    _validate_url(url)
    if not kind or kind == Evidence.Kind.OTHER:
        kind = classify_url(url).kind or Evidence.Kind.OTHER
    _check_hand_kind(kind)
    if outcome_team is not None or outcome_start or outcome_end:
        # A team_outcome item links to one team scorecard window.
        if kind == Evidence.Kind.OTHER:
            kind = Evidence.Kind.TEAM_OUTCOME
        if kind != Evidence.Kind.TEAM_OUTCOME:
            raise ValidationError({"kind": ["Only team_outcome evidence links to a scorecard."]})
        if outcome_team is None or not outcome_start or not outcome_end:
            raise ValidationError(
                {"outcome_team": ["Give the team, outcome_start and outcome_end together."]}
            )
        if outcome_end < outcome_start:
            raise ValidationError({"outcome_end": ["The window must end on or after it starts."]})
    item = Evidence(
        person=person,
        kind=kind,
        title=title,
        url=url,
        occurred_on=occurred_on,
        summary=summary,
        added_by=actor,
        outcome_team=outcome_team,
        outcome_start=outcome_start,
        outcome_end=outcome_end,
    )
    item.full_clean()
    item.save()
    return item


# --- Reviews ---------------------------------------------------------------------------


@transaction.atomic
def review_create(*, actor: Any, cycle: ReviewCycle, subject: Person) -> Review:
    """A manager starts a review of someone in their chain, pinned to the cycle's rubric
    version for the subject's ladder."""
    me = _me(actor)
    if not Person.objects.descendants(me).filter(pk=subject.pk).exists():
        raise ValidationError({"subject": ["You can review people in your reporting chain only."]})
    if cycle.status != Status.OPEN:
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
        team_id=subject.team_id,
        function=subject.function,
        manager_id=subject.parent_id,
    )
    Assessment.objects.bulk_create(
        [
            Assessment(review=review, competency=c.key, order=c.order)
            for c in Competency.objects.filter(version=version).order_by("order", "key")
        ]
    )
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
    if cycle_status != Status.OPEN:
        return InvalidStateError(
            f"Reviews are written while their cycle is open; this cycle is {cycle_status}, "
            "so the draft can no longer change."
        )
    return None


def _lock_for_write(*, actor: Any, review: Review, version: int | None) -> Review:
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
    actor: Any,
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
            a.save()
            if "evidence" in item:
                a.evidence.set(item["evidence"] or [])
    locked.version += 1
    locked.save()
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
    reviews.lint.submit_blockers, which the editor's quality panel lists too."""
    problems: dict[str, list[str]] = {}
    for blocker in review_blockers(review):
        # "assessments.<key>.rating" / ".evidence" → one key per competency.
        key = ".".join(blocker.field.split(".")[:2])
        problems.setdefault(key, []).append(blocker.message)
    return problems


@transaction.atomic
def review_submit(*, actor: Any, review: Review, version: int | None = None) -> Review:
    # A submission joins the cycle's audit population: lock the cycle first (the order
    # cycle_transition takes its locks in), so it cannot slip in while the cycle moves on.
    ReviewCycle.objects.select_for_update().filter(pk=review.cycle_id).first()
    locked = _lock_for_write(actor=actor, review=review, version=version)
    problems = submit_problems(locked)
    if problems:
        raise ValidationError(problems)
    subject = Person.objects.get(pk=locked.subject_id)
    locked.team_id, locked.function, locked.manager_id = (
        subject.team_id,
        subject.function,
        subject.parent_id,
    )
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
        ]
    )
    activity_record(
        actor=actor,
        action=Activity.Action.REVIEW_SUBMITTED,
        target=locked,
        new={"overall_rating": locked.overall_rating},
    )
    return locked


@transaction.atomic
def review_acknowledge(*, actor: Any, review: Review, response: str = "") -> Review:
    locked = Review.objects.select_for_update().get(pk=review.pk)
    me = _me(actor)
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
    return locked


# --- Feedback --------------------------------------------------------------------------


@transaction.atomic
def feedback_request_create(
    *,
    actor: Any,
    cycle: ReviewCycle,
    subject: Person,
    respondent: Person,
    relationship: str,
    message: str = "",
) -> FeedbackRequest:
    """A manager (for someone in their chain) or the person themself asks for feedback."""
    me = _me(actor)
    if not (me.pk == subject.pk or Person.objects.descendants(me).filter(pk=subject.pk).exists()):
        raise ValidationError({"subject": ["Ask for feedback on yourself or your reports only."]})
    if respondent.pk == subject.pk:
        raise ValidationError({"respondent": ["Ask someone other than the person themself."]})
    if not respondent.is_active:
        raise ValidationError({"respondent": ["That person is no longer active."]})
    if cycle.status != Status.OPEN:
        raise InvalidStateError("Feedback is requested while a cycle is open.")
    if FeedbackRequest.objects.filter(cycle=cycle, subject=subject, respondent=respondent).exists():
        raise ValidationError({"respondent": ["Already asked for feedback on this person."]})
    return FeedbackRequest.objects.create(
        cycle=cycle,
        subject=subject,
        respondent=respondent,
        requested_by=me,
        relationship=relationship,
        message=message,
    )


@transaction.atomic
def feedback_answer(
    *, actor: Any, request: FeedbackRequest, owned: str, changed: str, more_of: str = ""
) -> FeedbackRequest:
    """The respondent answers; the answer becomes attributed evidence on the subject."""
    locked = (
        FeedbackRequest.objects.select_for_update()
        .select_related("subject", "respondent")
        .get(pk=request.pk)
    )
    me = _me(actor)
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
    return locked


@transaction.atomic
def feedback_decline(*, actor: Any, request: FeedbackRequest) -> FeedbackRequest:
    locked = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
    if locked.respondent_id != _me(actor).pk:
        raise PermissionDenied("Only the person asked can decline.")
    if locked.status != FeedbackRequest.Status.PENDING:
        raise InvalidStateError(f"This request is already {locked.status}.")
    locked.status = FeedbackRequest.Status.DECLINED
    locked.save(update_fields=["status"])
    return locked


# --- Check-ins -------------------------------------------------------------------------


@transaction.atomic
def check_in_create(
    *,
    actor: Any,
    person: Person,
    occurred_on: datetime.date,
    what_changed: str = "",
    blocked: str = "",
    risks: str = "",
    support: str = "",
) -> CheckIn:
    _check_person_writable(actor, person, "check-ins")
    check("occurred_on", occurred_on, plausible_date)
    if not any(t.strip() for t in (what_changed, blocked, risks, support)):
        raise ValidationError({"what_changed": ["Write something in at least one prompt."]})
    return CheckIn.objects.create(
        person=person,
        manager=person.parent,
        occurred_on=occurred_on,
        what_changed=what_changed,
        blocked=blocked,
        risks=risks,
        support=support,
        created_by=actor,
    )


@transaction.atomic
def check_in_promote(
    *, actor: Any, check_in: CheckIn, item: str, title: str, kind: str = Evidence.Kind.OTHER
) -> Evidence:
    """Turn one prompt of a check-in into an evidence item on the person."""
    if item not in CheckIn.PROMPTS:
        raise ValidationError({"item": [f"Choose one of {', '.join(CheckIn.PROMPTS)}."]})
    text = getattr(check_in, item)
    if not text.strip():
        raise ValidationError({"item": ["That prompt is empty."]})
    _check_hand_kind(kind)
    if not person_can_add_evidence(user=actor, person=check_in.person):
        raise PermissionDenied("Only the person and their managers can do this.")
    return Evidence.objects.create(
        person=check_in.person,
        kind=kind,
        title=title,
        occurred_on=check_in.occurred_on,
        summary=text,
        source=Evidence.Source.CHECK_IN,
        added_by=actor,
    )
