"""What a page shows beside a review: the rubric at the subject's level, and the subject's
team scorecard over the cycle period.

Both are read from many rows and are the same for every reader, so they are kept in the
cache under the data version, which any write to the database replaces
(core.page_cache): never older than the data they show.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.utils import timezone

from core.page_cache import data_version
from reviews.models import Review
from rubrics.models import Competency, Level, Rating, RatingDefinition, RubricVersion

# What pages keep in the cache (these, and reviews.selectors.chain_ids) is dropped after
# this long even if nothing is written.
KEPT_SECONDS = 15 * 60


def _rubric_contents(version: RubricVersion) -> tuple[Any, ...]:
    """A rubric version's levels, competencies, expectations, ratings and rating
    definitions (five queries), kept in the cache under the data version like everything
    pages keep (core.page_cache)."""
    key = f"reviews:rubric-contents:{version.pk}:{data_version()}"
    kept = caches["default"].get(key)
    if kept is not None:
        return tuple(kept)
    levels = list(Level.objects.filter(version=version).order_by("order"))
    competencies = list(Competency.objects.filter(version=version).order_by("order", "key"))
    expectations = {
        (e.level.code, e.competency.key): e
        for e in version.expectations.select_related("level", "competency")
    }
    ratings = list(Rating.objects.filter(version=version).order_by("order"))
    definitions = {
        (d.rating_id, d.level_id): d.text for d in RatingDefinition.objects.filter(version=version)
    }
    found = (levels, competencies, expectations, ratings, definitions)
    caches["default"].set(key, found, KEPT_SECONDS)
    return found


def rubric_context(review: Review) -> dict[str, Any]:
    """The rubric beside the editor: expectations for the subject's level (and the
    nominated level), and what each rating means at that level. Fixed query count (none
    for a published version read before)."""
    level_list, competencies, expectations, ratings, definitions = _rubric_contents(
        review.rubric_version
    )
    levels = {lv.code: lv for lv in level_list}
    level = levels.get(review.level)
    target = levels.get(review.promotion_to) if review.promotion_to else None
    return {
        "level": level,
        "target_level": target,
        "levels": list(levels.values()),
        "competencies": [
            {
                "competency": c,
                "expectation": expectations.get((review.level, c.key)),
                "target_expectation": (
                    expectations.get((target.code, c.key)) if target is not None else None
                ),
            }
            for c in competencies
        ],
        "ratings": [
            {
                "rating": r,
                "definition": (definitions.get((r.pk, level.pk)) if level else None)
                or r.definition,
            }
            for r in ratings
        ],
        "baseline": next((r.key for r in ratings if r.is_baseline), None),
    }


def team_context(review: Review) -> Any:
    """The subject's team scorecard over the cycle period: context beside a review or a
    calibration case, never a measure of the person (SPEC §1.4). None without a team."""
    from outcomes.selectors.scorecard import team_scorecard

    team = review.team or review.subject.team
    if team is None:
        return None
    start, end = review.cycle.starts_on, review.cycle.ends_on
    # The same for every reader, and built from a dozen tables of outcomes: kept under the
    # data version, which any write to the database replaces (core.page_cache), and the
    # date, so it is never older than the data it shows.
    key = f"reviews:team-context:{team.pk}:{start}:{end}:{timezone.localdate()}:{data_version()}"
    scorecard = caches["default"].get(key)
    if scorecard is None:
        scorecard = team_scorecard(team=team, start=start, end=end)
        caches["default"].set(key, scorecard, KEPT_SECONDS)
    return scorecard
