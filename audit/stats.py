"""The statistics of the fairness audit, as pure functions of counts (no database).

Every interval and test comes from scipy or statsmodels (SPEC §9); this module only
arranges the tables, applies small-group suppression and turns undefined results (NaN,
±infinity) into ``None``, so that the JSON stays valid and a reader sees "not available"
rather than a made-up number.

The input of ``outcome_result`` is ``Cells``: for each group, for each level (the CMH
stratum), the pair ``(n, count)`` = (people, people with the outcome).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as scipy_stats
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

# SPEC §6 fixes z = 1.959963985 for the Wilson interval. statsmodels computes it as
# scipy.stats.norm.isf(0.025) = 1.9599639845400545, equal to SPEC's value to 9 decimals
# (a difference of 5e-10), so we use statsmodels unchanged and keep the constant for
# the tests and the documentation.
Z_95 = 1.959963985
FOUR_FIFTHS = 0.8
# A dimension that hides groups withholds an outcome unless the hidden people would be
# expected to include at least this many with it and as many without it: below that,
# "all alike" is likely (one chance in seven or more), and hiding a large group for each
# such outcome would leave little of the dimension (see dimension_suppression).
EXPECTED_EACH_SIDE = 2.0

Cells = Mapping[str, Mapping[str, tuple[int, int]]]
Table2x2 = tuple[tuple[int, int], tuple[int, int]]


class ReferenceGroupError(ValueError):
    """The ``reference`` asked for is not a group of the dimension, or is suppressed."""


def _num(value: Any) -> float | None:
    """A finite float, or None for NaN and ±infinity (undefined or unbounded)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def suppressed_groups(sizes: Mapping[str, int], min_group_size: int) -> frozenset[str]:
    """Groups whose numbers must not be shown because of their size (SPEC §6, small groups).

    Every group with fewer than ``min_group_size`` people, and then, because the
    population total can be read from another dimension, the next-smallest groups (by
    size, ties by name) until the suppressed groups together hold 0 or at least
    ``min_group_size`` people: one small group can never be recovered by subtraction.
    """
    hidden = {g for g, n in sizes.items() if n < min_group_size}
    total = sum(sizes[g] for g in hidden)
    shown = sorted((n, g) for g, n in sizes.items() if g not in hidden)
    while 0 < total < min_group_size and shown:
        n, g = shown.pop(0)
        hidden.add(g)
        total += n
    return frozenset(hidden)


@dataclass(frozen=True)
class Suppression:
    """What one dimension hides: ``groups`` in every table of it, and every group of the
    ``withheld`` outcomes."""

    groups: frozenset[str] = frozenset()
    withheld: frozenset[str] = frozenset()


def _alike(hidden: Iterable[str], sizes: Mapping[str, int], counts: Mapping[str, int]) -> bool:
    """Whether everybody in the hidden groups shares the outcome, or nobody does."""
    names = list(hidden)
    n = sum(sizes[g] for g in names)
    count = sum(counts.get(g, 0) for g in names)
    return n > 0 and count in (0, n)


