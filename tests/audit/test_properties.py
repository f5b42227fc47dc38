"""Random populations through the pure statistics: never a crash, never a number out of
range (hypothesis; no database)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from audit import stats
from audit.findings import result_findings

GROUP_NAMES = st.sampled_from(["a", "b", "c", "d", "e", "undisclosed", "Team Z"])
LEVELS = st.sampled_from(["L3", "L4", "L5", "L6"])


@st.composite
def cell(draw):
    n = draw(st.integers(min_value=0, max_value=60))
    return (n, draw(st.integers(min_value=0, max_value=n)))


POPULATIONS = st.dictionaries(
    GROUP_NAMES, st.dictionaries(LEVELS, cell(), min_size=1, max_size=4), max_size=6
)


def _in_unit(p):
    return p is None or (0.0 <= p <= 1.0 + 1e-12)


@settings(max_examples=100, deadline=None)
@given(cells=POPULATIONS, min_group_size=st.integers(min_value=1, max_value=12))
def test_outcome_tables_of_random_populations_stay_in_range(cells, min_group_size):
    result = stats.outcome_result(cells, min_group_size=min_group_size)
    assert [g["group"] for g in result["groups"]] == sorted(cells)
    shown = [g for g in result["groups"] if not g["suppressed"]]
    hidden_n = sum(
        sum(n for n, _ in cells[g["group"]].values()) for g in result["groups"] if g["suppressed"]
    )
    assert hidden_n == 0 or hidden_n >= min_group_size or not shown
    for g in result["groups"]:
        if g["suppressed"]:
            assert {k for k, v in g.items() if v is not None} == {"group", "suppressed"}
            continue
        assert g["n"] >= min_group_size
        assert 0.0 <= g["rate"] <= 1.0
        lo, hi = g["ci95"]
        assert 0.0 <= lo <= g["rate"] <= hi <= 1.0
        assert g["impact_ratio"] is None or g["impact_ratio"] >= 0
        assert g["below_four_fifths"] is None or g["below_four_fifths"] == (g["impact_ratio"] < 0.8)
    for test in result["tests"].values():
        assert _in_unit(test["p_value"])
        for key in ("statistic", "odds_ratio"):
            value = test.get(key)
            assert value is None or (math.isfinite(value) and value >= 0)
    if len(shown) != 2:
        assert result["tests"]["fisher_exact"]["p_value"] is None
        assert result["tests"]["cmh_by_level"]["p_value"] is None
    if len(shown) < 2:
        assert result["tests"]["chi_square"]["p_value"] is None
    findings = result_findings(
        {"dimension": "team", "outcome": "low_rating", **result}, dimension_label="Team"
    )
    for f in findings:
        assert _in_unit(f["p_value_adjusted"])
        assert f["text"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1)), max_size=40))
def test_adjusted_p_values_stay_in_range_and_never_fall_below_the_raw_ones(p_values):
    adjusted = stats.benjamini_hochberg(p_values)
    assert len(adjusted) == len(p_values)
    for raw, adj in zip(p_values, adjusted, strict=True):
        assert (raw is None) == (adj is None)
        if raw is not None:
            assert _in_unit(adj)
            assert adj >= raw - 1e-12


OUTCOME_NAMES = ("high", "low", "promoted")


@st.composite
def dimension(draw):
    """A dimension of a random population: per group, per level, n and one count per
    outcome."""
    groups = draw(st.lists(GROUP_NAMES, min_size=1, max_size=6, unique=True))
    out = {}
    for g in groups:
        levels = draw(st.lists(LEVELS, min_size=1, max_size=3, unique=True))
        out[g] = {}
        for level in levels:
            n = draw(st.integers(min_value=1, max_value=40))
            out[g][level] = (
                n,
                [draw(st.integers(min_value=0, max_value=n)) for _ in OUTCOME_NAMES],
            )
    return out


@settings(max_examples=200, deadline=None)
@given(population=dimension(), min_group_size=st.integers(min_value=1, max_value=12))
def test_no_outcome_of_the_hidden_groups_of_random_populations_is_all_alike(
    population, min_group_size
):
    """Issue #10, point 7: for every outcome shown, the hidden groups together (what
    subtraction from a total gives) hold someone with it and someone without it; every
    outcome hides the same groups; and their size is 0 or at least the minimum."""
    sizes = {g: sum(n for n, _ in levels.values()) for g, levels in population.items()}
    counts = {
        o: {g: sum(c[i] for _, c in levels.values()) for g, levels in population.items()}
        for i, o in enumerate(OUTCOME_NAMES)
    }
    suppression = stats.dimension_suppression(sizes, counts, min_group_size)
    hidden_sets = set()
    for i, outcome in enumerate(OUTCOME_NAMES):
        cells = {
            g: {lvl: (n, c[i]) for lvl, (n, c) in levels.items()}
            for g, levels in population.items()
        }
        result = stats.outcome_result(
            cells, min_group_size=min_group_size, suppression=suppression, outcome=outcome
        )
        hidden = {g["group"] for g in result["groups"] if g["suppressed"]}
        shown = [g for g in result["groups"] if not g["suppressed"]]
        if result["withheld"]:
            assert not shown
            continue
        hidden_sets.add(frozenset(hidden))
        hidden_n = sum(sizes[g] for g in hidden)
        hidden_count = sum(counts[outcome][g] for g in hidden)
        assert hidden_n == 0 or hidden_n >= min_group_size or not shown
        if hidden and shown:
            assert 0 < hidden_count < hidden_n, (outcome, hidden_count, hidden_n)
        # What a reader subtracts is what the shown rows give.
        assert sum(g["n"] for g in shown) == sum(sizes.values()) - hidden_n
    assert len(hidden_sets) <= 1
