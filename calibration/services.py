"""Calibration writes: sessions, decisions, finalizing with write-back to reviews.

Each records what it did twice over, for two readers: the session's decision log (what
the committee reads: values, rationale) and an Activity row (org.services.activity_record:
who did what to which session or case, never review text, ratings or demographics)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from calibration.models import CalibrationCase, CalibrationSession, DecisionLog
from calibration.selectors import is_member, session_seat_ids
from core.errors import ImmutableError, InvalidStateError, StaleVersionError
from org.models import Activity, Person, Team
from org.selectors import is_hr, person_for_user, team_subtree_ids
from org.services import activity_record
from org.types import User
from reviews.models import Evidence, Review, ReviewCycle
from rubrics.models import Competency, Level, Rating

Status = CalibrationSession.Status


def _require_hr(actor: User, what: str) -> None:
    if not is_hr(actor):
        raise PermissionDenied(f"Only HR can {what}.")


@transaction.atomic
def session_create(
    *,
    actor: User,
    cycle: ReviewCycle,
    name: str,
    facilitator: Person,
    committee: list[Person],
    scope_teams: list[Team] | None = None,
    scope_levels: list[str] | None = None,
    scheduled_at: datetime.datetime | None = None,
) -> CalibrationSession:
    _require_hr(actor, "create calibration sessions")
    if cycle.status not in (ReviewCycle.Status.OPEN, ReviewCycle.Status.CALIBRATING):
        raise InvalidStateError(
            f"Sessions are created while a cycle is open or calibrating; it is {cycle.status}."
        )
    if not committee:
        raise ValidationError({"committee": ["Name at least one committee member."]})
    levels = sorted(set(scope_levels or []))
    known = set(
        Level.objects.filter(version__in=cycle.rubric_versions.all()).values_list("code", flat=True)
    )
    unknown = [code for code in levels if code not in known]
    if unknown:
        raise ValidationError({"scope": [f"Unknown levels: {', '.join(unknown)}."]})
    _refuse_self_calibration(
        cycle=cycle,
        facilitator=facilitator,
        committee=committee,
        teams=list(scope_teams or []),
        levels=levels,
    )
    session = CalibrationSession.objects.create(
        cycle=cycle,
        name=name,
        facilitator=facilitator,
        scope_levels=levels,
        scheduled_at=scheduled_at,
        created_by=actor,
    )
    session.committee.set({*committee, facilitator})
    session.scope_teams.set(scope_teams or [])
    # Who sits on it, as Person ids: the committee and facilitator are set here and
    # nowhere else (the admin only reads sessions).
    activity_record(
        actor=actor,
        action=Activity.Action.CALIBRATION_SESSION_CREATED,
        target=session,
        new={
            "name": session.name,
            "cycle": cycle.pk,
            "facilitator": facilitator.pk,
            "committee": sorted(p.pk for p in {*committee, facilitator}),
            "scope": {
                "teams": sorted(t.pk for t in scope_teams or []),
                "levels": levels,
            },
            "scheduled_at": scheduled_at.isoformat() if scheduled_at else None,
        },
    )
    return session


def _scoped(reviews: QuerySet[Review], *, teams: list[Team], levels: list[str]) -> QuerySet[Review]:
    """The reviews inside a scope (teams include their sub-teams; both lists given means
    both must match; an empty list does not restrict)."""
    if teams:
        team_filter = Q()
        for team in teams:
            team_filter |= Q(subject__team__in=team_subtree_ids(team))
        reviews = reviews.filter(team_filter)
    if levels:
        reviews = reviews.filter(level__in=levels)
    return reviews


def _in_scope(session: CalibrationSession) -> QuerySet[Review]:
    """Submitted reviews of the cycle inside the session's scope."""
    reviews = Review.objects.filter(cycle=session.cycle, status=Review.Status.SUBMITTED)
    return _scoped(reviews, teams=list(session.scope_teams.all()), levels=session.scope_levels)


SELF_CALIBRATION = "nobody calibrates their own review"


def _refuse_self_calibration(
    *,
    cycle: ReviewCycle,
    facilitator: Person,
    committee: list[Person],
    teams: list[Team],
    levels: list[str],
) -> None:
    """A person with a review in the scope (a draft too: it may be submitted before the
    session opens) can neither sit on the committee nor facilitate it."""
    people = {p.pk: p for p in [facilitator, *committee]}
    reviewed = set(
        _scoped(
            Review.objects.filter(cycle=cycle, subject__in=list(people)), teams=teams, levels=levels
        ).values_list("subject_id", flat=True)
    )
    if not reviewed:
        return

    def why(person: Person) -> str:
        return (
            f"{person.full_name} has a review in this session's scope and {SELF_CALIBRATION}: "
            "choose someone else or narrow the scope."
        )

    errors: dict[str, list[str]] = {}
    if facilitator.pk in reviewed:
        errors["facilitator"] = [why(facilitator)]
    members = [why(p) for p in committee if p.pk in reviewed and p.pk != facilitator.pk]
    if members:
        errors["committee"] = members
    raise ValidationError(errors)


