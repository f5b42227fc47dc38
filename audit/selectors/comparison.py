"""Outcome rates across cycles: each group's rate in a cycle next to the previous cycle's
(the report's comparison section), and one dimension's groups side by side across
several cycles (the comparison page). Each cycle hides its own small groups, exactly as
in its own report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from audit.selectors.access import audit_reader_require, cycle_summary
from audit.selectors.outcome_tables import (
    OUTCOME_KEYS,
    cycle_rates,
    min_size,
    unknown_dimension,
)
from audit.selectors.population import audit_dimensions
from org.types import Viewer
from reviews.models import ReviewCycle


def _group_rates(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["group"]: g for g in result["groups"]}


def compare_results(
    current: dict[tuple[str, str], dict[str, Any]],
    previous: dict[tuple[str, str], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Per dimension × outcome, each group's rate now and in the previous cycle, and the
    change in percentage points when both are shown. A group suppressed (or absent) on
    either side has no number on that side and no change."""
    rows = []
    for key, result in current.items():
        now = _group_rates(result)
        before = _group_rates(previous.get(key, {"groups": []}))
        groups = []
        for name in sorted(set(now) | set(before)):
            a, b = now.get(name), before.get(name)
            rate = None if a is None or a["suppressed"] else a["rate"]
            prev = None if b is None or b["suppressed"] else b["rate"]
            groups.append(
                {
                    "group": name,
                    "rate": rate,
                    "suppressed": a is not None and a["suppressed"],
                    "previous_rate": prev,
                    "previous_suppressed": b is not None and b["suppressed"],
                    "change": None if rate is None or prev is None else rate - prev,
                }
            )
        rows.append({"dimension": key[0], "outcome": key[1], "groups": groups})
    return rows


def audit_comparison(
    *,
    user: Viewer,
    cycles: Sequence[ReviewCycle],
    dimension: str,
    min_group_size: int | None = None,
) -> dict[str, Any]:
    """Outcome rates of one dimension's groups across several cycles, oldest first:
    ``{cycles, dimension, min_group_size, outcomes[{outcome, groups[{group,
    cells[one per cycle]}]}]}``. Each cycle is suppressed on its own, exactly as in its
    report; a cell of a suppressed or absent group carries no number. Four queries per
    cycle, plus one."""
    audit_reader_require(user=user)
    dimensions = {d.key: d for d in audit_dimensions()}
    if dimension not in dimensions:
        raise ValidationError(unknown_dimension(dimension, dimensions))
    size = min_size(min_group_size)
    ordered = sorted(cycles, key=lambda c: (c.starts_on, c.pk))
    tables = [
        cycle_rates(cycle=c, dimensions=[dimensions[dimension]], min_group_size=size)
        for c in ordered
    ]
    outcomes = []
    for outcome in OUTCOME_KEYS:
        per_cycle = [_group_rates(t[(dimension, outcome)]) for t in tables]
        names = sorted({name for groups in per_cycle for name in groups})
        rows = []
        for name in names:
            cells = []
            for groups in per_cycle:
                g = groups.get(name)
                cells.append(
                    {"present": False, "suppressed": False} if g is None else {"present": True, **g}
                )
            rows.append({"group": name, "cells": cells})
        outcomes.append({"outcome": outcome, "groups": rows})
    return {
        "cycles": [cycle_summary(c) for c in ordered],
        "dimension": dimension,
        "dimension_label": dimensions[dimension].label,
        "min_group_size": size,
        "outcomes": outcomes,
    }