def dimension_suppression(
    sizes: Mapping[str, int], counts: Mapping[str, Mapping[str, int]], min_group_size: int
) -> Suppression:
    """The suppression of a dimension (SPEC §6, small groups; issue #10, point 7).

    ``counts`` is, per outcome, each group's count. First the small groups and their
    complements (``suppressed_groups``). Then attribute disclosure: each outcome's total
    can be read from any dimension shown in full (level, ladder), so the hidden groups'
    combined count is known; if it is 0, or all of them, everybody hidden shares the
    outcome, which says something about each of them.

    1. An outcome too rare (or too common) for the hidden people to be expected to hold
       ``EXPECTED_EACH_SIDE`` people with it and as many without it is ``withheld``: no
       group of the dimension is shown for it. The test uses only numbers the report
       shows anyway (the total, the population, the hidden groups' size), so withholding
       says nothing about the hidden people; an outcome everybody or nobody has is one.
    2. For the other outcomes, when the hidden people are all alike, the smallest shown
       group that breaks the tie (someone with the outcome when nobody hidden has it,
       someone without it when everybody has it) is hidden too: one is enough, and
       hiding more only loses numbers. Every outcome of the dimension hides the same
       groups, because a group hidden for one outcome only would say, by its absence,
       that the small groups were alike in that outcome.

    A dimension that hides no group has no remainder to protect and withholds nothing.
    """
    hidden = set(suppressed_groups(sizes, min_group_size))
    if not hidden or len(hidden) == len(sizes):
        return Suppression(groups=frozenset(hidden))
    population = sum(sizes.values())
    hidden_n = sum(sizes[g] for g in hidden)
    withheld: set[str] = set()
    for outcome, mine in counts.items():
        total = sum(mine.values())
        rarer = min(total, population - total)
        if rarer * hidden_n < EXPECTED_EACH_SIDE * population:
            withheld.add(outcome)
    for outcome in sorted(set(counts) - withheld):
        mine = counts[outcome]
        if not _alike(hidden, sizes, mine):
            continue
        nobody = sum(mine.get(g, 0) for g in hidden) == 0
        breakers = sorted(
            (sizes[g], g)
            for g in sizes
            if g not in hidden and (mine.get(g, 0) > 0 if nobody else mine.get(g, 0) < sizes[g])
        )
        if breakers:
            # Adding groups never makes a mixed remainder alike again, so outcomes
            # already checked stay safe.
            hidden.add(breakers[0][1])
        else:  # everybody alike (step 1 has withheld it already; kept for safety)
            withheld.add(outcome)
    return Suppression(groups=frozenset(hidden), withheld=frozenset(withheld))


def wilson_intervals(counts: Sequence[int], ns: Sequence[int]) -> list[tuple[float, float]]:
    """95% Wilson score intervals (statsmodels), one per (count, n); every n > 0."""
    if not ns:
        return []
    lo, hi = proportion_confint(
        np.asarray(counts, dtype=float), np.asarray(ns, dtype=float), alpha=0.05, method="wilson"
    )
    out = []
    for c, n, a, b in zip(counts, ns, np.atleast_1d(lo), np.atleast_1d(hi), strict=True):
        # The Wilson interval always contains count/n; rounding can leave it 1e-17 outside
        # (e.g. a lower bound of 2.8e-17 for 0 of 7), so the edge is snapped to the rate.
        out.append((min(float(a), c / n), max(float(b), c / n)))
    return out


def chi_square(rows: Sequence[tuple[int, int]]) -> dict[str, Any]:
    """Pearson chi-square test of independence on a groups × {outcome, not} table, without
    continuity correction. Null when there are fewer than two groups, or when a column is
    empty (nobody, or everybody, has the outcome): the statistic is then undefined."""
    empty = {"statistic": None, "dof": None, "p_value": None}
    if len(rows) < 2:
        return empty
    table = np.asarray(rows, dtype=float)
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return empty
    res = scipy_stats.chi2_contingency(table, correction=False)
    return {
        "statistic": _num(res.statistic),
        "dof": int(res.dof),
        "p_value": _num(res.pvalue),
    }


def fisher_exact(table: Table2x2) -> dict[str, Any]:
    """Two-sided Fisher exact test. The odds ratio is (row 1 odds)/(row 2 odds) — scipy's
    sample odds ratio — and null when a zero cell makes it 0/0 or infinite."""
    res = scipy_stats.fisher_exact(np.asarray(table), alternative="two-sided")
    return {"odds_ratio": _num(res.statistic), "p_value": _num(res.pvalue)}


def cmh(strata: Sequence[Table2x2]) -> dict[str, Any]:
    """Mantel–Haenszel pooled odds ratio and Cochran–Mantel–Haenszel test (statsmodels),
    without continuity correction, over 2×2 tables whose rows are both non-empty. Null
    when no stratum remains or every stratum is degenerate (an empty outcome column)."""
    empty = {"odds_ratio": None, "statistic": None, "p_value": None}
    if not strata:
        return empty
    table = StratifiedTable([np.asarray(t, dtype=float) for t in strata])
    # Degenerate strata give 0/0 inside statsmodels; the NaN is reported as null.
    with np.errstate(divide="ignore", invalid="ignore"):
        odds_ratio = table.oddsratio_pooled
        test = table.test_null_odds(correction=False)
    return {
        "odds_ratio": _num(odds_ratio),
        "statistic": _num(test.statistic),
        "p_value": _num(test.pvalue),
    }


