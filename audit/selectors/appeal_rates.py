"""Appeals in the fairness audit (SPEC §6.7, §11.3): who appealed their review, and whose
rating was changed on appeal, as two more outcomes of every member of a cycle's audit.

Which way each is flagged (``OUTCOMES`` in audit.selectors.population):

- ``appealed`` counts as favourable (``higher_is_less_favourable`` false), so the
  four-fifths rule flags a group that appeals *less* than the reference group. An appeal
  is a right; a group that seldom uses it may not feel safe to. A high rate is shown in
  the table all the same, for HR to read beside the rating outcomes.
- ``changed_on_appeal`` counts as less favourable: a higher rate means that group's first
  outcomes were more often wrong, which is what an audit looks for, even though the
  change itself set things right for the person.

Both are over everyone reviewed in the cycle (the audit's population), so they read like
the other outcomes and keep the same small-group suppression.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, QuerySet

from calibration.models import Appeal

APPEALED = "appealed"
CHANGED_ON_APPEAL = "changed_on_appeal"


def appeal_rows(reviews: QuerySet[Any]) -> QuerySet[Appeal]:
    """The appeals of ``reviews`` (the cycle's audited reviews, as a subquery)."""
    return Appeal.objects.filter(review__in=reviews.values("pk"))


# How the report's cache tells the appeals changed: one is opened (count, last id) or
# resolved (the last resolution time).
APPEAL_MARKS = {"n": Count("pk"), "last": Max("pk"), "resolved": Max("resolved_at")}


def appeal_outcomes(appeals: QuerySet[Appeal]) -> dict[int, set[str]]:
    """Review id → the appeal outcomes it has, in one query."""
    out: dict[int, set[str]] = defaultdict(set)
    for review_id, resolution in appeals.values_list("review_id", "resolution"):
        out[review_id].add(APPEALED)
        if resolution == Appeal.Resolution.CHANGED:
            out[review_id].add(CHANGED_ON_APPEAL)
    return out
