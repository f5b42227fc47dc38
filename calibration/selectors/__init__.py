"""Reads for calibration, scoped by SPEC §3: HR sees every session; committee members
and facilitators see their own sessions; nobody else sees that a session exists."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from calibration.models import CalibrationCase, CalibrationSession, DecisionLog
from calibration.selectors.state import board_state_key as board_state_key
from calibration.selectors.state import case_state_key as case_state_key
from core.errors import InvalidStateError
from org.models import Person
from org.selectors import is_hr, person_for_user
from org.types import Viewer
from reviews.lint import lint_review
from reviews.lint_terms import load_terms
from reviews.models import Evidence, Review, ReviewCycle
from reviews.selectors import review_get, with_review_contents
from rubrics.models import Level, Rating


def seat_q(me: Person | OuterRef, prefix: str = "") -> Q:
    """The one definition of sitting on a session: on its committee, or facilitating it.
    ``prefix`` reaches the session from another model (``"session__"`` from a case);
    ``me`` may be an ``OuterRef`` to a person, to ask from the people's side."""
    return Q(**{f"{prefix}committee": me}) | Q(**{f"{prefix}facilitator": me})


def sits_on_a_session(me: Person | None) -> bool:
    return bool(me and CalibrationSession.objects.filter(seat_q(me)).exists())


def session_seat_ids(session: CalibrationSession) -> set[int]:
    """The people sitting on ``session`` (seat_q, asked from the people's side)."""
    seated = CalibrationSession.objects.filter(seat_q(OuterRef("pk")), pk=session.pk)
    return set(Person.objects.filter(Exists(seated)).values_list("pk", flat=True))


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
    """A cycle finalizes only once each of its sessions has (reviews.services.cycles asks)."""
    pending = CalibrationSession.objects.filter(cycle=cycle).exclude(
        status=CalibrationSession.Status.FINALIZED
    )
    return [f"Calibration session '{s.name}' is not finalized yet." for s in pending]


def session_visibility(user: Viewer) -> Q | None:
    if is_hr(user):
        return None
    me = person_for_user(user)
    if me is None:
        return Q(pk__in=[])
    return seat_q(me)


def session_list(*, user: Viewer) -> QuerySet[CalibrationSession]:
    if not getattr(user, "is_authenticated", False):
        return CalibrationSession.objects.none()
    qs = CalibrationSession.objects.select_related("cycle", "facilitator").prefetch_related(
        "committee", "scope_teams"
    )
    visible = session_visibility(user)
    if visible is not None:
        qs = qs.filter(pk__in=CalibrationSession.objects.filter(visible).values("pk"))
    return qs.order_by("-created_at", "-id")


def session_get(*, user: Viewer, pk: Any, prefetch: bool = True) -> CalibrationSession:
    """A session the user may see; 404 otherwise. Without ``prefetch``, its committee
    and scope teams are not read (the board keeps what it shows of them)."""
    sessions = session_list(user=user)
    if not prefetch:
        sessions = sessions.prefetch_related(None)
    try:
        return sessions.get(pk=int(pk))
    except (CalibrationSession.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such calibration session.") from exc


def is_member(*, user: Viewer, session: CalibrationSession) -> bool:
    """Whoever sits on the session (seat_q: committee or facilitator) decides its cases."""
    me = person_for_user(user)
    if me is None:
        return False
    return CalibrationSession.objects.filter(seat_q(me), pk=session.pk).exists()


def can_read_packet(*, user: Viewer, session: CalibrationSession) -> bool:
    """The pre-read packet is for the committee (members and facilitator) and for HR,
    who sees every session and its cases (SPEC §3)."""
    return is_hr(user) or is_member(user=user, session=session)


def packet_session_get(*, user: Viewer, pk: Any) -> CalibrationSession:
    """A session whose packet the user may read: 404 if the session is not visible to
    them, 403 if visible but not theirs to read."""
    session = session_get(user=user, pk=pk)
    if not can_read_packet(user=user, session=session):
        raise PermissionDenied("The pre-read packet is for the session's committee and HR.")
    return session


def session_state_key(session: CalibrationSession) -> str:
    """Changes whenever anything a packet shows changes (decisions, status)."""
    agg = session.cases.aggregate(v=Max("version"), d=Max("decided_at"))
    raw = f"{session.pk}:{session.status}:{session.cases.count()}:{agg['v']}:{agg['d']}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _visible_cases(user: Viewer) -> QuerySet[CalibrationCase]:
    """The cases of the sessions ``session_list`` gives the user (every case for HR)."""
    cases = CalibrationCase.objects.order_by(
        "level", "subject__team__name", "subject__full_name", "kind", "id"
    )
    if not getattr(user, "is_authenticated", False):
        return cases.none()
    visible = session_visibility(user)
    if visible is not None:
        cases = cases.filter(session__in=CalibrationSession.objects.filter(visible).values("pk"))
    return cases


def case_list(*, user: Viewer) -> QuerySet[CalibrationCase]:
    """The cases of the sessions the user may see, in board order, with their evidence
    ids (the API's list gives ids, and reads nothing else of related rows)."""
    return _visible_cases(user).prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("id").only("id"))
    )


