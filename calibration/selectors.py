"""Reads for calibration, scoped by SPEC §3: HR sees every session; committee members
and facilitators see their own sessions; nobody else sees that a session exists."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from calibration.models import CalibrationCase, CalibrationSession, DecisionLog
from org.models import Person
from org.selectors import is_hr, person_for_user
from reviews.models import Evidence, ReviewCycle
from reviews.selectors import with_review_contents


def seat_q(me: Person, prefix: str = "") -> Q:
    """The one definition of sitting on a session: on its committee, or facilitating it.
    ``prefix`` reaches the session from another model (``"session__"`` from a case)."""
    return Q(**{f"{prefix}committee": me}) | Q(**{f"{prefix}facilitator": me})


def sits_on_a_session(me: Person | None) -> bool:
    return bool(me and CalibrationSession.objects.filter(seat_q(me)).exists())


def session_subject_ids(me: Person, *, open_only: bool = False) -> QuerySet[Any]:
    """People whose cases sit in sessions ``me`` sits on (org's person tiers and the
    evidence rules ask this through org.selectors.session_subject_ids)."""
    cases = CalibrationCase.objects.filter(seat_q(me, "session__"))
    if open_only:
        cases = cases.filter(session__status=CalibrationSession.Status.OPEN)
    return cases.values("subject_id")


def session_review_ids(me: Person) -> QuerySet[Any]:
    """Reviews whose cases sit in sessions ``me`` sits on (reviews.selectors asks)."""
    return CalibrationCase.objects.filter(seat_q(me, "session__")).values("review_id")


def cycle_finalize_problems(cycle: ReviewCycle) -> list[str]:
    """A cycle finalizes only once each of its sessions has (reviews.services asks)."""
    pending = CalibrationSession.objects.filter(cycle=cycle).exclude(
        status=CalibrationSession.Status.FINALIZED
    )
    return [f"Calibration session '{s.name}' is not finalized yet." for s in pending]


def session_visibility(user: Any) -> Q | None:
    if is_hr(user):
        return None
    me = person_for_user(user)
    if me is None:
        return Q(pk__in=[])
    return seat_q(me)


def session_list(*, user: Any) -> QuerySet[CalibrationSession]:
    if not getattr(user, "is_authenticated", False):
        return CalibrationSession.objects.none()
    qs = CalibrationSession.objects.select_related("cycle", "facilitator").prefetch_related(
        "committee", "scope_teams"
    )
    visible = session_visibility(user)
    if visible is not None:
        qs = qs.filter(pk__in=CalibrationSession.objects.filter(visible).values("pk"))
    return qs.order_by("-created_at", "-id")


def session_get(*, user: Any, pk: Any) -> CalibrationSession:
    try:
        return session_list(user=user).get(pk=int(pk))
    except (CalibrationSession.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such calibration session.") from exc


def is_member(*, user: Any, session: CalibrationSession) -> bool:
    """Committee members and the facilitator decide cases."""
    me = person_for_user(user)
    if me is None:
        return False
    return session.facilitator_id == me.pk or session.committee.filter(pk=me.pk).exists()


def can_read_packet(*, user: Any, session: CalibrationSession) -> bool:
    """The pre-read packet is for the committee (members and facilitator) and for HR,
    who sees every session and its cases (SPEC §3)."""
    return is_hr(user) or is_member(user=user, session=session)


def packet_session_get(*, user: Any, pk: Any) -> CalibrationSession:
    """A session whose packet the user may read: 404 if the session is not visible to
    them, 403 if visible but not theirs to read."""
    session = session_get(user=user, pk=pk)
    if not can_read_packet(user=user, session=session):
        raise PermissionDenied("The pre-read packet is for the session's committee and HR.")
    return session


def case_list(*, user: Any) -> QuerySet[CalibrationCase]:
    visible_sessions = session_list(user=user).values("pk")
    return (
        CalibrationCase.objects.filter(session__in=visible_sessions)
        .select_related("session", "subject", "subject__team", "review", "decided_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
        .order_by("level", "subject__team__name", "subject__full_name", "kind", "id")
    )


def case_get(*, user: Any, pk: Any) -> CalibrationCase:
    try:
        return case_list(user=user).get(pk=int(pk))
    except (CalibrationCase.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such calibration case.") from exc


def case_with_review(*, user: Any, pk: Any) -> CalibrationCase:
    """A case and its full review (narrative, assessments, cited evidence)."""
    case = case_get(user=user, pk=pk)
    review = with_review_contents(type(case.review).objects.filter(pk=case.review_id)).get()
    case.full_review = review  # type: ignore[attr-defined]
    return case


def log_list(*, session: CalibrationSession) -> QuerySet[DecisionLog]:
    return (
        DecisionLog.objects.filter(session=session)
        .select_related("actor__person", "case", "case__subject")
        .order_by("created_at", "id")
    )


# --- Information panels (never targets) ----------------------------------------------


@dataclass
class RatingRow:
    key: str
    label: str
    proposed: int
    calibrated: int
    evidence_mean: float | None
    lint_mean: float | None


def board_cases(session: CalibrationSession) -> list[CalibrationCase]:
    """Cases of a session with evidence and lint counts, in board order, in a fixed
    number of queries."""
    from reviews.lint import lint_review, load_terms
    from reviews.models import Review

    cases = list(
        CalibrationCase.objects.filter(session=session)
        .select_related("subject", "subject__team")
        .order_by("level", "subject__team__name", "subject__full_name", "kind", "id")
    )
    reviews = {
        r.pk: r
        for r in with_review_contents(
            Review.objects.filter(pk__in={c.review_id for c in cases})
        ).annotate(cited=Count("assessments__evidence", distinct=True))
    }
    terms = load_terms()
    lint_counts: dict[int, int] = {}
    for rid, review in reviews.items():
        lint_counts[rid] = len(lint_review(review, terms=terms))
    for case in cases:
        review = reviews[case.review_id]
        case.evidence_count = review.cited  # type: ignore[attr-defined]
        case.lint_count = lint_counts[case.review_id]  # type: ignore[attr-defined]
    return cases


def distribution(session: CalibrationSession, cases: list[CalibrationCase]) -> list[RatingRow]:
    """Proposed and calibrated counts per rating, with the mean evidence and lint counts
    of the cases given each rating: information for consistency, not a target."""
    from rubrics.models import Rating

    versions = session.cycle.rubric_versions.all()
    ratings: dict[str, str] = {}
    for r in Rating.objects.filter(version__in=versions).order_by("order"):
        ratings.setdefault(r.key, r.label)
    rating_cases = [c for c in cases if c.kind == CalibrationCase.Kind.RATING]
    proposed = Counter(c.proposed_rating for c in rating_cases)
    calibrated = Counter(c.calibrated_rating for c in rating_cases if c.calibrated_rating)
    rows = []
    for key, label in ratings.items():
        given = [c for c in rating_cases if (c.calibrated_rating or c.proposed_rating) == key]
        rows.append(
            RatingRow(
                key=key,
                label=label,
                proposed=proposed[key],
                calibrated=calibrated[key],
                evidence_mean=(
                    sum(c.evidence_count for c in given) / len(given) if given else None  # type: ignore[attr-defined]
                ),
                lint_mean=(
                    sum(c.lint_count for c in given) / len(given) if given else None  # type: ignore[attr-defined]
                ),
            )
        )
    return rows
