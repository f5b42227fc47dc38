"""The state keys of what the board and the case page keep in the cache: everything each
shows the same to every viewer, told by a few small queries compiled once per session or
case and process (core.query_state)."""

from __future__ import annotations

import hashlib

from django.db.models import Count, Max, Sum

from calibration.models import CalibrationCase, CalibrationSession
from core.query_state import QueryState, StateQuery, aggregate_rows
from org.models import Person, Team
from reviews.models import Assessment, Evidence, LintTerm, Review, ReviewCycle
from rubrics.models import Ladder

__all__ = ["board_state_key", "case_state_key"]

# --- The board ------------------------------------------------------------------------


def _board_state_queries(session_pk: int, cycle_pk: int) -> dict[str, StateQuery]:
    """The state of everything the board shows of a session, beyond the session's own
    row: its cases; the reviews they hold (their text gives the quality findings and the
    cited evidence) and their subjects' evidence (a cited item's date or deletion changes
    both); the names of people and teams (subjects, deciders, committee, scope); the
    committee, the scope teams and the cycle's rubric versions (link rows, never edited:
    a count and the highest id tell any change); the ladders' names and the word lists.
    The published rubric versions' levels and ratings never change."""
    cases = CalibrationCase.objects.filter(session_id=session_pk)
    links = {"n": Count("pk"), "last": Max("pk")}
    committee = CalibrationSession.committee.through.objects.filter(
        calibrationsession_id=session_pk
    )
    scope = CalibrationSession.scope_teams.through.objects.filter(calibrationsession_id=session_pk)
    versions = ReviewCycle.rubric_versions.through.objects.filter(reviewcycle_id=cycle_pk)
    return {
        "cases": aggregate_rows(cases, **links, versions=Sum("version"), decided=Max("decided_at")),
        "reviews": aggregate_rows(
            Review.history.filter(id__in=cases.values("review_id")), last=Max("history_id")
        ),
        "evidence": aggregate_rows(
            Evidence.history.filter(person_id__in=cases.values("subject_id")),
            last=Max("history_id"),
        ),
        "people": aggregate_rows(Person.history.all(), last=Max("history_id")),
        "teams": aggregate_rows(Team.history.all(), last=Max("history_id")),
        "committee": aggregate_rows(committee, **links),
        "scope": aggregate_rows(scope, **links),
        "versions": aggregate_rows(versions, **links),
        "ladders": Ladder.objects.order_by("pk").values_list("pk", "name", "slug"),
        "terms": LintTerm.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("code", "phrase", "suggestion"),
    }


_BOARD_STATE = QueryState(_board_state_queries)


def board_state_key(session: CalibrationSession) -> str:
    """Changes whenever anything the board shows of ``session`` changes, whoever looks
    (what each viewer may do is not part of it). A few small queries, compiled once per
    session and process (core.query_state)."""
    cycle = session.cycle
    parts = [
        repr(
            (
                session.pk,
                session.name,
                session.status,
                session.scheduled_at,
                session.opened_at,
                session.finalized_at,
                session.scope_levels,
                session.facilitator_id,
                cycle.pk,
                cycle.name,
                cycle.status,
            )
        ),
        _BOARD_STATE.state(session.pk, cycle.pk),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


# --- A case ---------------------------------------------------------------------------


def _case_state_queries(review_pk: int, subject_pk: int) -> dict[str, StateQuery]:
    """The state of what the case page shows beyond the case's and session's own rows:
    the review (its text, its assessments and their citations: a draft's only, but a
    review can go back to draft), the subject's evidence (a cited item's title, date or
    deletion), the names of people and teams, the ladders' names and the word lists.
    The published rubric version the review pins never changes."""
    assessments = Assessment.history.filter(review_id=review_pk)
    citations = Assessment.evidence.through.objects.filter(assessment__review_id=review_pk)
    return {
        "review": aggregate_rows(Review.history.filter(id=review_pk), last=Max("history_id")),
        "assessments": aggregate_rows(assessments, last=Max("history_id")),
        "citations": aggregate_rows(citations, n=Count("pk"), last=Max("pk")),
        "evidence": aggregate_rows(
            Evidence.history.filter(person_id=subject_pk), last=Max("history_id")
        ),
        "people": aggregate_rows(Person.history.all(), last=Max("history_id")),
        "teams": aggregate_rows(Team.history.all(), last=Max("history_id")),
        "ladders": Ladder.objects.order_by("pk").values_list("pk", "name", "slug"),
        "terms": LintTerm.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("code", "phrase", "suggestion"),
    }


_CASE_STATE = QueryState(_case_state_queries)


def case_state_key(case: CalibrationCase) -> str:
    """Changes whenever anything the case page shows the same to every viewer changes:
    the case (a decision moves its version), its session and cycle, and what
    ``_case_state_queries`` reads. What the viewer may read or do is not part of it."""
    session = case.session
    parts = [
        repr(
            (
                case.pk,
                case.version,
                case.status,
                case.kind,
                case.level,
                case.target_level,
                case.proposed_rating,
                case.review_id,
                case.subject_id,
                session.pk,
                session.name,
                session.status,
                session.cycle.name,
            )
        ),
        _CASE_STATE.state(case.review_id, case.subject_id),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