# The columns of a case the API gives (calibration.serializers.CaseSerializer), for lists
# read as plain rows (``case_rows``).
CASE_COLUMNS = (
    "id",
    "session_id",
    "review_id",
    "subject_id",
    "kind",
    "level",
    "proposed_rating",
    "calibrated_rating",
    "target_level",
    "promotion_decision",
    "rationale",
    "rubric_refs",
    "status",
    "version",
    "decided_at",
)


def case_rows(cases: QuerySet[CalibrationCase]) -> QuerySet[Any]:
    """``cases`` (from ``case_list``, filtered) as rows of ``CASE_COLUMNS``: a page of
    the API's list needs no model instances."""
    return cases.prefetch_related(None).values(*CASE_COLUMNS)


def case_evidence_ids(case_ids: list[int]) -> dict[int, list[int]]:
    """The evidence ids of each case, ascending, in one query. The ids come from
    ``case_rows`` of ``case_list``: cases the caller may see."""
    out: dict[int, list[int]] = {pk: [] for pk in case_ids}
    links = CalibrationCase.evidence.through.objects.filter(calibrationcase_id__in=case_ids)
    for case_id, evidence_id in links.order_by("evidence_id").values_list(
        "calibrationcase_id", "evidence_id"
    ):
        out[case_id].append(evidence_id)
    return out


