"""The outcome table of one dimension × outcome (SPEC §6): each group's rate with its
interval, impact ratio and tests, after small-group suppression.

Suppression is decided once per dimension, from the group sizes and every outcome's
counts (``stats.dimension_suppression``), so each outcome table of a dimension, and each
section of the report, hides exactly the same groups: a group hidden in one place only
would say why by its absence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from audit import stats
from audit.selectors.access import audit_reader_require
from audit.selectors.population import (
    OUTCOMES,
    Dimension,
    Member,
    audit_dimensions,
    cycle_population,
)
from org.types import Viewer
from reviews.models import ReviewCycle

OUTCOME_KEYS = tuple(OUTCOMES)


def min_size(min_group_size: int | None) -> int:
    size = settings.AUDIT_MIN_GROUP_SIZE if min_group_size is None else min_group_size
    return max(1, int(size))


# group → level → [n, then one count per outcome in OUTCOME_KEYS order]
Tally = dict[str, dict[str, list[int]]]


def tally(members: Iterable[Member], key: str) -> Tally:
    out: Tally = defaultdict(dict)
    for m in members:
        cell = out[m.groups[key]].setdefault(m.level, [0] * (1 + len(OUTCOME_KEYS)))
        cell[0] += 1
        for i, outcome in enumerate(OUTCOME_KEYS, 1):
            if outcome in m.outcomes:
                cell[i] += 1
    return out


def _cells(counted: Tally, outcome: str) -> stats.Cells:
    i = 1 + OUTCOME_KEYS.index(outcome)
    return {g: {lvl: (v[0], v[i]) for lvl, v in levels.items()} for g, levels in counted.items()}


def suppression(counted: Tally, min_group_size: int) -> stats.Suppression:
    """What a dimension hides, decided once from its group sizes and every outcome's
    counts, so that each outcome table and section of it hides the same groups."""
    sizes = {g: sum(v[0] for v in levels.values()) for g, levels in counted.items()}
    counts = {
        outcome: {g: sum(v[i] for v in levels.values()) for g, levels in counted.items()}
        for i, outcome in enumerate(OUTCOME_KEYS, 1)
    }
    return stats.dimension_suppression(sizes, counts, min_group_size)


def outcome_result(
    counted: Tally,
    outcome: str,
    hidden: stats.Suppression,
    min_group_size: int,
    reference: str | None = None,
) -> dict[str, Any]:
    return stats.outcome_result(
        _cells(counted, outcome),
        min_group_size=min_group_size,
        reference=reference,
        suppression=hidden,
        outcome=outcome,
    )


def unknown_dimension(dimension: str, dimensions: Iterable[str]) -> dict[str, list[str]]:
    """The 400 body for a dimension that is not one of ``dimensions``."""
    return {
        "dimension": [f"Unknown dimension '{dimension}': choose one of {', '.join(dimensions)}."]
    }


def audit_dimension_list(*, user: Viewer) -> list[Dimension]:
    """The dimensions an audit groups people by: the org ones, then every demographic
    dimension (one query)."""
    audit_reader_require(user=user)
    return audit_dimensions()


def audit_outcomes(
    *,
    user: Viewer,
    cycle: ReviewCycle,
    dimension: str,
    outcome: str,
    reference: str | None = None,
    min_group_size: int | None = None,
) -> dict[str, Any]:
    """``{cycle, dimension, outcome, min_group_size, reference_group, groups, tests}``.

    Raises ValidationError naming the parameter for an unknown dimension or outcome, and
    for a reference that is not a group or is suppressed."""
    audit_reader_require(user=user)
    dimensions = {d.key: d for d in audit_dimensions()}
    errors: dict[str, list[str]] = {}
    if dimension not in dimensions:
        errors.update(unknown_dimension(dimension, dimensions))
    if outcome not in OUTCOMES:
        errors["outcome"] = [f"Unknown outcome '{outcome}': choose one of {', '.join(OUTCOMES)}."]
    if errors:
        raise ValidationError(errors)
    size = min_size(min_group_size)
    population = cycle_population(cycle=cycle, dimensions=[dimensions[dimension]])
    counted = tally(population.members, dimension)
    try:
        result = outcome_result(counted, outcome, suppression(counted, size), size, reference)
    except stats.ReferenceGroupError as e:
        raise ValidationError({"reference": [str(e)]}) from e
    return {
        "cycle": cycle.pk,
        "dimension": dimension,
        "outcome": outcome,
        "min_group_size": size,
        **result,
    }


def cycle_rates(
    *,
    cycle: ReviewCycle,
    dimensions: list[Dimension] | None = None,
    min_group_size: int | None = None,
) -> dict[tuple[str, str], dict[str, Any]]:
    """The outcome tables of a cycle, keyed by (dimension, outcome), with the same
    suppression as the report; no language or evidence sections, so it is cheap (four
    queries, five without ``dimensions``). The comparisons use it, for callers that
    already passed the gate."""
    population = cycle_population(cycle=cycle, dimensions=dimensions)
    size = min_size(min_group_size)
    out = {}
    for d in population.dimensions:
        counted = tally(population.members, d.key)
        hidden = suppression(counted, size)
        for outcome in OUTCOME_KEYS:
            out[(d.key, outcome)] = outcome_result(counted, outcome, hidden, size)
    return out
