"""Reads for self-assessments (SPEC §11.1), scoped by SPEC §3.

A draft is its subject's own; once submitted it is also read by the subject's manager
chain, HR, and the committee members of sessions holding the subject's case in that
cycle. Everyone else gets the same 404 as for one that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from org.selectors import is_hr, person_for_user
from org.types import Viewer
from reviews.lint import (
    NO_EVIDENCE,
    UNEVIDENCED_RATING,
    WARNING,
    AssessmentText,
    EvidenceInfo,
    Finding,
    lint_content,
)
from reviews.lint_terms import Terms, load_terms
from reviews.models import Evidence, Review, SelfAssessment, SelfAssessmentItem
from reviews.selectors import _get, chain_ids, session_review_ids

SUBMITTED = SelfAssessment.Status.SUBMITTED


def self_assessment_visibility(user: Viewer) -> Q | None:
    """Which self-assessments ``user`` may read (None: all of them)."""
    me = person_for_user(user)
    if is_hr(user):
        # HR reads submitted ones, and (as anyone) their own drafts.
        own = Q(subject=me) if me is not None else Q(pk__in=[])
        return own | Q(status=SUBMITTED)
    if me is None:
        return Q(pk__in=[])
    in_my_sessions = Review.objects.filter(
        pk__in=session_review_ids(me), cycle=OuterRef("cycle"), subject=OuterRef("subject")
    )
    return Q(subject=me) | (
        Q(status=SUBMITTED) & (Q(subject__in=chain_ids(me)) | Q(Exists(in_my_sessions)))
    )


def self_assessment_rows(*, user: Viewer) -> QuerySet[SelfAssessment]:
    if not getattr(user, "is_authenticated", False):
        return SelfAssessment.objects.none()
    qs = SelfAssessment.objects.order_by("-created_at", "-id")
    visible = self_assessment_visibility(user)
    return qs if visible is None else qs.filter(visible)


def with_items(qs: QuerySet[SelfAssessment]) -> QuerySet[SelfAssessment]:
    """Everything a self-assessment's representation, lint and pages need, in a fixed
    number of queries."""
    return qs.select_related(
        "cycle", "subject", "subject__team", "rubric_version", "rubric_version__ladder"
    ).prefetch_related(
        Prefetch(
            "items",
            queryset=SelfAssessmentItem.objects.order_by("order", "id").prefetch_related(
                Prefetch("evidence", queryset=Evidence.objects.order_by("occurred_on", "id"))
            ),
        ),
        "rubric_version__ratings",
    )


def self_assessment_list(*, user: Viewer) -> QuerySet[SelfAssessment]:
    return with_items(self_assessment_rows(user=user))


def self_assessment_get(*, user: Viewer, pk: Any) -> SelfAssessment:
    found: SelfAssessment = _get(self_assessment_list(user=user), pk, "self-assessment")
    return found


def self_assessment_can_write(*, user: Viewer, self_assessment: SelfAssessment) -> bool:
    """Only the subject writes their self-assessment (the state is the services' check)."""
    me = person_for_user(user)
    return me is not None and me.pk == self_assessment.subject_id


def self_assessment_for_review(*, review: Review) -> SelfAssessment | None:
    """The review subject's submitted self-assessment in the review's cycle, for a page
    the caller already may see the review on (the manager's editor, the calibration
    case): whoever may read the review of a subject may read their submitted
    self-assessment (SPEC §11.1). Fixed queries."""
    return (
        with_items(SelfAssessment.objects.all())
        .filter(cycle_id=review.cycle_id, subject_id=review.subject_id, status=SUBMITTED)
        .first()
    )


def submitted_self_ratings(
    reviews: list[tuple[int, int, int]],
) -> dict[int, dict[str, str] | None]:
    """For each ``(review id, cycle id, subject id)``: the subject's submitted self-ratings
    in that cycle by competency ("" where not self-rated), or None when they submitted no
    self-assessment. One query, for pages that already show those reviews."""
    found: dict[int, dict[str, str] | None] = {pk: None for pk, _c, _s in reviews}
    if not reviews:
        return found
    by_pair = {(c, s): pk for pk, c, s in reviews}
    rows = SelfAssessmentItem.objects.filter(
        self_assessment__status=SUBMITTED,
        self_assessment__cycle_id__in={c for _pk, c, _s in reviews},
        self_assessment__subject_id__in={s for _pk, _c, s in reviews},
    ).values_list(
        "self_assessment__cycle_id", "self_assessment__subject_id", "competency", "rating"
    )
    for cycle_id, subject_id, competency, rating in rows:
        pk = by_pair.get((cycle_id, subject_id))
        if pk is not None:
            ratings = found[pk]
            if ratings is None:
                ratings = found[pk] = {}
            ratings[competency] = rating
    return found


# --- Quality checks --------------------------------------------------------------------


def self_assessment_lint_content(
    *,
    sa: SelfAssessment,
    narrative: Mapping[str, str],
    items: Sequence[AssessmentText],
    evidence: Mapping[int, EvidenceInfo],
    baseline: str | None,
    terms: Terms | None = None,
) -> list[Finding]:
    """The review quality checks on a self-assessment's content (saved or on the page).
    Nothing here blocks a submission: a self-rating without evidence is a nudge, not an
    error."""
    cycle = sa.cycle
    findings = lint_content(
        narrative=narrative,
        assessments=items,
        baseline_rating=baseline,
        period=(cycle.starts_on, cycle.ends_on),
        evidence=evidence,
        terms=terms if terms is not None else load_terms(),
    )
    softened = []
    for f in findings:
        if f.code == NO_EVIDENCE:
            f = replace(
                f,
                severity=WARNING,
                message="This competency cites no evidence. Readers weigh an account "
                "they can check: cite an item from your library.",
            )
        elif f.code == UNEVIDENCED_RATING:
            f = replace(
                f,
                severity=WARNING,
                message=f'Your self-rating "{f.match}" is away from the baseline '
                f'"{baseline}" and cites no evidence.',
            )
        softened.append(f)
    return softened


def saved_items(sa: SelfAssessment) -> tuple[list[AssessmentText], dict[int, EvidenceInfo]]:
    """The saved items (rubric order) and the evidence they cite; uses what with_items
    prefetched."""
    items: list[AssessmentText] = []
    evidence: dict[int, EvidenceInfo] = {}
    for i in sorted(sa.items.all(), key=lambda i: (i.order, i.pk)):
        cited = list(i.evidence.all())
        for e in cited:
            evidence[e.pk] = EvidenceInfo(id=e.pk, title=e.title, occurred_on=e.occurred_on)
        items.append(
            AssessmentText(
                competency=i.competency,
                rating=i.rating,
                narrative=i.narrative,
                evidence_ids=tuple(e.pk for e in cited),
            )
        )
    return items, evidence


def baseline_of(sa: SelfAssessment) -> str | None:
    return next((r.key for r in sa.rubric_version.ratings.all() if r.is_baseline), None)


def self_assessment_lint(sa: SelfAssessment, *, terms: Terms | None = None) -> list[Finding]:
    """The checks on the saved self-assessment (``with_items`` prefetched)."""
    items, evidence = saved_items(sa)
    return self_assessment_lint_content(
        sa=sa,
        narrative={s: getattr(sa, s) for s in SelfAssessment.NARRATIVE_SECTIONS},
        items=items,
        evidence=evidence,
        baseline=baseline_of(sa),
        terms=terms,
    )