def case_get(*, user: Viewer, pk: Any) -> CalibrationCase:
    """One of ``case_list``, with its session, subject, team, decider and evidence."""
    case = _visible_cases(user).select_related(
        "session", "session__cycle", "subject", "subject__team", "decided_by"
    )
    case = case.prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
    try:
        return case.get(pk=int(pk))
    except (CalibrationCase.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such calibration case.") from exc


def case_page_get(*, user: Viewer, pk: Any) -> CalibrationCase:
    """One of ``case_list`` for its page, with its session, cycle, subject and the team
    its review was written in (``review_team_id``); what the page keeps in the cache
    (calibration.views.case) reads the rest of its rows only when it renders them."""
    cases = (
        _visible_cases(user)
        .select_related("session__cycle", "subject")
        .annotate(review_team_id=F("review__team_id"), review_cycle_id=F("review__cycle_id"))
    )
    try:
        return cases.get(pk=int(pk))
    except (CalibrationCase.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404("No such calibration case.") from exc


def case_evidence(case: CalibrationCase) -> list[Evidence]:
    """The evidence a case's decision cites, by id."""
    return list(case.evidence.order_by("id"))


def case_review(case: CalibrationCase) -> Review:
    """The full review a case holds (narrative, assessments, cited evidence). ``case``
    comes from ``case_get``: one the caller may see."""
    return with_review_contents(Review.objects.filter(pk=case.review_id)).get()


def log_list(*, session: CalibrationSession) -> QuerySet[DecisionLog]:
    return (
        DecisionLog.objects.filter(session=session)
        .select_related("actor__person", "case", "case__subject")
        .order_by("created_at", "id")
    )


def session_actor_names(
    *, user: Viewer, session: CalibrationSession, user_ids: set[int]
) -> dict[int, str]:
    """Display names of the accounts that acted in a session the user may see (its
    decision log: who opened it, decided its cases, finalized it), in one query. Those
    names are part of the session's record, whoever acted; nobody else's name is given,
    and nothing else of them."""
    if not user_ids:
        return {}
    visible = session_list(user=user).filter(pk=session.pk).values("pk")
    actors = DecisionLog.objects.filter(session__in=visible).values("actor_id")
    people = Person.objects.filter(user_id__in=user_ids).filter(user_id__in=actors)
    return dict(people.values_list("user_id", "full_name"))


def session_level_info(session: CalibrationSession) -> dict[str, Level]:
    """The levels of the session's rubric versions by code (the first version's, if two
    ladders share a code), in rubric order."""
    versions = session.cycle.rubric_versions.all()
    info: dict[str, Level] = {}
    for lv in Level.objects.filter(version__in=versions).order_by("order"):
        info.setdefault(lv.code, lv)
    return info


LETTER_STATUSES = (Review.Status.RELEASED, Review.Status.ACKNOWLEDGED)


class LetterNotReady(InvalidStateError):
    """The review's outcome letter does not exist yet: its cycle is not released."""

    def __init__(self, review: Review) -> None:
        super().__init__("The outcome letter exists once the cycle is released.")
        self.review = review


def letter_review_get(*, user: Viewer, pk: Any) -> Review:
    """A review whose outcome letter the user may read: 404 for a review they may not see
    (reviews.selectors.review_get: subjects see theirs only once released), and
    ``LetterNotReady`` (409) while the cycle is not released."""
    review = review_get(user=user, pk=pk)
    if review.status not in LETTER_STATUSES:
        raise LetterNotReady(review)
    return review


def letter_cases(review: Review) -> list[CalibrationCase]:
    """The finalized cases of a review (its rating, and its promotion if nominated): what
    the outcome letter explains. ``review`` comes from reviews.selectors.review_get."""
    return list(
        CalibrationCase.objects.filter(
            review=review, session__status=CalibrationSession.Status.FINALIZED
        )
        .prefetch_related("evidence")
        .order_by("kind")
    )


# --- Cases with their reviews: the board, the packet, the export ----------------------


def session_cases(session: CalibrationSession) -> list[CalibrationCase]:
    """The cases of a session in board order (level, team, name: never a ranking)."""
    return list(
        CalibrationCase.objects.filter(session=session)
        .select_related("subject", "subject__team")
        .order_by("level", "subject__team__name", "subject__full_name", "kind", "id")
    )


def case_reviews(cases: list[CalibrationCase]) -> QuerySet[Review]:
    """The full reviews of ``cases`` (narrative, assessments, cited evidence), in a fixed
    number of queries. The cases come from a session the caller was let into."""
    return with_review_contents(Review.objects.filter(pk__in={c.review_id for c in cases}))


EXPORT_HEADER = [
    "case",
    "person",
    "team",
    "level",
    "kind",
    "proposed rating",
    "calibrated rating",
    "target level",
    "promotion decision",
    "changed",
    "changed by",
    "decided at",
    "rationale",
    "rubric expectations",
]


def session_export_rows(*, user: Viewer, session: CalibrationSession) -> list[list[Any]]:
    """HR's record of a finalized session, one row per case (``EXPORT_HEADER``): what was
    proposed, what was decided, by whom, why. Demographic attributes are never part of
    it. 403 for anyone but HR; ``InvalidStateError`` until the session is finalized, as
    the decisions can still change."""
    if not is_hr(user):
        raise PermissionDenied("Only HR exports calibration sessions.")
    if session.status != CalibrationSession.Status.FINALIZED:
        raise InvalidStateError(
            "The CSV export is available once the session is finalized: until then the "
            "decisions can still change."
        )
    cases = (
        CalibrationCase.objects.filter(session=session)
        .select_related("subject", "subject__team", "decided_by")
        .order_by("level", "subject__team__name", "subject__full_name", "kind", "id")
    )
    last_change = {
        row.case_id: row.actor.username
        for row in DecisionLog.objects.filter(session=session, action=DecisionLog.Action.DECIDED)
        .select_related("actor")
        .order_by("created_at", "id")
    }
    rows = []
    for c in cases:
        changed = (
            c.calibrated_rating != c.proposed_rating
            if c.kind == CalibrationCase.Kind.RATING
            else bool(c.promotion_decision)
        )
        rows.append(
            [
                c.pk,
                c.subject.full_name,
                c.subject.team.name if c.subject.team else "",
                c.level,
                c.kind,
                c.proposed_rating,
                c.calibrated_rating,
                c.target_level,
                c.promotion_decision,
                "yes" if changed else "no",
                last_change.get(c.pk, ""),
                c.decided_at.isoformat() if c.decided_at else "",
                c.rationale,
                "; ".join(f"{r['level']} × {r['competency']}" for r in c.rubric_refs),
            ]
        )
    return rows


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
    cases = session_cases(session)
    reviews = {
        r.pk: r
        for r in case_reviews(cases).annotate(cited=Count("assessments__evidence", distinct=True))
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
