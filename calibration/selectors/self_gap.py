"""Self-rating beside the manager's rating, per competency and in total (SPEC §11.1):
what the case page and the packet show of the subject's submitted self-assessment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reviews.models import Review
from reviews.selectors.self_assessments import submitted_self_ratings

ABOVE, SAME, BELOW, UNRATED = "above", "same", "below", "unrated"


def self_vs_manager(
    *,
    competencies: Sequence[tuple[str, str]],
    manager: Mapping[str, str],
    own: Mapping[str, str] | None,
    ratings: Sequence[tuple[str, str, int]],
) -> dict[str, Any] | None:
    """``competencies``: (key, name) in rubric order; ``manager`` / ``own``: rating keys
    by competency (``own`` None: no submitted self-assessment, and the answer is None);
    ``ratings``: (key, label, order) of the rubric. Rows of (name, self label, manager
    label, where the self-rating stands) and the counts of each. A competency the
    manager left unrated (or rated off the scale) counts as not comparable."""
    if own is None:
        return None
    order = {key: o for key, _label, o in ratings}
    labels = {key: label for key, label, _o in ratings}
    rows = []
    counts = dict.fromkeys((ABOVE, SAME, BELOW, UNRATED), 0)
    for key, name in competencies:
        mine, theirs = own.get(key, ""), manager.get(key, "")
        if mine not in order or theirs not in order:
            where = UNRATED
        elif order[mine] > order[theirs]:
            where = ABOVE
        elif order[mine] < order[theirs]:
            where = BELOW
        else:
            where = SAME
        counts[where] += 1
        rows.append(
            {
                "competency": name,
                "self": labels.get(mine, mine),
                "manager": labels.get(theirs, theirs),
                "where": where,
            }
        )
    return {"rows": rows, "counts": counts, "total": len(rows), "summary": _summary(counts)}


def _summary(counts: Mapping[str, int]) -> str:
    total = sum(counts.values())
    return (
        f"Self-rating above the manager's in {counts[ABOVE]} of {total} "
        f"competenc{'y' if total == 1 else 'ies'}, the same in {counts[SAME]}, below in "
        f"{counts[BELOW]}; {counts[UNRATED]} not compared (not self-rated or not rated)."
    )


def review_self_gaps(
    reviews: Iterable[Review], rubric_of: Mapping[int, dict[str, Any]]
) -> dict[int, dict[str, Any] | None]:
    """The comparison for each review (assessments prefetched), with ``rubric_of[review
    id]`` its reviews.selectors.rubric_context. One query for all of them."""
    reviews = list(reviews)
    own = submitted_self_ratings([(r.pk, r.cycle_id, r.subject_id) for r in reviews])
    found: dict[int, dict[str, Any] | None] = {}
    for review in reviews:
        rubric = rubric_of[review.pk]
        found[review.pk] = self_vs_manager(
            competencies=[
                (c["competency"].key, c["competency"].name) for c in rubric["competencies"]
            ],
            manager={a.competency: a.rating for a in review.assessments.all()},
            own=own.get(review.pk),
            ratings=[
                (r["rating"].key, r["rating"].label, r["rating"].order) for r in rubric["ratings"]
            ],
        )
    return found