@transaction.atomic
def session_open(*, actor: User, session: CalibrationSession) -> CalibrationSession:
    """Snapshot one rating case per submitted review in scope, and a promotion case per
    nomination. A review already in another session's cases is not taken twice."""
    _require_hr(actor, "open calibration sessions")
    locked = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if locked.status != Status.SCHEDULED:
        raise InvalidStateError(f"The session is already {locked.status}.")
    if locked.cycle.status != ReviewCycle.Status.CALIBRATING:
        raise InvalidStateError(
            f"Sessions open while their cycle is calibrating; it is {locked.cycle.status}."
        )
    taken = CalibrationCase.objects.filter(session__cycle=locked.cycle).values("review_id")
    members = session_seat_ids(locked)
    cases = []
    left_out: list[str] = []
    for review in _in_scope(locked).exclude(pk__in=taken).select_related("subject"):
        if review.subject_id in members:
            # Submitted after the session was created, so the create check could not see
            # it. Leave it for another session rather than refuse to open: a session that
            # cannot open would hold the cycle back from finalizing.
            left_out.append(review.subject.full_name)
            continue
        cases.append(
            CalibrationCase(
                session=locked,
                review=review,
                subject=review.subject,
                level=review.level,
                kind=CalibrationCase.Kind.RATING,
                proposed_rating=review.overall_rating,
            )
        )
        if review.promotion_to:
            cases.append(
                CalibrationCase(
                    session=locked,
                    review=review,
                    subject=review.subject,
                    level=review.level,
                    kind=CalibrationCase.Kind.PROMOTION,
                    proposed_rating=review.overall_rating,
                    target_level=review.promotion_to,
                )
            )
    CalibrationCase.objects.bulk_create(cases)
    locked.status = Status.OPEN
    locked.opened_at = timezone.now()
    locked.save(update_fields=["status", "opened_at"])
    DecisionLog.objects.create(
        session=locked,
        actor=actor,
        action=DecisionLog.Action.SESSION_OPENED,
        rationale=_open_summary(opened=len(cases), left_out=left_out),
    )
    activity_record(
        actor=actor,
        action=Activity.Action.CALIBRATION_SESSION_OPENED,
        target=locked,
        old={"status": Status.SCHEDULED},
        new={"status": Status.OPEN, "cases": len(cases), "left_out": len(left_out)},
    )
    return locked


def _open_summary(*, opened: int, left_out: list[str]) -> str:
    """The decision log's line for opening, naming every review left out and why."""
    text = f"{opened} case{'s' if opened != 1 else ''} opened."
    for name in left_out:
        text += (
            f" {name}'s review is left out: {name} sits on this committee and "
            f"{SELF_CALIBRATION}. Calibrate it in another session."
        )
    return text


def _validate_refs(case: CalibrationCase, refs: list[dict[str, str]]) -> list[dict[str, str]]:
    version = case.review.rubric_version_id
    levels = set(Level.objects.filter(version_id=version).values_list("code", flat=True))
    comps = set(Competency.objects.filter(version_id=version).values_list("key", flat=True))
    bad = [
        f"{r.get('level')} × {r.get('competency')}"
        for r in refs
        if r.get("level") not in levels or r.get("competency") not in comps
    ]
    if bad:
        raise ValidationError(
            {"rubric_refs": [f"Not expectations of this rubric: {', '.join(bad)}."]}
        )
    # Keep a stable, duplicate-free order.
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for r in refs:
        seen.setdefault(
            (r["level"], r["competency"]), {"level": r["level"], "competency": r["competency"]}
        )
    return list(seen.values())


