"""The audit's statistics against scipy/statsmodels, computed independently here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2_contingency, fisher_exact
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from audit import stats
from audit.findings import result_findings


def by_name(result):
    return {g["group"]: g for g in result["groups"]}


def flat(**groups):
    """Cells with a single level: name=(n, count)."""
    return {g: {"L4": nc} for g, nc in groups.items()}


def test_wilson_interval_is_statsmodels_with_the_spec_z():
    result = stats.outcome_result(
        flat(a=(50, 20), b=(40, 0), c=(30, 30), d=(7, 3)), min_group_size=5
    )
    z = 1.959963985
    for name, (n, c) in {"a": (50, 20), "b": (40, 0), "c": (30, 30), "d": (7, 3)}.items():
        lo, hi = by_name(result)[name]["ci95"]
        assert (lo, hi) == pytest.approx(proportion_confint(c, n, alpha=0.05, method="wilson"))
        # The same interval from its textbook formula with SPEC's z (to 1e-9).
        p = c / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        assert lo == pytest.approx(max(0.0, centre - half), abs=1e-9)
        assert hi == pytest.approx(min(1.0, centre + half), abs=1e-9)
    assert stats.Z_95 == pytest.approx(1.959963985)


def test_rates_impact_ratios_and_the_four_fifths_flag():
    result = stats.outcome_result(flat(a=(50, 20), b=(40, 10), c=(30, 3)), min_group_size=5)
    groups = by_name(result)
    assert result["reference_group"] == "a"
    assert [g["group"] for g in result["groups"]] == ["a", "b", "c"]
    assert groups["a"]["rate"] == pytest.approx(0.4)
    assert groups["a"]["impact_ratio"] == pytest.approx(1.0)
    assert groups["a"]["below_four_fifths"] is False
    assert groups["b"]["impact_ratio"] == pytest.approx(0.25 / 0.4)
    assert groups["b"]["below_four_fifths"] is True
    assert groups["c"]["impact_ratio"] == pytest.approx(0.1 / 0.4)
    assert (groups["b"]["n"], groups["b"]["count"]) == (40, 10)


def test_a_ratio_of_exactly_four_fifths_is_not_below_it():
    result = stats.outcome_result(flat(a=(10, 5), b=(10, 4)), min_group_size=5)
    assert by_name(result)["b"]["impact_ratio"] == pytest.approx(0.8)
    assert by_name(result)["b"]["below_four_fifths"] is False


def test_the_reference_can_be_named_and_ties_pick_the_first_name():
    result = stats.outcome_result(flat(b=(10, 5), a=(10, 5), c=(20, 4)), min_group_size=5)
    assert result["reference_group"] == "a"
    named = stats.outcome_result(flat(a=(10, 5), c=(20, 4)), min_group_size=5, reference="c")
    assert named["reference_group"] == "c"
    assert by_name(named)["a"]["impact_ratio"] == pytest.approx(0.5 / 0.2)


def test_an_unknown_or_suppressed_reference_is_refused():
    cells = flat(a=(10, 5), b=(3, 1), c=(20, 4))
    with pytest.raises(stats.ReferenceGroupError, match="not a group"):
        stats.outcome_result(cells, min_group_size=5, reference="zzz")
    with pytest.raises(stats.ReferenceGroupError, match="suppressed"):
        stats.outcome_result(cells, min_group_size=5, reference="b")


def test_chi_square_has_no_continuity_correction():
    table = [[20, 30], [10, 30], [3, 27]]
    result = stats.outcome_result(flat(a=(50, 20), b=(40, 10), c=(30, 3)), min_group_size=5)
    expected = chi2_contingency(np.array(table), correction=False)
    chi = result["tests"]["chi_square"]
    assert chi["statistic"] == pytest.approx(expected.statistic)
    assert chi["dof"] == expected.dof == 2
    assert chi["p_value"] == pytest.approx(expected.pvalue)

    two = stats.outcome_result(flat(a=(50, 20), b=(40, 10)), min_group_size=5)
    uncorrected = chi2_contingency(np.array([[20, 30], [10, 30]]), correction=False)
    corrected = chi2_contingency(np.array([[20, 30], [10, 30]]), correction=True)
    assert two["tests"]["chi_square"]["statistic"] == pytest.approx(uncorrected.statistic)
    assert two["tests"]["chi_square"]["statistic"] != pytest.approx(corrected.statistic)
    assert two["tests"]["chi_square"]["dof"] == 1


def test_fisher_exact_orients_the_odds_ratio_by_ascending_group_names():
    # Given in reverse order: "alpha" must still be the first row.
    result = stats.outcome_result(
        {"zeta": {"L4": (30, 6)}, "alpha": {"L4": (20, 12)}}, min_group_size=5
    )
    expected = fisher_exact([[12, 8], [6, 24]], alternative="two-sided")
    fisher = result["tests"]["fisher_exact"]
    assert fisher["odds_ratio"] == pytest.approx(expected.statistic)
    assert fisher["odds_ratio"] == pytest.approx((12 / 8) / (6 / 24))
    assert fisher["p_value"] == pytest.approx(expected.pvalue)


def test_fisher_and_cmh_run_only_with_exactly_two_groups():
    three = stats.outcome_result(flat(a=(50, 20), b=(40, 10), c=(30, 3)), min_group_size=5)
    assert three["tests"]["fisher_exact"] == {"odds_ratio": None, "p_value": None}
    assert three["tests"]["cmh_by_level"] == {
        "odds_ratio": None,
        "statistic": None,
        "p_value": None,
    }


def test_cmh_by_level_matches_statsmodels_without_correction():
    cells = {
        "a": {"L3": (30, 6), "L4": (25, 10), "L5": (12, 8)},
        "b": {"L3": (20, 2), "L4": (30, 9), "L5": (15, 7)},
    }
    result = stats.outcome_result(cells, min_group_size=5)
    tables = [
        np.array([[6, 24], [2, 18]]),
        np.array([[10, 15], [9, 21]]),
        np.array([[8, 4], [7, 8]]),
    ]
    expected = StratifiedTable(tables)
    test = expected.test_null_odds(correction=False)
    cmh = result["tests"]["cmh_by_level"]
    assert cmh["odds_ratio"] == pytest.approx(expected.oddsratio_pooled)
    assert cmh["statistic"] == pytest.approx(test.statistic)
    assert cmh["p_value"] == pytest.approx(test.pvalue)
    assert cmh["statistic"] != pytest.approx(expected.test_null_odds(correction=True).statistic)


def test_a_level_holding_only_one_group_is_dropped_from_cmh():
    cells = {
        "a": {"L3": (30, 6), "L4": (25, 10), "L6": (9, 9)},
        "b": {"L4": (30, 9), "L5": (15, 7)},
    }
    result = stats.outcome_result(cells, min_group_size=5)
    only_l4 = StratifiedTable([np.array([[10, 15], [9, 21]])])
    cmh = result["tests"]["cmh_by_level"]
    assert cmh["odds_ratio"] == pytest.approx(only_l4.oddsratio_pooled)
    assert cmh["odds_ratio"] == pytest.approx((10 / 15) / (9 / 21))
    assert cmh["statistic"] == pytest.approx(only_l4.test_null_odds(correction=False).statistic)


def test_cmh_with_no_shared_level_or_only_degenerate_levels_is_null():
    apart = stats.outcome_result({"a": {"L3": (10, 5)}, "b": {"L5": (10, 2)}}, min_group_size=5)
    assert apart["tests"]["cmh_by_level"] == {
        "odds_ratio": None,
        "statistic": None,
        "p_value": None,
    }
    nobody = stats.outcome_result(
        {"a": {"L3": (10, 0), "L4": (6, 0)}, "b": {"L3": (8, 0), "L4": (7, 0)}}, min_group_size=5
    )
    assert nobody["tests"]["cmh_by_level"] == {
        "odds_ratio": None,
        "statistic": None,
        "p_value": None,
    }
    # A degenerate level next to an informative one adds nothing to the pooled ratio.
    mixed = stats.outcome_result(
        {"a": {"L3": (10, 0), "L4": (25, 10)}, "b": {"L3": (8, 0), "L4": (30, 9)}},
        min_group_size=5,
    )
    expected = StratifiedTable([np.array([[0, 10], [0, 8]]), np.array([[10, 15], [9, 21]])])
    assert mixed["tests"]["cmh_by_level"]["odds_ratio"] == pytest.approx(expected.oddsratio_pooled)
    assert mixed["tests"]["cmh_by_level"]["statistic"] == pytest.approx(
        expected.test_null_odds(correction=False).statistic
    )


def test_when_nobody_has_the_outcome_the_tests_are_null_not_an_error():
    result = stats.outcome_result(flat(a=(10, 0), b=(12, 0)), min_group_size=5)
    assert result["tests"]["chi_square"] == {"statistic": None, "dof": None, "p_value": None}
    # scipy defines Fisher's p (= 1) but not the odds ratio (0/0).
    assert result["tests"]["fisher_exact"]["odds_ratio"] is None
    assert result["tests"]["fisher_exact"]["p_value"] == pytest.approx(1.0)
    assert all(g["impact_ratio"] is None for g in result["groups"])
    everyone = stats.outcome_result(flat(a=(10, 10), b=(12, 12)), min_group_size=5)
    assert everyone["tests"]["chi_square"]["p_value"] is None


def test_a_group_with_a_zero_count_has_rate_zero_and_a_zero_reference_gives_no_ratio():
    result = stats.outcome_result(flat(a=(10, 0), b=(10, 5)), min_group_size=5)
    groups = by_name(result)
    assert result["reference_group"] == "b"
    assert groups["a"]["rate"] == 0
    assert groups["a"]["impact_ratio"] == 0
    assert groups["a"]["below_four_fifths"] is True
    assert groups["a"]["ci95"][0] == 0
    # An infinite odds ratio (a zero cell) is reported as null, the p-value still stands.
    expected = fisher_exact([[0, 10], [5, 5]])
    assert result["tests"]["fisher_exact"]["odds_ratio"] == pytest.approx(expected.statistic)
    assert result["tests"]["fisher_exact"]["p_value"] == pytest.approx(expected.pvalue)

    zero_ref = stats.outcome_result(flat(a=(10, 0), b=(10, 5)), min_group_size=5, reference="a")
    assert zero_ref["reference_group"] == "a"
    for g in zero_ref["groups"]:
        assert g["impact_ratio"] is None
        assert g["below_four_fifths"] is None


def test_simpsons_paradox_reverses_within_levels_and_the_findings_say_so():
    # "a" sits mostly at L3, where high ratings are rare; at each level "a" does better.
    cells = {
        "a": {"L3": (80, 16), "L5": (20, 14)},
        "b": {"L3": (20, 2), "L5": (80, 48)},
    }
    result = stats.outcome_result(cells, min_group_size=5)
    groups = by_name(result)
    assert groups["a"]["rate"] == pytest.approx(0.3)
    assert groups["b"]["rate"] == pytest.approx(0.5)
    pooled = fisher_exact([[30, 70], [50, 50]])
    assert result["tests"]["fisher_exact"]["odds_ratio"] == pytest.approx(pooled.statistic)
    assert result["tests"]["fisher_exact"]["odds_ratio"] < 1
    within = StratifiedTable([np.array([[16, 64], [2, 18]]), np.array([[14, 6], [48, 32]])])
    assert result["tests"]["cmh_by_level"]["odds_ratio"] == pytest.approx(within.oddsratio_pooled)
    assert result["tests"]["cmh_by_level"]["odds_ratio"] > 1
    assert result["tests"]["chi_square"]["p_value"] < 0.05

    findings = result_findings(
        {"dimension": "gender", "outcome": "high_rating", **result}, dimension_label="Gender"
    )
    simpson = [f for f in findings if f["kind"] == "simpson"]
    assert len(simpson) == 1
    text = simpson[0]["text"]
    assert "Simpson's paradox" in text
    assert "reverses" in text
    assert "Mantel–Haenszel odds ratio" in text
    assert f"{within.oddsratio_pooled:.2f}" in text
    assert "CMH test" in text
    # The pooled gap is itself a finding, with its statistic.
    gap = next(f for f in findings if f["kind"] == "gap")
    assert 'Gender "a" has a high-rating rate of 30%' in gap["text"]
    assert "chi-square" in gap["text"]


def test_a_gap_that_level_explains_largely_disappears_even_if_it_tips_past_one():
    # Level by level "a" and "b" do about as well (odds ratio just under 1): the note says
    # the gap largely disappears, not that it reverses.
    cells = {
        "a": {"L3": (80, 8), "L5": (20, 12)},
        "b": {"L3": (20, 2), "L5": (80, 50)},
    }
    result = stats.outcome_result(cells, min_group_size=5)
    within = StratifiedTable([np.array([[8, 72], [2, 18]]), np.array([[12, 8], [50, 30]])])
    assert result["tests"]["cmh_by_level"]["odds_ratio"] == pytest.approx(within.oddsratio_pooled)
    assert 0.8 < within.oddsratio_pooled < 1
    findings = result_findings(
        {"dimension": "gender", "outcome": "high_rating", **result}, dimension_label="Gender"
    )
    (simpson,) = [f for f in findings if f["kind"] == "simpson"]
    assert "largely disappears" in simpson["text"] and "reverses" not in simpson["text"]


def test_no_simpson_note_when_the_gap_holds_within_levels():
    cells = {
        "a": {"L3": (50, 10), "L5": (50, 20)},
        "b": {"L3": (50, 25), "L5": (50, 35)},
    }
    result = stats.outcome_result(cells, min_group_size=5)
    findings = result_findings(
        {"dimension": "team", "outcome": "high_rating", **result}, dimension_label="Team"
    )
    assert [f["kind"] for f in findings] == ["gap"]


def test_the_gap_finding_names_the_rates_the_ratio_and_the_adjusted_p_value():
    result = stats.outcome_result(
        {"Team X": {"L4": (50, 6)}, "Team Y": {"L4": (44, 18)}}, min_group_size=5
    )
    for test in result["tests"].values():
        test["p_value_adjusted"] = 0.03
    (finding,) = result_findings(
        {"dimension": "team", "outcome": "high_rating", **result}, dimension_label="Team"
    )
    assert finding["text"].startswith(
        'Team "Team X" has a high-rating rate of 12% (n = 50) against 41% for "Team Y" '
        "(n = 44): impact ratio 0.29, below four-fifths."
    )
    assert "in about 3% of cycles of this size (chi-square, adjusted p = 0.03" in finding["text"]
    assert "does not show the cause" in finding["text"]
    assert finding["p_value_adjusted"] == 0.03
    assert finding["statistic"] == "chi_square"


def test_all_groups_suppressed_gives_no_numbers_and_no_tests():
    result = stats.outcome_result(flat(a=(2, 1), b=(4, 4), c=(1, 0)), min_group_size=5)
    assert result["reference_group"] is None
    for g in result["groups"]:
        assert g["suppressed"] is True
        assert all(g[k] is None for k in g if k not in ("group", "suppressed"))
    assert result["tests"]["chi_square"] == {"statistic": None, "dof": None, "p_value": None}
    assert result["tests"]["fisher_exact"] == {"odds_ratio": None, "p_value": None}
    assert result["tests"]["cmh_by_level"]["p_value"] is None
    assert (
        result_findings(
            {"dimension": "team", "outcome": "promoted", **result}, dimension_label="Team"
        )
        == []
    )


def test_complementary_suppression_hides_the_next_smallest_group():
    result = stats.outcome_result(flat(a=(3, 1), b=(6, 2), c=(40, 10)), min_group_size=5)
    groups = by_name(result)
    assert groups["a"]["suppressed"] and groups["b"]["suppressed"]
    assert groups["b"]["n"] is None and groups["b"]["count"] is None
    assert groups["c"]["suppressed"] is False and groups["c"]["n"] == 40
    # One group left: nothing to compare.
    assert result["tests"]["chi_square"]["p_value"] is None


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ({"a": 3, "b": 6, "c": 40}, {"a", "b"}),
        ({"a": 2, "b": 3, "c": 6, "d": 6}, {"a", "b"}),  # together 5: enough
        ({"a": 1, "b": 6, "c": 6}, {"a", "b"}),  # a tie in size goes by name
        ({"a": 1, "b": 2, "c": 1, "d": 9}, {"a", "b", "c", "d"}),
        ({"a": 5, "b": 6}, set()),
        ({"a": 4}, {"a"}),
    ],
)
def test_suppressed_groups(sizes, hidden):
    assert stats.suppressed_groups(sizes, 5) == hidden


def test_benjamini_hochberg_matches_statsmodels_and_skips_nulls():
    p = [0.01, None, 0.04, 0.03, None, 0.2]
    expected = multipletests([0.01, 0.04, 0.03, 0.2], method="fdr_bh")[1]
    adjusted = stats.benjamini_hochberg(p)
    assert adjusted[1] is None and adjusted[4] is None
    assert [adjusted[i] for i in (0, 2, 3, 5)] == pytest.approx(list(expected))
    assert stats.benjamini_hochberg([]) == []
    assert stats.benjamini_hochberg([None]) == [None]


def test_for_adverse_outcomes_the_finding_leads_with_the_group_faring_worse():
    result = stats.outcome_result(
        {"L3": {"L3": (20, 8)}, "L4": {"L4": (30, 3)}, "L5": {"L5": (25, 9)}}, min_group_size=5
    )
    (finding,) = result_findings(
        {"dimension": "level", "outcome": "low_rating", **result}, dimension_label="Level"
    )
    assert finding["text"].startswith(
        'Level "L3" has a low-rating rate of 40% (n = 20) against 10% for "L4" (n = 30): '
        "impact ratio 0.25, below four-fifths. For this outcome the higher rate is the less "
        "favourable one."
    )
    # Three groups: the test speaks of all of them, not of the two named.
    assert "differences across the groups at least this large" in finding["text"]
    assert "(chi-square, p = " in finding["text"]


# --- Attribute disclosure (issue #10, point 7) ------------------------------------------
# The outcome total can be read from any dimension shown in full (level, ladder), so the
# suppressed groups' combined count is "total minus the shown counts". When that is 0, or
# all of them, everybody hidden shares the outcome, and the suppression protects no one.


def test_a_hidden_remainder_where_nobody_has_the_outcome_hides_one_more_group():
    # a (2) and b (3) are hidden; neither has anyone rated low. c and d have some.
    sizes = {"a": 2, "b": 3, "c": 20, "d": 30}
    s = stats.dimension_suppression(
        sizes, {"low": {"a": 0, "b": 0, "c": 10, "d": 15}}, min_group_size=5
    )
    # The smallest group that makes the remainder mixed goes with it: c (10 of 20 low).
    assert s.groups == {"a", "b", "c"}
    assert s.withheld == frozenset()
    result = stats.outcome_result(
        flat(a=(2, 0), b=(3, 0), c=(20, 10), d=(30, 15)), min_group_size=5
    )
    assert [g["group"] for g in result["groups"] if not g["suppressed"]] == ["d"]
    assert result["withheld"] is False


def test_a_hidden_remainder_where_all_have_the_outcome_hides_one_more_group():
    # Everybody hidden rated high; c is all high too, so it does not help: d goes.
    sizes = {"a": 2, "b": 3, "c": 8, "d": 30}
    s = stats.dimension_suppression(
        sizes, {"high": {"a": 2, "b": 3, "c": 8, "d": 10}}, min_group_size=5
    )
    assert s.groups == {"a", "b", "d"}


def test_one_hidden_set_serves_every_outcome_of_a_dimension():
    """A group hidden for one outcome only would tell the reader, by its absence, that the
    small groups were all alike in that outcome; so every outcome hides the same groups."""
    sizes = {"a": 2, "b": 3, "c": 20, "d": 30}
    s = stats.dimension_suppression(
        sizes,
        {"low": {"a": 0, "b": 0, "c": 10, "d": 15}, "high": {"a": 1, "b": 2, "c": 10, "d": 15}},
        min_group_size=5,
    )
    assert s.groups == {"a", "b", "c"}
    assert s.withheld == frozenset()


@pytest.mark.parametrize("split", [(0, 0), (1, 0), (0, 2), (2, 3)])
@pytest.mark.parametrize(
    ("total", "withheld"), [(0, True), (9, True), (10, False), (15, False), (16, True)]
)
def test_an_outcome_too_rare_or_too_common_for_the_hidden_groups_is_withheld(
    split, total, withheld
):
    """The 5 hidden of 25 should hold 2 with the outcome and 2 without it (total × 5 / 25
    ≥ 2 both ways): 10 to 15 of 25 pass; 9, 16 (9 without it) and 0 (nobody) do not. The
    decision reads only the total, never how the hidden groups split it, so withholding
    says nothing about them."""
    sizes = {"a": 2, "b": 3, "c": 20}
    counts = {"a": split[0], "b": split[1], "c": total - sum(split)}
    if counts["c"] < 0:  # nobody has it: no split
        counts = {"a": 0, "b": 0, "c": 0}
    s = stats.dimension_suppression(sizes, {"o": counts}, 5)
    assert ("o" in s.withheld) is withheld
    if "o" in s.withheld:
        result = stats.outcome_result(
            {g: {"L4": (n, counts[g])} for g, n in sizes.items()},
            min_group_size=5,
            suppression=s,
            outcome="o",
        )
        assert result["withheld"] is True
        assert all(g["suppressed"] for g in result["groups"])
        assert result["reference_group"] is None


def test_a_dimension_that_hides_no_group_withholds_nothing():
    s = stats.dimension_suppression({"c": 20, "d": 9}, {"promoted": {"c": 0, "d": 0}}, 5)
    assert (s.groups, s.withheld) == (frozenset(), frozenset())