def _row(n: int, count: int) -> tuple[int, int]:
    return (count, n - count)


def outcome_result(
    cells: Cells,
    *,
    min_group_size: int,
    reference: str | None = None,
    suppression: Suppression | None = None,
    outcome: str = "outcome",
) -> dict[str, Any]:
    """The §6 outcome table of one dimension × outcome: groups (sorted by name), tests,
    and ``withheld`` (no group shown: those too small to report would be identifiable).

    ``suppression`` is the dimension's, from every outcome (``dimension_suppression``);
    without it, it is worked out from this outcome alone. ``outcome`` names this outcome
    in ``suppression.withheld``. Raises ``ReferenceGroupError`` when ``reference`` is not
    a group, or is suppressed.
    """
    min_group_size = max(1, min_group_size)
    sizes = {g: sum(n for n, _ in levels.values()) for g, levels in cells.items()}
    counts = {g: sum(c for _, c in levels.values()) for g, levels in cells.items()}
    if suppression is None:
        suppression = dimension_suppression(sizes, {outcome: counts}, min_group_size)
    withheld = outcome in suppression.withheld
    hidden = frozenset(cells) if withheld else suppression.groups
    names = sorted(cells)
    shown = [g for g in names if g not in hidden]
    rate = {g: counts[g] / sizes[g] for g in shown}

    if reference is not None:
        if reference not in cells:
            raise ReferenceGroupError(f"'{reference}' is not a group of this dimension.")
        if reference in hidden:
            raise ReferenceGroupError(
                f"'{reference}' is suppressed (a small group, or one hidden with them), so it "
                "cannot be the reference."
            )
        ref: str | None = reference
    else:
        # Highest rate; on a tie, the first name.
        ref = max(shown, key=lambda g: rate[g], default=None)
    ref_rate = rate[ref] if ref is not None else None

    intervals = dict(
        zip(
            shown,
            wilson_intervals([counts[g] for g in shown], [sizes[g] for g in shown]),
            strict=True,
        )
    )
    groups: list[dict[str, Any]] = []
    for g in names:
        if g in hidden:
            groups.append(
                {
                    "group": g,
                    "n": None,
                    "count": None,
                    "rate": None,
                    "ci95": None,
                    "impact_ratio": None,
                    "below_four_fifths": None,
                    "suppressed": True,
                }
            )
            continue
        impact = rate[g] / ref_rate if ref_rate else None
        lo, hi = intervals[g]
        groups.append(
            {
                "group": g,
                "n": sizes[g],
                "count": counts[g],
                "rate": rate[g],
                "ci95": [lo, hi],
                "impact_ratio": impact,
                "below_four_fifths": None if impact is None else impact < FOUR_FIFTHS,
                "suppressed": False,
            }
        )

    tests: dict[str, Any] = {
        "chi_square": chi_square([_row(sizes[g], counts[g]) for g in shown]),
        "fisher_exact": {"odds_ratio": None, "p_value": None},
        "cmh_by_level": {"odds_ratio": None, "statistic": None, "p_value": None},
    }
    if len(shown) == 2:
        # Odds ratios are (first group's odds)/(second group's odds), names ascending.
        first, second = shown
        tests["fisher_exact"] = fisher_exact(
            (_row(sizes[first], counts[first]), _row(sizes[second], counts[second]))
        )
        strata: list[Table2x2] = []
        for level in sorted(set(cells[first]) | set(cells[second])):
            a = cells[first].get(level, (0, 0))
            b = cells[second].get(level, (0, 0))
            if a[0] > 0 and b[0] > 0:  # a stratum lacking either group says nothing
                strata.append((_row(*a), _row(*b)))
        tests["cmh_by_level"] = cmh(strata)

    return {"reference_group": ref, "withheld": withheld, "groups": groups, "tests": tests}


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg adjusted p-values (statsmodels ``fdr_bh``), in input order;
    nulls stay null and take no part in the adjustment."""
    present = [i for i, p in enumerate(p_values) if p is not None]
    adjusted: list[float | None] = [None] * len(p_values)
    if present:
        _, corrected, _, _ = multipletests(
            [p_values[i] for i in present], alpha=0.05, method="fdr_bh"
        )
        for i, p in zip(present, corrected, strict=True):
            adjusted[i] = _num(p)
    return adjusted