@transaction.atomic
def case_decide(
    *,
    actor: User,
    case: CalibrationCase,
    version: int,
    calibrated_rating: str | None = None,
    promotion_decision: str | None = None,
    rationale: str | None = None,
    rubric_refs: list[dict[str, str]] | None = None,
    evidence: list[Evidence] | None = None,
) -> CalibrationCase:
    """Record (or change) a decision. A rationale citing at least one rubric expectation
    is required when the rating moves away from the proposal and for every promotion
    decision (SPEC §1.3)."""
    # Lock the case: two members deciding at once must not both pass the version check.
    locked = (
        CalibrationCase.objects.select_for_update()
        .select_related("session", "review")
        .get(pk=case.pk)
    )
    session = locked.session
    if not is_member(user=actor, session=session):
        raise PermissionDenied("Only the session's committee decides its cases.")
    if session.status == Status.FINALIZED:
        raise ImmutableError("The session is finalized; its decisions are locked.")
    if session.status != Status.OPEN:
        raise InvalidStateError("Cases are decided while the session is open.")
    if version != locked.version:
        raise StaleVersionError(
            f"Another member decided this case since you opened it (you have version "
            f"{version}, it is now at version {locked.version}). Nothing was changed."
        )
    errors: dict[str, list[str]] = {}
    rationale = (rationale if rationale is not None else locked.rationale).strip()
    refs = rubric_refs if rubric_refs is not None else locked.rubric_refs
    is_promotion = locked.kind == CalibrationCase.Kind.PROMOTION
    if is_promotion:
        if calibrated_rating:
            errors["calibrated_rating"] = ["A promotion case takes a promotion decision."]
        new_value = promotion_decision or locked.promotion_decision
        if not new_value:
            errors["promotion_decision"] = ["Choose approved or not approved."]
        needs_reason = True
        field, old_value = "promotion_decision", locked.promotion_decision
    else:
        if promotion_decision:
            errors["promotion_decision"] = ["Only promotion cases take a promotion decision."]
        new_value = calibrated_rating or locked.calibrated_rating
        keys = set(
            Rating.objects.filter(version_id=locked.review.rubric_version_id).values_list(
                "key", flat=True
            )
        )
        if not new_value:
            errors["calibrated_rating"] = ["Choose the calibrated rating."]
        elif new_value not in keys:
            errors["calibrated_rating"] = [
                f"'{new_value}' is not a rating of this rubric: {', '.join(sorted(keys))}."
            ]
        needs_reason = bool(new_value) and new_value != locked.proposed_rating
        field = "calibrated_rating"
        old_value = locked.calibrated_rating or locked.proposed_rating
    if needs_reason and not rationale:
        errors["rationale"] = [
            "Write the reason: what in the rubric and the evidence supports this decision."
        ]
    if needs_reason and not refs:
        errors["rubric_refs"] = ["Tick at least one rubric expectation the decision rests on."]
    if errors:
        raise ValidationError(errors)
    refs = _validate_refs(locked, refs)
    if evidence is not None:
        foreign = [e.pk for e in evidence if e.person_id != locked.subject_id]
        if foreign:
            raise ValidationError({"evidence": ["Cite evidence of the person being calibrated."]})
    setattr(locked, field, new_value)
    locked.rationale = rationale
    locked.rubric_refs = refs
    locked.status = CalibrationCase.Status.DECIDED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.version += 1
    locked.save()
    if evidence is not None:
        locked.evidence.set(evidence)
    DecisionLog.objects.create(
        session=session,
        case=locked,
        actor=actor,
        action=DecisionLog.Action.DECIDED,
        field=field,
        from_value=old_value,
        to_value=new_value,
        rationale=rationale,
    )
    # That it was decided, and which field: the values and the reason stay in the log.
    activity_record(
        actor=actor,
        action=Activity.Action.CALIBRATION_CASE_DECIDED,
        target=locked,
        new={"session": session.pk, "field": field, "version": locked.version},
    )
    return locked


@transaction.atomic
def session_finalize(*, actor: User, session: CalibrationSession) -> CalibrationSession:
    """Write calibrated ratings and promotion outcomes back to the reviews, then lock.

    The session row is locked first, so two finalize requests at once serialize: the
    second sees a finalized session and changes nothing.
    """
    locked = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    me = person_for_user(actor)
    if not (is_hr(actor) or (me is not None and locked.facilitator_id == me.pk)):
        raise PermissionDenied("Only HR or the facilitator can finalize a session.")
    if locked.status == Status.FINALIZED:
        raise ImmutableError("The session is already finalized.")
    if locked.status != Status.OPEN:
        raise InvalidStateError("Only an open session can be finalized.")
    pending = locked.cases.filter(status=CalibrationCase.Status.PENDING).count()
    if pending:
        raise InvalidStateError(
            f"{pending} case(s) are still pending; decide every case before finalizing."
        )
    cases = list(locked.cases.all())
    # One write per review, carrying both its rating and its promotion outcome.
    reviews = Review.objects.select_for_update().in_bulk({c.review_id for c in cases})
    for case in cases:
        review = reviews[case.review_id]
        if case.kind == CalibrationCase.Kind.RATING:
            review.final_rating = case.calibrated_rating
        else:
            review.promotion_outcome = case.promotion_decision
    for review in reviews.values():
        review.status = Review.Status.CALIBRATED
        review.version += 1
        review.save(
            update_fields=["final_rating", "promotion_outcome", "status", "version", "updated_at"]
        )
    locked.status = Status.FINALIZED
    locked.finalized_at = timezone.now()
    locked.finalized_by = actor
    locked.save(update_fields=["status", "finalized_at", "finalized_by"])
    DecisionLog.objects.create(
        session=locked,
        actor=actor,
        action=DecisionLog.Action.SESSION_FINALIZED,
        rationale=f"{len(cases)} decisions written back to the reviews.",
    )
    activity_record(
        actor=actor,
        action=Activity.Action.CALIBRATION_SESSION_FINALIZED,
        target=locked,
        old={"status": Status.OPEN},
        new={"status": Status.FINALIZED, "cases": len(cases)},
    )
    return locked
